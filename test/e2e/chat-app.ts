// The seed's chat app (examples/chat/convex), loaded for the e2e tests.
//
// Its modules are imported through non-literal paths so that `tsc` does not
// type-check them: the docs' convex/http.ts passes `author: string | null`
// to a `v.string()` argument, a type error in the seed's own code, which the
// examples keep unchanged. At run time they are the app's real modules.
import { makeFunctionReference, type GenericSchema, type HttpRouter, type SchemaDefinition } from "convex/server";
import type { GenericId } from "convex/values";

const dir = new URL("../../examples/chat/convex/", import.meta.url).href;
const load = async <T>(name: string): Promise<T> =>
  ((await import(/* @vite-ignore */ `${dir}${name}`)) as { default: T }).default;

export const schema = await load<SchemaDefinition<GenericSchema, boolean>>("schema.ts");
export const http = await load<HttpRouter>("http.ts");
/** A message as `messages.list` returns it. */
export interface Message {
  _id: string;
  _creationTime: number;
  author: string;
  body: string;
  format: "text" | "image";
  url?: string | null;
}

type NoArgs = Record<string, never>;
/** The app's function references (what `_generated/api` exports), typed by hand. */
export const api = {
  messages: {
    list: makeFunctionReference<"query", NoArgs, Message[]>("messages:list"),
    generateUploadUrl: makeFunctionReference<"mutation", NoArgs, string>("messages:generateUploadUrl"),
    sendImage: makeFunctionReference<"mutation", { storageId: GenericId<"_storage">; author: string }, null>(
      "messages:sendImage",
    ),
    sendMessage: makeFunctionReference<"mutation", { body: string; author: string }, null>("messages:sendMessage"),
  },
};
/** The app's modules, as convex-test wants them. */
export const modules = import.meta.glob("../../examples/chat/convex/**/*.ts");
