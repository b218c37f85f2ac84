// The shapes the file store deals in: stored files, the volumes that keep
// their bytes (and the fs a disk volume writes to), and the hooks around a write.
import type { Readable, Writable } from "node:stream";

/** Where a stored file came from. */
export type FileSource = "upload" | "store" | "seed";

/** What the emulator knows about one stored file. */
export interface StoredFile {
  /** The `_storage` document id (`Id<"_storage">`). */
  readonly storageId: string;
  /** The file's UUID: its URL path and legacy storage id. */
  readonly uuid: string;
  readonly size: number;
  /** SHA-256 of the bytes, base64 (as in `_storage` documents). */
  readonly sha256: string;
  readonly contentType: string | null;
  /** Milliseconds since the epoch, from the emulator's clock. */
  readonly creationTime: number;
  readonly source: FileSource;
}

/** The fs calls the store needs; memfs's Volume and node:fs both provide them. */
export interface BlobFs {
  openSync(path: string, flags: string): number;
  closeSync(fd: number): void;
  writeSync(fd: number, buffer: Uint8Array, offset: number, length: number, position: number): number;
  readSync(fd: number, buffer: Uint8Array, offset: number, length: number, position: number): number;
  fsyncSync(fd: number): void;
  renameSync(from: string, to: string): void;
  unlinkSync(path: string): void;
  mkdirSync(path: string, options: { recursive: true }): unknown;
  readdirSync(path: string): unknown[];
  readFileSync(path: string, encoding: "utf8"): string | Buffer;
  writeFileSync(path: string, data: string): void;
  rmSync(path: string, options: { recursive: true; force: true }): void;
  createReadStream(
    path: string,
    options: { fd: number; start: number; end: number; autoClose: true; highWaterMark: number },
  ): Readable;
}

/** What a write stores besides the bytes. */
export interface WriteInput {
  contentType: string | null;
  source: FileSource;
  /** Base64 SHA-256 the bytes must have; on mismatch nothing is stored. */
  expectedSha256?: string | undefined;
  /** The expected size (a Content-Length, a Blob's size): over maxFileBytes it fails before any byte is read. */
  sizeHint?: number | undefined;
  /** Hash when the sha256 is first read rather than while writing, where the store allows it. */
  deferSha256?: boolean | undefined;
  /**
   * The caller hands a Uint8Array source over: it never changes it again, so the store may keep
   * it as the file's bytes instead of copying (a pump's chunks are always handed over).
   */
  handOver?: boolean | undefined;
}

/**
 * Bytes to store: whole, a Blob (read into memory the store owns), or a pump that hands chunks to `write` as they arrive
 * and resolves at the end (rejecting aborts the write). `write` throws when a
 * limit is crossed; the pump must then stop and reject with that error. A
 * chunk handed to `write` is the store's from then on (memory mode keeps it
 * as it is): the pump must not reuse or change it. Node's request chunks and
 * a Blob stream's are fresh each time.
 */
export type ByteSource = Uint8Array | BytePump | Blob;
export type BytePump = (write: (chunk: Uint8Array) => void) => Promise<void>;

/** Where a store keeps its files' bytes: memory-volume.ts (memory mode) or volume.ts (an fs, for `persist`). */
export interface Volume {
  /** A published file's bytes never change, so its sha256 may be computed when first read. */
  readonly defersSha256: boolean;
  /** The files a previous run published (persist); [] in memory. */
  recover(): StoredFile[];
  /** A writer for a new file's bytes; nothing is visible until `publish`. */
  writer(uuid: string, options: VolumeWriterOptions): VolumeWriter;
  /** Copies a file's first `length` bytes (default all) into `target` at `offset`. */
  readInto(file: StoredFile, target: Uint8Array, offset: number, length?: number): void;
  /**
   * Bytes `start..end` (inclusive) as the stored buffers themselves, without a copy, when the
   * volume holds them in memory (never change them); null when they must be read (a disk).
   */
  buffersOf(file: StoredFile, start: number, end: number): readonly Uint8Array[] | null;
  /** Writes bytes `start..end` (inclusive) to `out` and ends it (FileReader.send); removing the file meanwhile does not cut it short. */
  send(file: StoredFile, start: number, end: number, out: Writable): void;
  /** Removes a published file's bytes. */
  remove(uuid: string): void;
  /** Replaces every file's bytes with these (restore); with persist, one commit for all. */
  replaceAll(entries: readonly { file: StoredFile; bytes: Uint8Array }[]): void;
  /** Removes every file's bytes. */
  clear(): void;
}

export interface VolumeWriterOptions {
  /** Hash while writing; false leaves the digest to whoever first reads it. */
  hash: boolean;
  /** The chunks handed to write() may be kept as they are (else memory copies them). */
  keep: boolean;
}

/** One file being written. */
export interface VolumeWriter {
  /** Bytes written so far. */
  readonly size: number;
  write(chunk: Uint8Array): void;
  /** The SHA-256 (base64): from the running hash, or from the bytes written. */
  sha256(): string;
  /** A copy of the bytes written so far. */
  readBack(): Uint8Array;
  /** Makes the written bytes `file`'s: from here on the volume serves them. */
  publish(file: StoredFile): void;
  /** Drops what was written. Safe at any point, more than once. */
  abort(): void;
}
