// GET|HEAD /api/storage/<uuid>: a stored file with Convex's headers.
//
// Fidelity: crates/local_backend/src/storage.rs storage_get: Content-Type
// (when stored), Content-Length, Digest (full responses only), Cache-Control
// private for 30 days, Accept-Ranges bytes, no ETag; one range is a 206.
import type { IncomingMessage, ServerResponse } from "node:http";
import { errors } from "../errors.js";
import { MAX_SCRATCH_BYTES } from "../file-store/scratch-buffers.js";
import type { Gateway } from "../gateway.js";
import { facts, firstHeader, sendError } from "./http-util.js";
import { activeContentPolicy } from "./active-content.js";
import { readRangeHeader, resolveRange, sendRangeNotSatisfiable } from "./range.js";

const CACHE_CONTROL = "private, max-age=2592000";
// Files up to 1 MiB go out in one write of a copy in a reused buffer, in
// memory too: measured on this project's 2-core VM, handing the socket a
// file's stored buffers cost more server CPU than copying them into a buffer
// that is still in cache and writing that (1 MiB: ~3.2 ms vs ~1.1 ms per GET;
// 64 KiB: ~520 vs ~340 us; bench/LIMITS.md). Larger files are written from
// the stored buffers (memory) or streamed (disk), so memory stays flat.
const STREAM_THRESHOLD = MAX_SCRATCH_BYTES;

export function handleServe(gateway: Gateway, req: IncomingMessage, res: ServerResponse, rawId: string): void | Promise<void> {
  const run = (cutAfter?: number) => {
    try {
      serve(gateway, req, res, rawId, cutAfter);
    } catch (error) {
      sendError(res, error);
    }
  };
  const fault = gateway.takeHttpFault("serve");
  if (fault === undefined) return run();
  return fault.then(({ error, abortAfterBytes }) => (error === undefined ? run(abortAfterBytes) : sendError(res, error)));
}

/** `cutAfter`: an injected fault cuts the connection after that many body bytes. */
function serve(gateway: Gateway, req: IncomingMessage, res: ServerResponse, rawId: string, cutAfter?: number): void {
  // Fidelity: storage.rs storage_get parses the path (400), then counts ranges (416), then looks the file up (404).
  const uuid = gateway.fileUuidOf(rawId);
  const header = readRangeHeader(firstHeader(req, "range"));
  if (header.kind === "notOne") return sendRangeNotSatisfiable(res);
  const file = gateway.openFile(uuid);
  const { files } = gateway;
  facts(res).storageId = file.storageId;

  const range = resolveRange(header, file.size);
  if (range.kind === "unsatisfiable") return sendRangeNotSatisfiable(res, file.size);
  const start = range.kind === "single" ? range.start : 0;
  const end = range.kind === "single" ? range.end : file.size - 1;
  const length = end - start + 1;

  res.statusCode = range.kind === "single" ? 206 : 200;
  if (file.contentType !== null) res.setHeader("Content-Type", file.contentType);
  res.setHeader("Content-Length", length);
  if (range.kind === "single") res.setHeader("Content-Range", `bytes ${start}-${end}/${file.size}`);
  else res.setHeader("Digest", `sha-256=${file.sha256}`);
  res.setHeader("Cache-Control", CACHE_CONTROL);
  res.setHeader("Accept-Ranges", "bytes");
  const sandbox = activeContentPolicy(file.contentType);
  if (sandbox !== undefined) res.setHeader("Content-Security-Policy", sandbox);

  if (cutAfter !== undefined) {
    // An injected fault: the headers and the first bytes go out, then the connection is cut.
    const bytes =
      req.method === "HEAD" ? new Uint8Array(0) : files.read(file.uuid)?.subarray(start, start + Math.min(cutAfter, length));
    if (bytes === undefined) throw errors.fileNotFound(file.uuid);
    Object.assign(facts(res), { bytesOut: bytes.byteLength, errorCode: "InjectedFault", aborted: true });
    res.write(bytes, () => res.destroy());
    return;
  }
  if (req.method === "HEAD" || length === 0) {
    facts(res).bytesOut = 0;
    res.end();
    return;
  }
  facts(res).bytesOut = length;
  if (file.size <= STREAM_THRESHOLD) {
    const { bytes, release } = files.lend(file);
    // 'finish': the socket has written the last byte, so the buffer can be reused.
    // (A response that fails never finishes; its buffer is left to the GC.)
    res.end(range.kind === "single" ? bytes.subarray(start, end + 1) : bytes, release);
    return;
  }
  // Memory: the stored buffers themselves go to the socket, no copy.
  const buffers = files.buffersOf(file, start, end);
  if (buffers !== null) return sendBuffers(res, buffers);
  // The stream holds the blob open: a concurrent delete does not cut it short.
  const stream = files.openStream(file, start, end);
  stream.on("error", () => res.destroy());
  res.on("close", () => stream.destroy());
  stream.pipe(res);
}

/** How many bytes are handed to the socket before waiting for it to drain. */
const WRITE_BATCH = 1024 * 1024;

/**
 * Writes buffers that never change, then ends the response. Each batch of up
 * to 1 MiB is one corked write (one writev), and the next waits for 'drain':
 * a slow client holds no more than a batch in the socket's queue. Nothing is
 * copied, and a delete meanwhile changes nothing: the buffers stay as they are.
 */
function sendBuffers(res: ServerResponse, buffers: readonly Uint8Array[]): void {
  if (buffers.length === 1 && buffers[0]!.byteLength <= WRITE_BATCH) {
    res.end(buffers[0]);
    return;
  }
  let next = 0; // the next buffer to write
  let offset = 0; // how much of it is written
  const pump = () => {
    if (res.destroyed) return;
    res.cork();
    let batch = 0;
    let more = true;
    while (next < buffers.length && batch < WRITE_BATCH) {
      const buffer = buffers[next]!;
      const piece = buffer.subarray(offset, offset + WRITE_BATCH - batch);
      more = res.write(piece);
      batch += piece.byteLength;
      offset += piece.byteLength;
      if (offset === buffer.byteLength) [next, offset] = [next + 1, 0];
    }
    if (next === buffers.length) res.end();
    else if (more) setImmediate(pump);
    else res.once("drain", pump);
    res.uncork();
  };
  pump();
}
