// The HTTP side of a remote handle: one request to an emulator's admin
// routes, its answer checked (status, the emulator's mark, content type,
// shape) within a time bound, and its errors turned back into the
// StorageEmulatorError the emulator raised (same code, status and message).
import { errors, StorageEmulatorError, type ErrorCode } from "../errors.js";
import { ADMIN_ANSWER_HEADER, ADMIN_MOUNT } from "../paths.js";

export interface AdminRequest {
  method?: "GET" | "POST" | "DELETE";
  /** A JSON body (sent as application/json), or raw bytes. */
  json?: unknown;
  bytes?: Uint8Array;
  headers?: Record<string, string>;
}

/** Whether a parsed JSON answer has the shape a route promises; `what` names it in the error. */
export interface Shape<T> {
  what: string;
  test(value: unknown): value is T;
}

export class AdminClient {
  readonly origin: string;
  readonly #timeoutMs: number;

  constructor(origin: string, timeoutMs: number) {
    this.origin = origin;
    this.#timeoutMs = timeoutMs;
  }

  /** The JSON answer to a request under /_emulator, checked against `shape`. */
  json<T>(path: string, shape: Shape<T>, request: AdminRequest = {}): Promise<T> {
    return this.#exchange(path, request, async (response, url) => {
      const type = response.headers.get("content-type") ?? "";
      const text = await response.text();
      if (!/^application\/json\b/i.test(type))
        throw errors.remoteResponseInvalid(
          url,
          response.status,
          `${type || "no content type"} (${describeBody(text)})`,
        );
      let value: unknown;
      try {
        value = JSON.parse(text);
      } catch {
        throw errors.remoteResponseInvalid(url, response.status, describeBody(text));
      }
      if (!shape.test(value))
        throw errors.remoteResponseInvalid(
          url,
          response.status,
          `JSON that is not ${shape.what} (${describeBody(text)})`,
        );
      return value;
    });
  }

  /** The raw bytes answered (any content type: a file's own). */
  bytes(path: string, request: AdminRequest = {}): Promise<Uint8Array> {
    return this.#exchange(path, request, async (response) => new Uint8Array(await response.arrayBuffer()));
  }

  /** Sends, checks the status and the emulator's mark, and reads the answer with `read`, all within the time bound. */
  async #exchange<T>(
    path: string,
    request: AdminRequest,
    read: (response: Response, url: string) => Promise<T>,
  ): Promise<T> {
    const { method = "GET", json, bytes, headers = {} } = request;
    const url = `${this.origin}${ADMIN_MOUNT}${path}`;
    // Uint8Array<ArrayBufferLike> is a valid body; the DOM typing wants an ArrayBuffer-backed one.
    const body = json === undefined ? (bytes as Uint8Array<ArrayBuffer> | undefined) : JSON.stringify(json);
    if (json !== undefined) headers["Content-Type"] = "application/json";
    // One bound for the whole exchange, the body included: a trickling answer times out too.
    const signal = AbortSignal.timeout(this.#timeoutMs);
    const timedOut = () => errors.remoteTimeout(method, url, this.#timeoutMs);
    let response: Response;
    try {
      response = await fetch(url, { method, headers, body, signal });
    } catch (error) {
      if (signal.aborted) throw timedOut();
      throw errors.emulatorUnreachable(this.origin, causeOf(error));
    }
    try {
      if (!response.ok) throw await errorOf(url, response);
      if (!response.headers.has(ADMIN_ANSWER_HEADER)) {
        throw errors.remoteResponseInvalid(
          url,
          response.status,
          `no ${ADMIN_ANSWER_HEADER} header (${describeBody(await response.text())})`,
        );
      }
      return await read(response, url);
    } catch (error) {
      if (signal.aborted && !(error instanceof StorageEmulatorError)) throw timedOut();
      throw error;
    }
  }
}

/** The emulator's `{ code, message }` error body as the error it encodes. */
async function errorOf(url: string, response: Response): Promise<Error> {
  const text = await response.text();
  try {
    const body = JSON.parse(text) as { code?: unknown; message?: unknown };
    if (typeof body.code === "string" && typeof body.message === "string") {
      return new StorageEmulatorError(body.code as ErrorCode, response.status, body.message);
    }
  } catch {
    // Not JSON: something other than the emulator answered.
  }
  return errors.remoteResponseInvalid(url, response.status, describeBody(text));
}

function describeBody(text: string): string {
  if (text === "") return "an empty body";
  return `the body ${JSON.stringify(text.length > 80 ? `${text.slice(0, 79)}…` : text)}`;
}

/** Why fetch failed: undici puts the socket error (ECONNREFUSED, ENOTFOUND…) in `cause`. */
function causeOf(error: unknown): string {
  const cause = (error as { cause?: { code?: unknown; message?: unknown } } | null)?.cause;
  if (typeof cause?.code === "string") return cause.code;
  if (typeof cause?.message === "string") return cause.message;
  return error instanceof Error ? error.message : String(error);
}
