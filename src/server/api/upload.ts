// POST /api/storage/upload?token=…: the raw body becomes a stored file.
//
// The body streams into the file store chunk by chunk (no body parser, so
// the file is held once). Any failure, including a client that goes away
// mid-body, aborts the write: nothing is stored and nothing is left behind.
import type { IncomingMessage, ServerResponse } from "node:http";
import { errors } from "../../errors.js";
import type { StoredFile } from "../../file-store.js";
import type { Gateway, UploadHeaders } from "../../gateway.js";
import { decodeSha256Base64 } from "../../wire-values.js";
import { readBody } from "../body.js";
import { firstHeader, parseContentType, queryParam, requestNotes, sendError, sendJson } from "../http-util.js";

/** `idleMs`: an upload whose body sends nothing this long is aborted (0: never). */
export function handleUpload(
  gateway: Gateway,
  idleMs: number,
  req: IncomingMessage,
  res: ServerResponse,
): Promise<void> {
  return upload(gateway, idleMs, req, res).catch((error: unknown) => {
    // A rejected upload may still be sending its body: discard the rest and
    // close the connection once the answer is out.
    if (!req.complete && !res.headersSent) {
      res.setHeader("Connection", "close");
      req.resume();
    }
    if ((error as { code?: unknown }).code === "UploadAborted") requestNotes(res).aborted = true;
    sendError(res, error);
  });
}

async function upload(gateway: Gateway, idleMs: number, req: IncomingMessage, res: ServerResponse): Promise<void> {
  // No await without a fault: the hot path takes no extra promise turn.
  const pending = gateway.takeHttpFault("upload");
  if (pending !== undefined) {
    const fault = await pending;
    // Answered like any early rejection: the body is not read, the connection closes.
    if (fault.error !== undefined) throw fault.error;
    if (fault.abortAfterBytes !== undefined) return cutOff(req, res, fault.abortAfterBytes);
  }
  let received = 0;
  let file: StoredFile;
  try {
    file = await gateway.upload({
      token: queryParam(req, "token"),
      headers: () => decodeHeaders(req),
      body: (write) =>
        readBody(req, idleMs, (chunk) => {
          write(chunk);
          received += chunk.byteLength;
        }),
    });
  } finally {
    requestNotes(res).bytesIn = received;
  }
  // The connection died before the answer (e.g. bytes past Content-Length made Node answer 400
  // and close): the client will never learn the id, so the file must not stay.
  if (req.socket.destroyed) {
    await gateway.delete(file);
    throw errors.uploadAborted();
  }
  requestNotes(res).storageId = file.storageId;
  sendJson(res, 200, { storageId: file.storageId });
}

function decodeHeaders(req: IncomingMessage): UploadHeaders {
  const { headers } = req;
  return {
    contentType: parseContentType(headers["content-type"]),
    // Only the first Digest header counts (req.headers joins repeated ones with ", ").
    expectedSha256: parseDigest(headers.digest === undefined ? undefined : firstHeader(req, "digest")),
    declaredBytes: parseContentLength(headers["content-length"]),
  };
}

/** An injected fault: reads `limit` bytes of the body (storing nothing), then cuts the connection. */
function cutOff(req: IncomingMessage, res: ServerResponse, limit: number): Promise<void> {
  return new Promise((resolve) => {
    let read = 0;
    const cut = () => {
      req.off("data", onData).off("end", cut).off("close", cut);
      Object.assign(requestNotes(res), { bytesIn: Math.min(read, limit), errorCode: "InjectedFault", aborted: true });
      res.destroy();
      resolve();
    };
    const onData = (chunk: Buffer) => {
      read += chunk.byteLength;
      if (read >= limit) cut();
    };
    if (limit === 0) return cut();
    req.on("data", onData).once("end", cut).once("close", cut);
  });
}

/**
 * Fidelity: get-convex/convex-backend crates/common/src/sha256.rs DigestHeader::decode: the
 * case-sensitive prefix `sha-256=`, then base64 of exactly 32 bytes (wire-values.ts).
 */
function parseDigest(header: string | undefined): string | undefined {
  if (header === undefined) return undefined;
  const digest = header.startsWith("sha-256=") ? decodeSha256Base64(header.slice("sha-256=".length)) : null;
  if (digest === null) throw errors.badHeader("digest", "invalid HTTP header");
  return digest;
}

/**
 * The declared length, checked against the limits before any byte is read. Node's parser already
 * refuses malformed ones (400); what passes it but no number can hold is 413, never a 500.
 */
function parseContentLength(header: string | undefined): number | undefined {
  if (header === undefined) return undefined;
  if (!/^\d+$/.test(header)) throw errors.badHeader("content-length", "invalid HTTP header");
  // Past 2^53 the number is approximate, but still far past the store's ceiling: 413 there.
  return Number(header);
}
