// The HTTP side of a remote handle: one request to an emulator's admin
// routes, its JSON answer, and its errors turned back into the
// StorageEmulatorError the emulator raised (same code, status and message).
import { errors, StorageEmulatorError, type ErrorCode } from "../errors.js";
import { ADMIN_MOUNT } from "../paths.js";

export interface AdminRequest {
  method?: "GET" | "POST" | "DELETE";
  /** A JSON body (sent as application/json), or raw bytes. */
  json?: unknown;
  bytes?: Uint8Array;
  headers?: Record<string, string>;
}

export class AdminClient {
  readonly origin: string;

  constructor(origin: string) {
    this.origin = origin;
  }

  /** The answer to a request under /_emulator, or the error the emulator answered with. */
  async send(path: string, request: AdminRequest = {}): Promise<Response> {
    const { method = "GET", json, bytes, headers = {} } = request;
    const url = `${this.origin}${ADMIN_MOUNT}${path}`;
    // Uint8Array<ArrayBufferLike> is a valid body; the DOM typing wants an ArrayBuffer-backed one.
    const body = json === undefined ? (bytes as Uint8Array<ArrayBuffer> | undefined) : JSON.stringify(json);
    if (json !== undefined) headers["Content-Type"] = "application/json";
    let response: Response;
    try {
      response = await fetch(url, { method, headers, body });
    } catch (error) {
      throw errors.emulatorUnreachable(this.origin, causeOf(error));
    }
    if (!response.ok) throw await errorOf(url, response);
    return response;
  }

  /** The JSON answer to a request. */
  async json<T>(path: string, request?: AdminRequest): Promise<T> {
    const response = await this.send(path, request);
    const text = await response.text();
    try {
      return JSON.parse(text) as T;
    } catch {
      throw errors.remoteResponseInvalid(response.url, response.status, describeBody(text));
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
