// GET|HEAD /api/storage/<uuid>: a stored file with Convex's headers.
//
// Fidelity: crates/local_backend/src/storage.rs storage_get: Content-Type
// (when stored), Content-Length, Digest (full responses only), Cache-Control
// private for 30 days, Accept-Ranges bytes, no ETag; one range is a 206.
import type { IncomingMessage, ServerResponse } from "node:http";
import { errors } from "../../errors.js";
import { MAX_SCRATCH_BYTES } from "../../file-store/scratch-buffers.js";
import type { Gateway } from "../../gateway.js";
import { firstHeader, requestNotes, sendError } from "../http-util.js";
import { activeContentPolicy } from "./active-content.js";
import { readRangeHeader, resolveRange, sendRangeNotSatisfiable } from "./range.js";

const CACHE_CONTROL = "private, max-age=2592000";
// Up to 1 MiB a file goes out as one write of a copy in a reused buffer, which costs
// less CPU than handing the socket many stored buffers (bench/LIMITS.md); larger files
// are sent piece by piece (FileReader.send), so memory stays flat.
const STREAM_THRESHOLD = MAX_SCRATCH_BYTES;

export function handleServe(
  gateway: Gateway,
  req: IncomingMessage,
  res: ServerResponse,
  rawId: string,
): void | Promise<void> {
  const run = (cutAfter?: number) => {
    try {
      serve(gateway, req, res, rawId, cutAfter);
    } catch (error) {
      sendError(res, error);
    }
  };
  const fault = gateway.takeHttpFault("serve");
  if (fault === undefined) return run();
  return fault.then(({ error, abortAfterBytes }) =>
    error === undefined ? run(abortAfterBytes) : sendError(res, error),
  );
}

/** `cutAfter`: an injected fault cuts the connection after that many body bytes. */
function serve(gateway: Gateway, req: IncomingMessage, res: ServerResponse, rawId: string, cutAfter?: number): void {
  // Fidelity: storage.rs storage_get parses the path (400), then counts ranges (416), then looks the file up (404).
  const uuid = gateway.fileUuidOf(rawId);
  const header = readRangeHeader(firstHeader(req, "range"));
  if (header.kind === "notOne") return sendRangeNotSatisfiable(res);
  const file = gateway.openFile(uuid);
  requestNotes(res).storageId = file.storageId;

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
      req.method === "HEAD"
        ? new Uint8Array(0)
        : gateway.read(file)?.subarray(start, start + Math.min(cutAfter, length));
    if (bytes === undefined) throw errors.fileNotFound(file.uuid);
    Object.assign(requestNotes(res), { bytesOut: bytes.byteLength, errorCode: "InjectedFault", aborted: true });
    res.write(bytes, () => res.destroy());
    return;
  }
  if (req.method === "HEAD" || length === 0) {
    requestNotes(res).bytesOut = 0;
    res.end();
    return;
  }
  requestNotes(res).bytesOut = length;
  if (file.size <= STREAM_THRESHOLD) {
    const { bytes, release } = gateway.lend(file);
    // 'finish': the socket has written the last byte, so the buffer can be reused.
    // (A response that fails never finishes; its buffer is left to the GC.)
    res.end(range.kind === "single" ? bytes.subarray(start, end + 1) : bytes, release);
    return;
  }
  // Piece by piece; a delete meanwhile does not cut it short.
  gateway.send(file, start, end, res);
}
