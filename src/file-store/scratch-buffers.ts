// Reusable buffers for copies that are consumed at once: a file's bytes on
// their way onto a socket (serving files up to 1 MiB, memory mode included)
// or, with `persist`, into a Blob (ctx.storage.get).
//
// Why: a fresh buffer of 64 KiB or more is new memory from the OS, and
// touching it costs a page fault per 4 KiB (bench/LIMITS.md has the numbers).
// Buffers are kept per power-of-two size class, a few per class, so what stays
// allocated is bounded (at most 4 x (16 KiB + 32 KiB + ... + 1 MiB) < 8 MiB).

/** Smaller copies come from Node's own buffer pool (Buffer.allocUnsafe). */
const MIN_CLASS = 16 * 1024;
/** Larger files are streamed, not copied whole. */
export const MAX_SCRATCH_BYTES = 1024 * 1024;
const KEPT_PER_CLASS = 4;

export class ScratchBuffers {
  readonly #free = new Map<number, Buffer<ArrayBuffer>[]>();

  /** A buffer of at least `size` bytes with arbitrary contents: overwrite before use. */
  take(size: number): Buffer<ArrayBuffer> {
    if (size < MIN_CLASS || size > MAX_SCRATCH_BYTES) return Buffer.allocUnsafe(size);
    const capacity = classOf(size);
    // allocUnsafeSlow: its own memory, never a slice of Node's shared pool.
    return this.#free.get(capacity)?.pop() ?? Buffer.allocUnsafeSlow(capacity);
  }

  /** Returns a buffer from take() once nothing reads it any more. */
  give(buffer: Buffer<ArrayBuffer>): void {
    const capacity = buffer.byteLength;
    if (capacity < MIN_CLASS || capacity > MAX_SCRATCH_BYTES || capacity !== classOf(capacity)) return;
    let free = this.#free.get(capacity);
    if (free === undefined) this.#free.set(capacity, (free = []));
    if (free.length < KEPT_PER_CLASS) free.push(buffer);
  }

  /** `size` bytes that `fill` writes into a taken buffer; `release()` gives it back once nothing reads them. */
  lend(size: number, fill: (buffer: Buffer<ArrayBuffer>) => void): { bytes: Buffer<ArrayBuffer>; release: () => void } {
    const buffer = this.take(size);
    try {
      fill(buffer);
    } catch (error) {
      this.give(buffer);
      throw error;
    }
    return { bytes: buffer.subarray(0, size), release: () => this.give(buffer) };
  }

  /** Drops every kept buffer (the memory goes back with the next GC). */
  clear(): void {
    this.#free.clear();
  }
}

function classOf(size: number): number {
  let capacity = MIN_CLASS;
  while (capacity < size) capacity *= 2;
  return capacity;
}
