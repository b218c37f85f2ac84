// Memory mode's bytes: each file's bytes once, as the buffers they arrived
// in (an upload's socket chunks, a store()'s ArrayBuffer), never changed
// after they are written. Nothing is copied to publish, serve or delete them:
// serving writes these buffers (or slices of them) to the socket, and a
// stream, a Blob or a deferred sha256 begun before a delete or clear() keeps
// reading the same immutable buffers. Memory grows with the bytes received,
// never with a declared length, and nothing is concatenated at the end.

import { createHash, type Hash } from "node:crypto";
import type { Writable } from "node:stream";
import { errors } from "../errors.js";
import type { StoredFile, Volume, VolumeWriter, VolumeWriterOptions } from "./types.js";
import { writeBuffers } from "./write-buffers.js";

/** Chunks under this size are small: runs of them are merged, so a trickled body is not kept as thousands of tiny buffers. */
const SMALL_CHUNK = 16 * 1024;
/** How many small chunks in a row are merged into one. */
const SMALL_RUN = 64;

export class MemoryVolume implements Volume {
  readonly defersSha256 = true;
  #buffers = new Map<string, readonly Uint8Array[]>();

  recover(): StoredFile[] {
    return [];
  }

  writer(_uuid: string, options: VolumeWriterOptions): VolumeWriter {
    return new MemoryWriter(options, (file, buffers) => this.#buffers.set(file.uuid, buffers));
  }

  readInto(file: StoredFile, target: Uint8Array, offset: number, length = file.size): void {
    let at = offset;
    const end = offset + Math.min(length, file.size);
    for (const buffer of this.#stored(file)) {
      if (at === end) break;
      const piece = buffer.byteLength <= end - at ? buffer : buffer.subarray(0, end - at);
      target.set(piece, at);
      at += piece.byteLength;
    }
  }

  buffersOf(file: StoredFile, start: number, end: number): readonly Uint8Array[] {
    const buffers = this.#stored(file);
    if (start === 0 && end === file.size - 1) return buffers;
    const out: Uint8Array[] = [];
    let at = 0; // offset of `buffer` in the file
    for (const buffer of buffers) {
      const next = at + buffer.byteLength;
      if (next > start && at <= end)
        out.push(buffer.subarray(Math.max(start - at, 0), Math.min(end + 1 - at, buffer.byteLength)));
      at = next;
      if (at > end) break;
    }
    return out;
  }

  send(file: StoredFile, start: number, end: number, out: Writable): void {
    writeBuffers(out, this.buffersOf(file, start, end));
  }

  remove(uuid: string): void {
    this.#buffers.delete(uuid);
  }

  replaceAll(entries: readonly { file: StoredFile; bytes: Uint8Array }[]): void {
    // Copies: a snapshot's bytes are the caller's.
    const next = new Map(entries.map(({ file, bytes }) => [file.uuid, [Buffer.from(bytes)]]));
    this.#buffers = next;
  }

  clear(): void {
    this.#buffers = new Map();
  }

  #stored(file: StoredFile): readonly Uint8Array[] {
    const buffers = this.#buffers.get(file.uuid);
    if (buffers === undefined) throw errors.internal(`no bytes for file ${file.uuid}`);
    return buffers;
  }
}

class MemoryWriter implements VolumeWriter {
  #buffers: Uint8Array[] = [];
  #size = 0;
  /** null: hashing is deferred to sha256(). */
  readonly #hash: Hash | null;
  #digest: string | undefined;
  readonly #keep: boolean;
  /** Small chunks at the end of #buffers. */
  #smallRun = 0;
  readonly #publish: (file: StoredFile, buffers: readonly Uint8Array[]) => void;

  constructor(options: VolumeWriterOptions, publish: (file: StoredFile, buffers: readonly Uint8Array[]) => void) {
    this.#hash = options.hash ? createHash("sha256") : null;
    this.#keep = options.keep;
    this.#publish = publish;
  }

  get size(): number {
    return this.#size;
  }

  write(chunk: Uint8Array): void {
    if (chunk.byteLength === 0) return;
    this.#hash?.update(chunk);
    // A caller's buffer it may still change is copied; a handed-over one is kept as it is.
    this.#buffers.push(this.#keep ? chunk : Buffer.from(chunk));
    this.#size += chunk.byteLength;
    this.#smallRun = chunk.byteLength < SMALL_CHUNK ? this.#smallRun + 1 : 0;
    if (this.#smallRun === SMALL_RUN) {
      const run = this.#buffers.splice(-SMALL_RUN);
      this.#buffers.push(Buffer.concat(run));
      this.#smallRun = this.#buffers.at(-1)!.byteLength < SMALL_CHUNK ? 1 : 0;
    }
  }

  sha256(): string {
    if (this.#digest === undefined) {
      const hash = this.#hash ?? this.#buffers.reduce((h, buffer) => h.update(buffer), createHash("sha256"));
      this.#digest = hash.digest("base64");
    }
    return this.#digest;
  }

  readBack(): Uint8Array {
    return Buffer.concat(this.#buffers, this.#size);
  }

  publish(file: StoredFile): void {
    this.#publish(file, this.#buffers);
  }

  abort(): void {
    this.#buffers = [];
  }
}
