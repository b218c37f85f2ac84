// One in-progress write into the file store: bytes are written (and hashed)
// as they arrive, then the file gets its identity and is published, or the
// write is aborted and leaves nothing behind.
import { createHash, type Hash } from "node:crypto";
import { errors } from "./errors.js";
import type { BlobFs, BlobWriter, CommitInput, FileIdentity, StoredFile } from "./file-types.js";

/** What a writer needs from its store. */
export interface WriterHost {
  readonly durable: boolean;
  /** The sha256 is needed at commit (a metadata file, a `_storage` document), so it cannot wait. */
  readonly needsSha256AtCommit: boolean;
  /** Counts `more` bytes against the limits (throws FileTooLarge / StorageFull). */
  reserve(already: number, more: number): void;
  release(bytes: number): void;
  identify(meta: { sha256: string | undefined; size: number; contentType: string | null }): Promise<FileIdentity>;
  /** Makes the written blob the file's bytes and indexes the file. */
  publish(file: StoredFile, written: WrittenBlob): void;
}

/** Where a writer put the bytes, and in which generation of the store (clear() starts a new one). */
export interface WrittenBlob {
  readonly fs: BlobFs;
  readonly path: string;
  readonly generation: number;
}

export class Writer implements BlobWriter {
  #fd: number | null;
  /** null: hashing is deferred until someone reads the file's sha256. */
  #hash: Hash | null;
  #written = 0;

  /**
   * @param target where the bytes are written until published (the fs is kept: clear() may swap the store's)
   * @param sizeHint the expected size (Content-Length, Blob size): the blob is allocated at once
   * @param deferHash hash when `sha256` is first read rather than while writing (see fileRecord)
   */
  constructor(
    private readonly host: WriterHost,
    private readonly target: WrittenBlob,
    readonly uuid: string,
    sizeHint?: number,
    deferHash = false,
  ) {
    const { fs, path } = target;
    this.#hash = deferHash ? null : createHash("sha256");
    // Read-write: a deferred or checked sha256 reads the bytes back through it.
    this.#fd = fs.openSync(path, "w+");
    // memfs grows a file by doubling and copying; sizing it up front keeps one
    // copy of the bytes (a 1 GiB upload peaks at 1 GiB, not 1.5).
    if (!host.durable && sizeHint !== undefined && sizeHint > 0) fs.ftruncateSync(this.#fd, sizeHint);
  }

  get bytesWritten(): number {
    return this.#written;
  }

  write(chunk: Uint8Array): void {
    const fd = this.#open();
    this.host.reserve(this.#written, chunk.byteLength);
    let done = 0;
    while (done < chunk.byteLength) {
      done += this.target.fs.writeSync(fd, chunk, done, chunk.byteLength - done, this.#written + done);
    }
    this.#hash?.update(chunk);
    this.#written += chunk.byteLength;
  }

  async commit(input: CommitInput): Promise<StoredFile> {
    const { expectedSha256 } = input;
    let sha256 = this.#hash?.digest("base64");
    if (sha256 === undefined && (expectedSha256 !== undefined || this.host.needsSha256AtCommit)) {
      sha256 = hashWritten(this.target.fs, this.#open(), this.#written);
    }
    if (expectedSha256 !== undefined && expectedSha256 !== sha256) {
      this.abort();
      throw errors.sha256Mismatch(expectedSha256, sha256 ?? "");
    }
    let identity: FileIdentity;
    try {
      identity = await this.host.identify({ sha256, size: this.#written, contentType: input.contentType });
    } catch (error) {
      this.abort();
      throw error;
    }
    const { fs, path } = this.target;
    const size = this.#written;
    return this.publishAs(
      fileRecord(
        {
          storageId: identity.storageId,
          uuid: this.uuid,
          size,
          contentType: input.contentType,
          creationTime: identity.creationTime,
          source: input.source,
        },
        sha256 ?? (() => hashPublished(fs, path, size)),
      ),
    );
  }

  publishAs(file: StoredFile): StoredFile {
    const fd = this.#open();
    const { fs } = this.target;
    try {
      // A size hint larger than what arrived leaves zeros past the end: cut them.
      fs.ftruncateSync(fd, this.#written);
      if (this.host.durable) fs.fsyncSync(fd);
      fs.closeSync(fd);
      this.#fd = null;
      this.host.publish(file, this.target);
    } catch (error) {
      this.abort();
      throw error;
    }
    this.host.release(this.#written);
    return file;
  }

  abort(): void {
    if (this.#fd !== null) {
      this.target.fs.closeSync(this.#fd);
      this.#fd = null;
    }
    unlinkIfPresent(this.target.fs, this.target.path);
    this.host.release(this.#written);
    this.#written = 0;
  }

  #open(): number {
    if (this.#fd === null) throw errors.internal(`write ${this.uuid} was already finished`);
    return this.#fd;
  }
}

/**
 * A file record. With `sha256` a function, the digest is computed the first
 * time it is read and kept: a test that only stores and reads bytes never
 * pays for hashing (~0.75 ms per MiB). The record still looks like plain data:
 * the accessor is an own enumerable property, so JSON, spreads and toEqual see
 * a string. Only memory mode defers; the function reads the published blob,
 * so the store settles `sha256` before it unlinks one (delete), and clear()
 * leaves the old volume to the records still pointing into it.
 */
export function fileRecord(fields: Omit<StoredFile, "sha256">, sha256: string | (() => string)): StoredFile {
  const { storageId, uuid, size, contentType, creationTime, source } = fields;
  if (typeof sha256 === "string") {
    return Object.freeze({ storageId, uuid, size, sha256, contentType, creationTime, source });
  }
  let digest: string | undefined;
  const record = { storageId, uuid, size } as StoredFile;
  Object.defineProperty(record, "sha256", { enumerable: true, get: () => (digest ??= sha256()) });
  return Object.freeze(Object.assign(record, { contentType, creationTime, source }));
}

/** SHA-256 (base64) of a published blob. */
function hashPublished(fs: BlobFs, path: string, size: number): string {
  const fd = fs.openSync(path, "r");
  try {
    return hashWritten(fs, fd, size);
  } finally {
    fs.closeSync(fd);
  }
}

/** SHA-256 (base64) of the first `size` bytes behind `fd`, read 1 MiB at a time. */
function hashWritten(fs: BlobFs, fd: number, size: number): string {
  const hash = createHash("sha256");
  const chunk = new Uint8Array(Math.min(size, 1024 * 1024));
  for (let done = 0; done < size; ) {
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
