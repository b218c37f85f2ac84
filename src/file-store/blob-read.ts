// A Blob as a write's source: read whole up to 1 MiB (one arrayBuffer() call is
// faster there), streamed above (one copy of the bytes instead of two).
//
// Why the store reads a Blob rather than keeping it: the inspection API
// (bytes(), text(), image(), snapshot(), a record's sha256) is synchronous, and
// a Blob can only be read asynchronously. Keeping store()'s Blob and reading it
// synchronously on a helper thread (Atomics.wait) was built and measured
// (bench/LIMITS.md): 3-9x faster in process, but Node (20 to 26 so far) aborts
// the whole process when a worker reads a Blob with parts of an fs.openAsBlob() file.
import type { BytePump } from "./types.js";

// Below this, reading a Blob whole is faster than streaming it; above, streaming keeps one copy.
const WHOLE_BLOB_MAX = 1024 * 1024;

/** The bytes of a Blob given to store(), as a write's source (they are the store's alone: nothing else holds them). */
export async function blobSource(blob: Blob): Promise<Uint8Array | BytePump> {
  if (blob.size <= WHOLE_BLOB_MAX) return new Uint8Array(await blob.arrayBuffer());
  return async (write) => {
    for await (const chunk of blob.stream()) write(chunk);
  };
}
