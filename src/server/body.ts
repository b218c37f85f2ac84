// Reading a request body chunk by chunk into a writer, with an idle timeout:
// the upload route and the admin routes' seed and JSON bodies share it.
import type { IncomingMessage } from "node:http";
// node:timers' own binding: a test's fake timers (vi.useFakeTimers) must not abort a real upload.
import { clearTimeout, setTimeout } from "node:timers";
import { errors } from "../errors.js";

/**
 * Feeds the body to `write`. Writes are synchronous, so plain 'data' events
 * need no backpressure; unlike `for await`, a failed write does not destroy
 * the socket, so a 413/507 can still be answered.
 */
export function readBody(req: IncomingMessage, idleMs: number, write: (chunk: Uint8Array) => void): Promise<void> {
  return new Promise((resolve, reject) => {
    // A client that stops sending would otherwise hold its connection (and bytes) forever.
    const idle = idleMs > 0 ? setTimeout(() => finish(errors.uploadTimedOut(idleMs)), idleMs) : undefined;
    const finish = (error?: unknown) => {
      clearTimeout(idle);
      req.off("data", onData).off("end", onEnd).off("close", onClose).off("error", onClose);
      if (error === undefined) resolve();
      else reject(error);
    };
    const onData = (chunk: Buffer) => {
      idle?.refresh();
      try {
        write(chunk);
      } catch (error) {
        finish(error);
      }
    };
    // Bytes after the body that do not parse as a request make Node answer 400 and destroy the
    // socket before 'end' is emitted: the client reads an error, so nothing may be stored.
    const onEnd = () => finish(req.socket.destroyed ? errors.uploadAborted() : undefined);
    // The socket closed before the body ended (client abort, reset).
    const onClose = () => finish(errors.uploadAborted());
    // finish() removes every listener, so plain `on` does (no once wrappers).
    req.on("data", onData).on("end", onEnd).on("close", onClose).on("error", onClose);
  });
}
