// One in-progress write into the file store: bytes are written and hashed as
// they arrive, then the file gets its identity and is published, or the write
// is aborted and leaves nothing behind.
import { createHash, type Hash } from "node:crypto";
import { errors } from "./errors.js";
import type { BlobFs, BlobWriter, CommitInput, FileIdentity, StoredFile } from "./file-types.js";

/** What a writer needs from its store. */
export interface WriterHost {
  readonly durable: boolean;
  /** Counts `more` bytes against the limits (throws FileTooLarge / StorageFull). */
  reserve(already: number, more: number): void;
  release(bytes: number): void;
  identify(meta: { sha256: string; size: number; contentType: string | null }): Promise<FileIdentity>;
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
  #hash: Hash = createHash("sha256");
  #written = 0;

  /**
   * @param target where the bytes are written until published (the fs is kept: clear() may swap the store's)
   * @param sizeHint the expected size (Content-Length, Blob size): the blob is allocated at once
   */
  constructor(
    private readonly host: WriterHost,
    private readonly target: WrittenBlob,
    readonly uuid: string,
    sizeHint?: number,
  ) {
    const { fs, path } = target;
    this.#fd = fs.openSync(path, "w");
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
    this.#hash.update(chunk);
    this.#written += chunk.byteLength;
  }

  async commit(input: CommitInput): Promise<StoredFile> {
    const sha256 = this.#hash.digest("base64");
    if (input.expectedSha256 !== undefined && input.expectedSha256 !== sha256) {
      this.abort();
      throw errors.sha256Mismatch(input.expectedSha256, sha256);
    }
    let identity: FileIdentity;
    try {
      identity = await this.host.identify({ sha256, size: this.#written, contentType: input.contentType });
    } catch (error) {
      this.abort();
      throw error;
    }
    return this.publishAs(
      Object.freeze({
        storageId: identity.storageId,
        uuid: this.uuid,
        size: this.#written,
        sha256,
        contentType: input.contentType,
        creationTime: identity.creationTime,
        source: input.source,
      }),
    );
  }

  publishAs(file: StoredFile): StoredFile {
    const fd = this.#open();
    try {
      // A size hint larger than what arrived leaves zeros past the end: cut them.
      this.target.fs.ftruncateSync(fd, this.#written);
      if (this.host.durable) this.target.fs.fsyncSync(fd);
      this.target.fs.closeSync(fd);
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

/** unlink, where a missing file is fine. (Not rmSync: memfs's rm leaks the file's bytes.) */
export function unlinkIfPresent(fs: BlobFs, path: string): void {
  try {
    fs.unlinkSync(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error;
  }
}
