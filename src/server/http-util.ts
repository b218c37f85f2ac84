// Small helpers shared by the HTTP handlers: request decoding, JSON answers and error encoding.
// Errors become responses here and nowhere else.
import type { IncomingMessage, ServerResponse } from "node:http";
import { errors, isStorageEmulatorError } from "../errors.js";
import type { RequestOutcome } from "../journal.js";
import { parseMediaType } from "../wire-values.js";

export type Handler = (req: IncomingMessage, res: ServerResponse) => void | Promise<void>;

const NOTES = Symbol("convex-storage-emulator.requestNotes");

/** What a handler notes about its exchange for the journal (host.ts fills in the status when it ends). */
export function requestNotes(res: ServerResponse): RequestOutcome {
  const holder = res as ServerResponse & { [NOTES]?: RequestOutcome };
  // Every field from the start: one object shape however a handler fills it in.
  return (holder[NOTES] ??= {
    status: 0,
    bytesIn: undefined,
    bytesOut: undefined,
    errorCode: undefined,
    errorMessage: undefined,
    storageId: undefined,
    aborted: undefined,
  });
}

export function sendJson(res: ServerResponse, status: number, body: unknown): void {
  sendText(res, status, "application/json", JSON.stringify(body));
}

/** A whole text answer, its length noted for the journal. */
export function sendText(res: ServerResponse, status: number, contentType: string, text: string): void {
  // A string, not a Buffer: Node sends the head and a string body as one string, one write.
  const length = Buffer.byteLength(text);
  res.statusCode = status;
  res.setHeader("Content-Type", contentType);
  res.setHeader("Content-Length", length);
  requestNotes(res).bytesOut = length;
  res.end(text);
}

/** Encodes any thrown value as Convex's `{ code, message }` JSON body. */
export function sendError(res: ServerResponse, thrown: unknown): void {
  const error = isStorageEmulatorError(thrown) ? thrown : errors.internal(internalDetail(thrown));
  requestNotes(res).errorCode = error.code;
  requestNotes(res).errorMessage = error.message;
  if (res.destroyed) return;
  if (res.headersSent) {
    // Too late for a status: cut the connection so the client sees a failure, not a short body.
    res.destroy();
    return;
  }
  sendJson(res, error.status, { code: error.code, message: error.message });
}

/** What an unexpected error tells a client: a Node system error's code and call, not its paths. */
function internalDetail(thrown: unknown): string {
  const { code, syscall } = (thrown ?? {}) as NodeJS.ErrnoException;
  return typeof code === "string" && typeof syscall === "string" ? `${code} during ${syscall}` : messageOf(thrown);
}

export function messageOf(thrown: unknown): string {
  return thrown instanceof Error ? thrown.message : String(thrown);
}

/** The path of a request without its query string (the full one, even inside an Express mount). */
export function pathOf(req: IncomingMessage): string {
  const url = (req as IncomingMessage & { originalUrl?: string }).originalUrl ?? req.url ?? "/";
  const q = url.indexOf("?");
  return q < 0 ? url : url.slice(0, q);
}

/**
 * The first of a request's headers named `name` (lower case), or undefined. `req.headers` joins
 * repeated ones; `req.headersDistinct` would build an object of every header for one value.
 */
export function firstHeader(req: IncomingMessage, name: string): string | undefined {
  const raw = req.rawHeaders;
  for (let i = 0; i < raw.length; i += 2) {
    const key = raw[i]!;
    if (key.length === name.length && key.toLowerCase() === name) return raw[i + 1];
  }
  return undefined;
}

/** A query that is exactly `name=value` with nothing to decode in it (what an upload URL has). */
const PLAIN_QUERY = /^([A-Za-z0-9_.~-]+)=([A-Za-z0-9_.~-]*)$/;

/** One query parameter; null when absent, undefined when repeated (ambiguous). */
export function queryParam(req: IncomingMessage, name: string): string | null | undefined {
  const url = req.url ?? "/";
  const q = url.indexOf("?");
  if (q < 0) return null;
  // The common case without URLSearchParams: one parameter, nothing percent-encoded.
  const plain = PLAIN_QUERY.exec(url.slice(q + 1));
  if (plain !== null) return plain[1] === name ? plain[2]! : null;
  const values = new URLSearchParams(url.slice(q + 1)).getAll(name);
  if (values.length === 0) return null;
  return values.length === 1 ? values[0] : undefined;
}

const VISIBLE_ASCII = /^[\t\x20-\x7e]*$/;

/**
 * Fidelity: get-convex/convex-backend crates/local_backend/src/storage.rs storage_upload takes
 * `TypedHeader<headers::ContentType>` (hyperium/headers headers-v0.4.0 src/common/content_type.rs:
 * the first value, parsed by mime): absent is no type; present but unparseable, the empty
 * `Content-Type:` included (httparse trims it to ""), is 400 BadHeader "invalid HTTP header"
 * (headers-core's Display). The stored value is mime's normalised form (wire-values.ts).
 */
export function parseContentType(header: string | undefined): string | null {
  if (header === undefined) return null;
  // Fidelity: headers 0.4.0 ContentType::decode reads `HeaderValue::to_str()`, which refuses any
  // byte but HTAB and visible ASCII (Node hands header bytes >= 0x80 over as latin1 characters).
  if (!VISIBLE_ASCII.test(header)) throw errors.badHeader("content-type", "invalid HTTP header");
  const parsed = parseMediaType(header);
  if (!parsed.ok) throw errors.badHeader("content-type", "invalid HTTP header");
  return parsed.value;
}
