// Writes a file's stored buffers (memory mode) to a stream without copying them.
import type { Writable } from "node:stream";

/** How many bytes are handed to the stream before waiting for it to drain. */
const WRITE_BATCH = 1024 * 1024;

/**
 * Writes buffers that never change, then ends `out`. Each batch of up to 1 MiB
 * is one corked write (one writev), and the next waits for 'drain': a slow
 * reader holds no more than a batch in the stream's queue. A delete meanwhile
 * changes nothing: the buffers stay as they are.
 */
export function writeBuffers(out: Writable, buffers: readonly Uint8Array[]): void {
  if (buffers.length === 1 && buffers[0]!.byteLength <= WRITE_BATCH) {
    out.end(buffers[0]);
    return;
  }
  let next = 0; // the next buffer to write
  let offset = 0; // how much of it is written
  const pump = () => {
    if (out.destroyed) return;
    out.cork();
    let batch = 0;
    let more = true;
    while (next < buffers.length && batch < WRITE_BATCH) {
      const buffer = buffers[next]!;
      const piece = buffer.subarray(offset, offset + WRITE_BATCH - batch);
      more = out.write(piece);
      batch += piece.byteLength;
      offset += piece.byteLength;
      if (offset === buffer.byteLength) [next, offset] = [next + 1, 0];
    }
    if (next === buffers.length) out.end();
    else if (more) setImmediate(pump);
    else out.once("drain", pump);
    out.uncork();
  };
  pump();
}
