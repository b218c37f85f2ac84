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


/** The identity a new file gets: its `_storage` id and creation time. */
export interface FileIdentity {
  storageId: string;
  creationTime: number;
}

/**
 * Where `_storage` documents live when something other than the emulator
 * owns them (convex-test's database, when connected). The document is
 * created before the bytes are published, and removed before they are.
 */
export interface DocumentSink {
  allocate(meta: { sha256: string; size: number; contentType: string | null }): Promise<FileIdentity>;
  remove(storageId: string): Promise<void>;
}

export interface CommitInput {
  contentType: string | null;
  source: FileSource;
  /** Base64 SHA-256 the bytes must have; on mismatch nothing is stored. */
  expectedSha256?: string | undefined;
}

/** An in-progress write. Call `commit()` or `abort()` exactly once. */
export interface BlobWriter {
  readonly uuid: string;
  readonly bytesWritten: number;
  write(chunk: Uint8Array): void;
  /** Verifies the sha256, gets the file its identity, publishes it. On any failure nothing is stored. */
  commit(input: CommitInput): Promise<StoredFile>;
  abort(): void;
}
