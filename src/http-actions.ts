// Runs a user's convex HttpRouter (the default export of convex/http.ts)
// with an emulated ctx, in process (fetch-style) or behind the server.
//
// Fidelity: routing is the router's own `lookup(path, method)` (exact path,
// then the longest pathPrefix, HEAD served by GET); an unknown route is the
// backend's plain-text 404 "No HttpAction routed for <path>"; a response body
// over 20 MiB fails (docs "Serving Files" and "Limits": HTTP action responses
// are limited to 20 MiB).
import type { GenericActionCtx, GenericDataModel, HttpRouter, StorageActionWriter, UserIdentity } from "convex/server";
import { errors, messages, type StorageEmulatorError } from "./errors.js";

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
  /** The router of the app's convex/http.ts, unchanged; without one every path is unrouted. */
  http?: HttpRouter | undefined;
  /** Where ctx.runQuery/runMutation/runAction go. A missing one throws a clear error when called. */
  run?: RunFunctions | undefined;
  /** What ctx.auth.getUserIdentity() returns. Default null (signed out). */
  identity?: UserIdentity | null | undefined;
  /** The handlers' ctx.storage. */
  storage: StorageActionWriter;
}

export const HTTP_ACTION_RESPONSE_LIMIT = 20 * 1024 * 1024;

/** How one request ended: for the journal, once the response body is done. */
export interface HttpActionResult {
  /** The error the exchange failed with, if any (a thrown handler, a response over the limit). */
  error?: StorageEmulatorError | undefined;
  /** Body bytes the response delivered. */
  bytesOut: number;
}

/** The outcome of one HTTP action. */
export interface HttpActionOutcome {
  /** False when no route matched (and `response` is the 404). */
  routed: boolean;
  /** The response to send. Its body is limited: past 20 MiB it errors. */
  response: Response;
  /** Settles once the response body has been read to its end, cut, or cancelled. */
  settled: Promise<HttpActionResult>;
}

type Handler = (ctx: GenericActionCtx<GenericDataModel>, request: Request) => Promise<Response>;

export class HttpActions {
  readonly #router: HttpRouter | undefined;
  readonly #ctx: GenericActionCtx<GenericDataModel>;

  constructor(options: HttpActionsOptions) {
    const router = options.http as Partial<HttpRouter> | undefined;
    if (router !== undefined && (typeof router?.lookup !== "function" || router.isRouter !== true)) {
      throw errors.optionInvalid("http", "expected the HttpRouter your convex/http.ts exports (httpRouter()).");
    }
    this.#router = options.http;
    this.#ctx = actionCtx(options);
  }

  /** Whether a router is mounted. */
  get mounted(): boolean {
    return this.#router !== undefined;
  }

  /**
   * Runs the matching action. Never throws: routing, a thrown handler and the
   * response limit all end as a Response (the one place errors become one).
   */
  async handle(request: Request): Promise<HttpActionOutcome> {
    const path = new URL(request.url).pathname;
    // Without a router there is no .site to speak of: the emulator's own 404.
    if (this.#router === undefined) return { routed: false, ...errorOutcome(errors.routeNotFound(request.method, path)) };
    const match = this.#lookup(path, request.method);
    if (match === null) {
      // Fidelity: the backend's plain-text 404 for a path no action is routed at.
      const body = messages.noHttpActionRouted(path);
      return { routed: false, response: new Response(body, { status: 404 }), settled: Promise.resolve({ bytesOut: Buffer.byteLength(body) }) };
    }
    let response: Response;
    try {
      response = await match(this.#ctx, request);
      if (!(response instanceof Response)) throw new TypeError(messages.httpActionNotResponse(typeof response));
    } catch (thrown) {
      const error = errors.httpActionFailed(request.method, path, thrown instanceof Error ? thrown.message : String(thrown));
      return { routed: true, ...errorOutcome(error) };
    }
    return { routed: true, ...limited(response, request.method, path) };
  }

  #lookup(path: string, method: string): Handler | null {
    const found = this.#router?.lookup(path, method.toUpperCase() as "GET") ?? null;
    if (found === null) return null;
    const endpoint = found[0] as unknown as { _handler?: Handler };
    return typeof endpoint._handler === "function" ? endpoint._handler : null;
  }
}

/** An error as the JSON response Convex sends: `{ code, message }`. */
function errorOutcome(error: StorageEmulatorError): Omit<HttpActionOutcome, "routed"> {
  const body = JSON.stringify(error.toJSON());
  const response = new Response(body, { status: error.status, headers: { "Content-Type": "application/json" } });
  return { response, settled: Promise.resolve({ error, bytesOut: Buffer.byteLength(body) }) };
}

/**
 * The response with its body limited to 20 MiB. A declared length over it is
 * a 500 at once; a body that grows past it delivers exactly the limit, then
 * errors (headers are out: a cut is the only honest signal left).
 */
function limited(response: Response, method: string, path: string): Omit<HttpActionOutcome, "routed"> {
  const declared = Number(response.headers.get("content-length") ?? NaN);
  if (declared > HTTP_ACTION_RESPONSE_LIMIT) {
    void response.body?.cancel().catch(() => {});
    return errorOutcome(errors.httpResponseTooLarge(HTTP_ACTION_RESPONSE_LIMIT));
  }
  const source = response.body;
  if (source === null) return { response, settled: Promise.resolve({ bytesOut: 0 }) };
  let settle!: (result: HttpActionResult) => void;
  const settled = new Promise<HttpActionResult>((resolve) => (settle = resolve));
  const reader = source.getReader();
  let sent = 0;
  let over = false;
  const fail = (controller: ReadableStreamDefaultController<Uint8Array>, error: StorageEmulatorError) => {
    controller.error(error);
    settle({ error, bytesOut: sent });
  };
  const body = new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        if (over) return fail(controller, errors.httpResponseTooLarge(HTTP_ACTION_RESPONSE_LIMIT));
        let chunk: ReadableStreamReadResult<Uint8Array>;
        try {
          chunk = await reader.read();
        } catch (thrown) {
          return fail(controller, errors.httpActionFailed(method, path, thrown instanceof Error ? thrown.message : String(thrown)));
        }
        if (chunk.done) {
          controller.close();
          return settle({ bytesOut: sent });
        }
        const room = HTTP_ACTION_RESPONSE_LIMIT - sent;
        if (chunk.value.byteLength > room) {
          void reader.cancel().catch(() => {});
          if (room === 0) return fail(controller, errors.httpResponseTooLarge(HTTP_ACTION_RESPONSE_LIMIT));
          // The limit exactly, then the error on the next read.
          over = true;
          sent += room;
          return controller.enqueue(chunk.value.subarray(0, room));
        }
        sent += chunk.value.byteLength;
        controller.enqueue(chunk.value);
      },
      cancel(reason) {
        settle({ bytesOut: sent });
        return reader.cancel(reason);
      },
    },
    { highWaterMark: 0 },
  );
  const { status, statusText, headers } = response;
  return { response: new Response(body, { status, statusText, headers }), settled };
}

/** The ctx an httpAction handler receives. */
function actionCtx(options: HttpActionsOptions): GenericActionCtx<GenericDataModel> {
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
    storage: options.storage,
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
