// Reading a Blob: as a write's source (blobSource), and synchronously
// (readBlobSync). Node's Blob has only asynchronous readers,
// but the emulator's inspection API is synchronous (`bytes(id)`, `text(id)`,
// a record's `sha256`, `snapshot()`). Memory mode keeps the Blob a
// `ctx.storage.store()` was given as the file's bytes (no copy: bench/LIMITS.md
// measures a kept copy as the cost of a store), so the first synchronous read
// of such a file goes through here: a helper thread reads the Blob while this
// thread waits on an Atomics flag, then the bytes arrive through
// receiveMessageOnPort. Asynchronous readers (serving, getMetadata) read the
// Blob themselves and never come here.
//
// The thread is started on first use (~30-70 ms), unref'd, and shared by every
// emulator in the process: it keeps no state between reads (each read brings
// its Blob and its own reply port), so sharing it shares nothing.
import { MessageChannel, receiveMessageOnPort, Worker } from "node:worker_threads";
import { errors } from "../errors.js";
import type { BytePump } from "./types.js";

// Below this, reading a Blob whole is faster than streaming it; above, streaming keeps one copy.
const WHOLE_BLOB_MAX = 1024 * 1024;

/** A Blob's bytes as a write's source, for a store that does not keep the Blob itself (persist, a sha256 to check). */
export async function blobSource(blob: Blob): Promise<Uint8Array | BytePump> {
  if (blob.size <= WHOLE_BLOB_MAX) return new Uint8Array(await blob.arrayBuffer());
  return async (write) => {
    for await (const chunk of blob.stream()) write(chunk);
  };
}

// CommonJS, evaluated by the Worker: no file to resolve next to dist/.
const READER_SOURCE = `
const { parentPort } = require("node:worker_threads");
parentPort.on("message", async ({ blob, done, port }) => {
  try {
    const bytes = await blob.arrayBuffer();
    port.postMessage({ bytes }, [bytes]);
  } catch (error) {
    port.postMessage({ error: String(error) });
  }
  Atomics.store(done, 0, 1);
  Atomics.notify(done, 0);
});`;

/** How long a read may take before it is reported as failed (a Blob in memory reads in well under a second). */
const READ_TIMEOUT_MS = 60_000;

let reader: Worker | undefined;

function readerThread(): Worker {
  if (reader === undefined) {
    const thread = new Worker(READER_SOURCE, { eval: true });
    thread.unref();
    // A thread that died is replaced at the next read.
    const forget = () => {
      if (reader === thread) reader = undefined;
    };
    thread.once("error", forget);
    thread.once("exit", forget);
    reader = thread;
  }
  return reader;
}

/** A Blob's bytes, read synchronously (blocks this thread until they are read). */
export function readBlobSync(blob: Blob): Uint8Array<ArrayBuffer> {
  if (blob.size === 0) return new Uint8Array(0);
  const done = new Int32Array(new SharedArrayBuffer(4));
  const { port1, port2 } = new MessageChannel();
  try {
    readerThread().postMessage({ blob, done, port: port2 }, [port2]);
    const waited = Atomics.wait(done, 0, 0, READ_TIMEOUT_MS);
    const reply = receiveMessageOnPort(port1)?.message as { bytes?: ArrayBuffer; error?: string } | undefined;
    if (reply?.bytes !== undefined) return new Uint8Array(reply.bytes);
    throw errors.internal(`could not read a stored Blob synchronously (${reply?.error ?? waited})`);
  } finally {
    port1.close();
  }
}
