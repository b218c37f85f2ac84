// Runs a user's convex HttpRouter (the default export of convex/http.ts)
// with an emulated ctx, in process (fetch-style) or behind the server.
//
// Fidelity: routing is the router's own `lookup(path, method)` (exact path,
// then the longest pathPrefix, HEAD served by GET); an unknown route is the
// backend's plain-text 404 "No HttpAction routed for <path>"; a response body
// over 20 MiB fails (docs "Serving Files" and "Limits": HTTP action responses
// are limited to 20 MiB).
import type { GenericActionCtx, GenericDataModel, HttpRouter, UserIdentity } from "convex/server";
import { errors, type StorageEmulatorError } from "./errors.js";
import type { StorageEmulator } from "./emulator.js";

/** A Convex function reference (api.x.y), or its name as a string ("x:y"). */
export type FunctionRef = unknown;

/**
 * How ctx.runQuery / runMutation / runAction reach the app's functions, each
 * called as `fn(functionReference, args)`: e.g. convex-test's
 * `{ query: t.query, mutation: t.mutation, action: t.action }`.
 * (Method syntax keeps these assignable from convex-test's generic signatures.)
 */
export interface RunFunctions {
  query?(ref: unknown, args?: unknown): Promise<unknown>;
  mutation?(ref: unknown, args?: unknown): Promise<unknown>;
  action?(ref: unknown, args?: unknown): Promise<unknown>;
}

export interface HttpActionsOptions {
  /** The router of the app's convex/http.ts, unchanged. */
  http: HttpRouter;
  /** Where ctx.runQuery/runMutation/runAction go. A missing one throws a clear error when called. */
  run?: RunFunctions | undefined;
  /** What ctx.auth.getUserIdentity() returns. Default null (signed out). */
  identity?: UserIdentity | null | undefined;
}

export const HTTP_ACTION_RESPONSE_LIMIT = 20 * 1024 * 1024;

/** The outcome of one HTTP action, for the journal. */
export interface HttpActionOutcome {
  response: Response;
  error?: StorageEmulatorError;
}

type Handler = (ctx: GenericActionCtx<GenericDataModel>, request: Request) => Promise<Response>;

export class HttpActions {
  readonly #router: HttpRouter;
  readonly #ctx: GenericActionCtx<GenericDataModel>;

  constructor(emulator: StorageEmulator, options: HttpActionsOptions) {
    const router = options.http as Partial<HttpRouter> | undefined;
    if (typeof router?.lookup !== "function" || router.isRouter !== true) {
      throw errors.optionInvalid("http", "expected the HttpRouter your convex/http.ts exports (httpRouter()).");
    }
    this.#router = options.http;
    this.#ctx = actionCtx(emulator, options);
  }

  /** True when the router has a route for this path and method. */
  routes(path: string, method: string): boolean {
    return this.#lookup(path, method) !== null;
  }

  /** Runs the matching action. Never throws: a thrown handler error is a 500. */
  async handle(request: Request): Promise<HttpActionOutcome> {
    const path = new URL(request.url).pathname;
    const match = this.#lookup(path, request.method);
    if (match === null) {
      return { response: new Response(`No HttpAction routed for ${path}`, { status: 404 }) };
    }
    try {
      const response = await match(this.#ctx, request);
      if (!(response instanceof Response)) {
        throw new TypeError(`the handler returned ${typeof response}, not a Response`);
      }
      return { response };
    } catch (thrown) {
      const error = errors.httpActionFailed(request.method, path, thrown instanceof Error ? thrown.message : String(thrown));
      return { response: Response.json(error.toJSON(), { status: 500 }), error };
    }
  }

  #lookup(path: string, method: string): Handler | null {
    const found = this.#router.lookup(path, method.toUpperCase() as "GET");
    if (found === null) return null;
    const endpoint = found[0] as unknown as { _handler?: Handler };
    return typeof endpoint._handler === "function" ? endpoint._handler : null;
  }
}

/** The ctx an httpAction handler receives. */
function actionCtx(emulator: StorageEmulator, options: HttpActionsOptions): GenericActionCtx<GenericDataModel> {
  const run = options.run ?? {};
  const identity = options.identity ?? null;
  const caller = (kind: "query" | "mutation" | "action", ctxName: string) =>
    async (ref: unknown, args?: unknown): Promise<unknown> => {
      const fn = run[kind];
      if (typeof fn !== "function") throw errors.runFunctionMissing(ctxName, kind, functionNameOf(ref));
      return await fn.call(run, ref, args ?? {});
    };
  const unsupported = (what: string) => () => {
    throw errors.unsupportedInHttpAction(what);
  };
  const ctx = {
    storage: emulator.storage,
    runQuery: caller("query", "runQuery"),
    runMutation: caller("mutation", "runMutation"),
    runAction: caller("action", "runAction"),
    auth: { getUserIdentity: async () => identity },
    scheduler: { runAfter: unsupported("ctx.scheduler.runAfter"), runAt: unsupported("ctx.scheduler.runAt"), cancel: unsupported("ctx.scheduler.cancel") },
    vectorSearch: unsupported("ctx.vectorSearch"),
  };
  return ctx as unknown as GenericActionCtx<GenericDataModel>;
}

/** "messages:sendImage" for api.messages.sendImage (convex's functionName symbol), or the string itself. */
export function functionNameOf(ref: unknown): string {
  if (typeof ref === "string") return ref;
  const name = (ref as Record<symbol, unknown> | null)?.[Symbol.for("functionName")];
  return typeof name === "string" ? name : "<unknown function>";
}
