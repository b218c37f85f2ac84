// Reading stored files' bytes, whichever volume keeps them: the one place that
// knows memory hands out its buffers (views, no copy) and disk must be read.
import type { Writable } from "node:stream";
import type { ScratchBuffers } from "./scratch-buffers.js";
import type { StoredFile, Volume } from "./types.js";

export class FileReader {
  readonly #volume: Volume;
  readonly #scratch: ScratchBuffers;
  /** Whether `file` is still the stored one (not removed or replaced since). */
  readonly #isStored: (file: StoredFile) => boolean;

  constructor(volume: Volume, scratch: ScratchBuffers, isStored: (file: StoredFile) => boolean) {
    this.#volume = volume;
    this.#scratch = scratch;
    this.#isStored = isStored;
  }

  /** A copy of the content, or of its first `upTo` bytes; null when the file is no longer stored. */
  read(file: StoredFile, upTo = Infinity): Uint8Array<ArrayBuffer> | null {
    if (!this.#isStored(file)) return null;
    const out = new Uint8Array(Math.min(file.size, upTo));
    this.readInto(file, out, 0, out.byteLength);
    return out;
  }

  /** The first `length` bytes, for a look that is over at once (never change them): views of the stored bytes where possible. */
  head(file: StoredFile, length: number): Uint8Array {
    const size = Math.min(length, file.size);
    const buffers = size === 0 ? null : this.#volume.buffersOf(file, 0, size - 1);
    if (buffers === null) return this.read(file, size) ?? new Uint8Array(0);
    return buffers.length === 1 ? buffers[0]! : Buffer.concat(buffers, size);
  }

  /** The content as a Blob of `type` (Node's Blob copies what it is built from: one copy). */
  toBlob(file: StoredFile, type: string): Blob {
    const buffers = this.#volume.buffersOf(file, 0, file.size - 1);
    if (buffers !== null) return new Blob(buffers as Uint8Array<ArrayBuffer>[], { type });
    // On disk: read into a reused buffer, which the Blob's own copy frees at once.
    const { bytes, release } = this.lend(file);
    try {
      return new Blob([bytes], { type });
    } finally {
      release();
    }
  }

  /** A file's bytes in a reused buffer, for a copy consumed at once; `release()` when done with it. */
  lend(file: StoredFile): { bytes: Uint8Array<ArrayBuffer>; release: () => void } {
    return this.#scratch.lend(file.size, (buffer) => this.readInto(file, buffer, 0));
  }

  /** Copies a file's first `length` bytes (default all) into `target` at `offset` (one copy, no temporary buffer). */
  readInto(file: StoredFile, target: Uint8Array, offset: number, length?: number): void {
    this.#volume.readInto(file, target, offset, length);
  }

  /**
   * Writes bytes `start..end` (inclusive) to `out` and ends it, minding backpressure, with no second
   * copy of the range in memory; a remove meanwhile does not cut it short, a read error destroys `out`.
   */
  send(file: StoredFile, start: number, end: number, out: Writable): void {
    this.#volume.send(file, start, end, out);
  }
}
