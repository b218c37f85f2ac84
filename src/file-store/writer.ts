// One blob being written: bytes go to a file in the store's fs as they
// arrive and are hashed on the way (unless hashing is deferred). It knows
// nothing of limits, names or publishing: FileStore.write() does those.
import { createHash, type Hash } from "node:crypto";
import { errors } from "../errors.js";
import type { BlobFs, FileSource, StoredFile } from "./types.js";

export interface DiskWriterOptions {
  /** Hash while writing; false leaves the digest to whoever first reads it. */
  hash: boolean;
}

export class DiskWriter {
  #fd: number | null;
  /** null: hashing is deferred. */
  readonly #hash: Hash | null;
  #size = 0;

  constructor(
    readonly fs: BlobFs,
    readonly path: string,
    options: DiskWriterOptions,
  ) {
    this.#hash = options.hash ? createHash("sha256") : null;
    // Read-write: a deferred but checked sha256 reads the bytes back through it.
    this.#fd = fs.openSync(path, "w+");
  }

  /** Bytes written so far. */
  get size(): number {
    return this.#size;
  }

  write(chunk: Uint8Array): void {
    const fd = this.#open();
    for (let done = 0; done < chunk.byteLength;) {
      done += this.fs.writeSync(fd, chunk, done, chunk.byteLength - done, this.#size + done);
    }
    this.#hash?.update(chunk);
    this.#size += chunk.byteLength;
  }

  /** The SHA-256 (base64): from the running hash, or by reading the bytes back when it was deferred. */
  sha256(): string {
    return this.#hash?.digest("base64") ?? hashBlob(this.fs, this.#open(), this.#size);
  }

  /** The bytes written so far, read back. */
  readBack(): Uint8Array {
    const fd = this.#open();
    const out = new Uint8Array(this.#size);
    for (let done = 0; done < out.byteLength;) done += this.fs.readSync(fd, out, done, out.byteLength - done, done);
    return out;
  }

  /** Flushes to disk and closes. The blob stays where it is. */
  finish(): void {
    const fd = this.#open();
    this.fs.fsyncSync(fd);
    this.fs.closeSync(fd);
    this.#fd = null;
  }

  /** Closes and removes the blob. Safe to call at any point, more than once. */
  abort(): void {
    if (this.#fd !== null) {
      this.fs.closeSync(this.#fd);
      this.#fd = null;
    }
    unlinkIfPresent(this.fs, this.path);
  }

  #open(): number {
    if (this.#fd === null) throw errors.internal("a blob's write was already finished");
    return this.#fd;
  }
}

/**
 * A file record. With `sha256` a DigestSource, the digest is computed the first
 * time it is read and kept: a test that only stores and reads bytes never
 * pays for hashing. The record still looks like plain data:
 * `sha256` is an own enumerable accessor, so JSON, spreads and toEqual see a
 * string. Only memory mode defers: the source hashes the file's bytes,
 * which never change, so it stays right after a delete or clear().
 */
export function fileRecord(fields: Omit<StoredFile, "sha256">, sha256: string | DigestSource): StoredFile {
  const { storageId, uuid, size, contentType, creationTime, source } = fields;
  if (typeof sha256 === "string")
    return Object.freeze({ storageId, uuid, size, sha256, contentType, creationTime, source });
  return new DeferredDigestRecord(fields, sha256);
}

/** What computes a deferred digest: the file's writer (it hashes the bytes it kept). */
export interface DigestSource {
  sha256(): string;
}

// One accessor shared by every record (an object-literal getter is a new function and accessor pair per record).
const SHA256_ACCESSOR: PropertyDescriptor = {
  enumerable: true,
  get(this: DeferredDigestRecord): string {
    return DeferredDigestRecord.digest(this);
  },
};

class DeferredDigestRecord implements StoredFile {
  // Declared, not class fields: the constructor sets them in StoredFile's key order (sha256 4th).
  declare readonly storageId: string;
  declare readonly uuid: string;
  declare readonly size: number;
  declare readonly sha256: string;
  declare readonly contentType: string | null;
  declare readonly creationTime: number;
  declare readonly source: FileSource;
  #digest: string | DigestSource;

  constructor(fields: Omit<StoredFile, "sha256">, digest: DigestSource) {
    Object.assign(this, { storageId: fields.storageId, uuid: fields.uuid, size: fields.size });
    Object.defineProperty(this, "sha256", SHA256_ACCESSOR);
    Object.assign(this, { contentType: fields.contentType, creationTime: fields.creationTime, source: fields.source });
    this.#digest = digest;
    Object.freeze(this);
  }

  static digest(record: DeferredDigestRecord): string {
    const digest = record.#digest;
    return typeof digest === "string" ? digest : (record.#digest = digest.sha256());
  }
}

/** SHA-256 (base64) of a published blob. */
export function hashPublished(fs: BlobFs, path: string, size: number): string {
  const fd = fs.openSync(path, "r");
  try {
    return hashBlob(fs, fd, size);
  } finally {
    fs.closeSync(fd);
  }
}

/** SHA-256 (base64) of the first `size` bytes behind `fd`, read 1 MiB at a time. */
function hashBlob(fs: BlobFs, fd: number, size: number): string {
  const hash = createHash("sha256");
  const chunk = new Uint8Array(Math.min(size, 1024 * 1024));
  for (let done = 0; done < size;) {
    const n = fs.readSync(fd, chunk, 0, Math.min(chunk.byteLength, size - done), done);
    if (n === 0) throw errors.internal("a blob is shorter than its size");
    hash.update(n === chunk.byteLength ? chunk : chunk.subarray(0, n));
    done += n;
  }
  return hash.digest("base64");
}

/** unlink, where a missing file is fine. (Not rmSync: memfs's rm leaks the file's bytes.) */
export function unlinkIfPresent(fs: BlobFs, path: string): void {
  try {
    fs.unlinkSync(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error;
  }
}
