// Runs a user's convex HttpRouter (the default export of convex/http.ts)
// with an emulated ctx, in process (fetch-style) or behind the server.
//
// Fidelity: routing is the router's own `lookup(path, method)` (exact path,
// then the longest pathPrefix, HEAD served by GET); an unknown route is the
// router's plain-text 404 (get-convex/convex-backend npm-packages/convex/src/server/router.ts).
// Errors and the 20 MiB response limit follow the backend: see `failed()` and `limited()`.
import type { GenericActionCtx, GenericDataModel, HttpRouter, StorageActionWriter, UserIdentity } from "convex/server";
import { randomBytes } from "node:crypto";
import { errors, messages, type StorageEmulatorError } from "./errors.js";
import type { RequestOutcome } from "./journal.js";
import { responseBody } from "./response-body.js";

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

/** The outcome of one HTTP action. */
export interface HttpActionOutcome {
  /** False when no route matched (and `response` is the 404). */
  routed: boolean;
  /** The response to send. Its body is limited: chunks that would pass 20 MiB are dropped. */
  response: Response;
  /** How the exchange ended, for the journal: once the response body has been read to its end, cut, or cancelled. */
  settled: Promise<RequestOutcome>;
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
    // Fidelity: a deployment without convex/http.js answers every path with this 404
    // (get-convex/convex-backend crates/application/src/application_function_runner/http_routing.rs,
    // `from_text`: mime::TEXT_PLAIN_UTF_8).
    if (this.#router === undefined)
      return { routed: false, ...textOutcome(404, messages.noHttpActions(), "text/plain; charset=utf-8") };
    const match = this.#lookup(path, request.method);
    // Fidelity: the router's `new Response(text, { status: 404 })`: the runtime's string-body type
    // (udf-runtime 23_response.ts) and the content-length convexJsonFromResponse adds.
    if (match === null)
      return { routed: false, ...textOutcome(404, messages.noHttpActionRouted(path), "text/plain;charset=UTF-8") };
    try {
      const response = await match(this.#ctx, request);
      if (!(response instanceof Response)) throw new TypeError(messages.httpActionNotResponse(typeof response));
      return { routed: true, ...(await limited(response)) };
    } catch (thrown) {
      return { routed: true, ...failed(thrown) };
    }
  }

  #lookup(path: string, method: string): Handler | null {
    const found = this.#router?.lookup(path, method.toUpperCase() as "GET") ?? null;
    if (found === null) return null;
    const endpoint = found[0] as unknown as { _handler?: Handler };
    return typeof endpoint._handler === "function" ? endpoint._handler : null;
  }
}

function textOutcome(status: number, text: string, contentType: string): Omit<HttpActionOutcome, "routed"> {
  const body = Buffer.from(text);
  const headers = { "Content-Type": contentType, "Content-Length": String(body.byteLength) };
  return {
    response: new Response(body, { status, headers }),
    settled: Promise.resolve(ended(status, body.byteLength)),
  };
}

/**
 * An uncaught error as a dev deployment answers it. Fidelity: get-convex/convex-backend
 * crates/application/src/redaction.rs to_http_response_parts with logs not redacted (the local
 * backend's default): `code` is "[Request ID: <fresh 16 hex>] Server Error: <message>", `trace`
 * the message and its frames, `data` a ConvexError's data; compact JSON, application/json.
 * The message is crates/isolate/src/helpers.rs format_uncaught_error's "Uncaught <name>: <message>".
 */
function failed(thrown: unknown): Omit<HttpActionOutcome, "routed"> {
  const uncaught = uncaughtMessage(thrown);
  const error = errors.httpActionFailed(randomBytes(8).toString("hex"), uncaught);
  const frames =
    thrown instanceof Error ? (thrown.stack ?? "").split("\n").filter((line) => line.startsWith("    at ")) : [];
  const payload: Record<string, unknown> = {
    code: error.message,
    trace: `${uncaught}\n${frames.map((f) => `${f}\n`).join("")}`,
  };
  if (thrown instanceof Error && thrown.name === "ConvexError" && "data" in thrown) payload.data = thrown.data;
  const body = Buffer.from(JSON.stringify(payload));
  const headers = { "Content-Type": "application/json", "Content-Length": String(body.byteLength) };
  return {
    response: new Response(body, { status: 500, headers }),
    settled: Promise.resolve(ended(500, body.byteLength, error)),
  };
}

function uncaughtMessage(thrown: unknown): string {
  if (!(thrown instanceof Error)) return `Uncaught ${String(thrown)}`;
  if (thrown.message === "") return `Uncaught ${thrown.name}`;
  return thrown.name === "" ? `Uncaught ${thrown.message}` : `Uncaught ${thrown.name}: ${thrown.message}`;
}

/**
 * The response with its body limited to 20 MiB. Fidelity: get-convex/convex-backend
 * crates/isolate/src/environment/action/mod.rs handle_http_streamed_part: a chunk that would
 * take the body past the limit is dropped whole and logged (HttpResponseTooLarge); later
 * chunks that still fit are sent. A string, bytes or Blob body is one chunk and carries a
 * Content-Length (udf-runtime 23_response.ts convexJsonFromResponse), so dropping it leaves
 * a transfer that ends short of its length: the client sees it fail. A stream body has no
 * length and simply ends after the chunks that were sent.
 */
async function limited(response: Response): Promise<Omit<HttpActionOutcome, "routed">> {
  const { status, statusText } = response;
  if (response.body === null) return { response, settled: Promise.resolve(ended(status, 0)) };
  const { declared, chunks: reader } = await responseBody(response as Response & { body: ReadableStream<Uint8Array> });
  let settle!: (result: RequestOutcome) => void;
  const settled = new Promise<RequestOutcome>((resolve) => (settle = resolve));
  let sent = 0;
  let dropped: StorageEmulatorError | undefined;
  const body = new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        for (;;) {
          let chunk: ReadableStreamReadResult<Uint8Array>;
          try {
            chunk = await reader.read();
          } catch (thrown) {
            // The handler's stream failed mid-body: headers are out, so the transfer fails.
            const error = errors.httpActionFailed(randomBytes(8).toString("hex"), uncaughtMessage(thrown));
            controller.error(error);
            return settle(ended(status, sent, error, true));
          }
          if (chunk.done) {
            const short = dropped !== undefined && declared !== undefined && sent < declared;
            if (short) controller.error(dropped);
            else controller.close();
            return settle(ended(status, sent, dropped, short));
          }
          if (sent + chunk.value.byteLength > HTTP_ACTION_RESPONSE_LIMIT) {
            dropped ??= errors.httpResponseTooLarge();
            continue;
          }
          sent += chunk.value.byteLength;
          return controller.enqueue(chunk.value);
        }
      },
      cancel(reason) {
        settle(ended(status, sent, dropped));
        return reader.cancel(reason);
      },
    },
    { highWaterMark: 0 },
  );
  const headers = new Headers(response.headers);
  if (declared !== undefined && !headers.has("content-length")) headers.set("content-length", String(declared));
  return { response: new Response(body, { status, statusText, headers }), settled };
}

/** How an exchange ended: `status` unless the transfer was cut (then 0). */
function ended(status: number, bytesOut: number, error?: StorageEmulatorError, aborted = false): RequestOutcome {
  return { status: aborted ? 0 : status, bytesOut, errorCode: error?.code, errorMessage: error?.message, aborted };
}

/** The ctx an httpAction handler receives. */
function actionCtx(options: HttpActionsOptions): GenericActionCtx<GenericDataModel> {
  const run = options.run ?? {};
  const identity = options.identity ?? null;
  const caller =
    (kind: "query" | "mutation" | "action", ctxName: string) =>
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
    scheduler: {
      runAfter: unsupported("ctx.scheduler.runAfter"),
      runAt: unsupported("ctx.scheduler.runAt"),
      cancel: unsupported("ctx.scheduler.cancel"),
    },
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
