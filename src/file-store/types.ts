// The shapes the file store deals in: stored files, the fs it writes to, and
// the hooks around a write.
import type { Readable } from "node:stream";

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
  ftruncateSync(fd: number, len: number): void;
  fsyncSync(fd: number): void;
  renameSync(from: string, to: string): void;
  unlinkSync(path: string): void;
  mkdirSync(path: string, options: { recursive: true }): unknown;
  readdirSync(path: string): unknown[];
  readFileSync(path: string, encoding: "utf8"): string | Buffer;
  writeFileSync(path: string, data: string): void;
  rmSync(path: string, options: { recursive: true; force: true }): void;
  createReadStream(path: string, options: { fd: number; start: number; end: number; autoClose: true; highWaterMark: number }): Readable;
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
}

/**
 * Bytes to store: whole, or a pump that hands chunks to `write` as they arrive
 * and resolves at the end (rejecting aborts the write). `write` throws when a
 * limit is crossed; the pump must then stop and reject with that error.
 */
export type ByteSource = Uint8Array | BytePump;
export type BytePump = (write: (chunk: Uint8Array) => void) => Promise<void>;
