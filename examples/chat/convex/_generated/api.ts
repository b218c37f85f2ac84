/* Generated-style function references, as `npx convex codegen` writes them. */
import { anyApi, type ApiFromModules, type FilterApi, type FunctionReference } from "convex/server";
import type * as http from "../http";
import type * as messages from "../messages";

declare const fullApi: ApiFromModules<{ http: typeof http; messages: typeof messages }>;
export const api: FilterApi<typeof fullApi, FunctionReference<any, "public">> = anyApi as any;
export const internal: FilterApi<typeof fullApi, FunctionReference<any, "internal">> = anyApi as any;
