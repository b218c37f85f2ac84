// The bytes and metadata of stored files.
//
// Like Miniflare's R2 gateway, bytes and metadata are separate: a blob is
// written, then its metadata record is published. Publishing the record is
// the commit point; a blob without a record is garbage. Deleting the record
// first makes a delete atomic too. With `persist` a blob is written under
// partial/ and renamed into blobs/ before its record (a JSON file beside it)
// is renamed into meta/, so a crash never leaves a half file listed.
//
// The same code serves memory (a memfs Volume) and `persist` (the real fs in
// a directory): both speak the small synchronous fs subset of BlobFs.
import type { Readable } from "node:stream";
import { Writer, unlinkIfPresent, type WrittenBlob, type WriterHost } from "./blob-writer.js";
import { errors } from "./errors.js";
import type { BlobFs, BlobWriter, CommitInput, DocumentSink, FileIdentity, StoredFile } from "./file-types.js";
import { publishDurable, recoverDurableFiles } from "./durable.js";
import { ScratchBuffers } from "./scratch-buffers.js";

export type { BlobFs, BlobWriter, CommitInput, DocumentSink, FileIdentity, FileSource, StoredFile } from "./file-types.js";

export interface FileStoreOptions {
  fs: BlobFs;
  /** Memory mode: a fresh, empty fs, so that clear() is O(1) and frees every byte at once. */
  freshFs?: (() => BlobFs) | undefined;
  /** Root directory inside `fs`. */
  root: string;
  now: () => number;
  newStorageId: () => string;
  newUuid: () => string;
  /** Write a metadata file beside each blob, so a restart finds the files again. */
  durable: boolean;
  maxFileBytes?: number | undefined;
  maxTotalBytes?: number | undefined;
}

export class FileStore implements WriterHost {
  /** The options, less `fs`: a swapped-out volume must not stay reachable from here. */
  readonly #o: Omit<FileStoreOptions, "fs">;
  /** The fs blobs live in; in memory mode clear() swaps in a fresh one. */
  #fs: BlobFs;
  /** Bumped by clear(): a write begun before it must not publish after it. */
  #generation = 0;
  readonly #byUuid = new Map<string, StoredFile>();
  readonly #uuidByStorageId = new Map<string, string>();
  readonly #scratch = new ScratchBuffers();
  #committedBytes = 0;
  #inFlightBytes = 0;
  #lastCreationTime = 0;
  /** Set while connected to convex-test: it owns the `_storage` documents. */
  documents: DocumentSink | undefined;

  constructor(options: FileStoreOptions) {
    const { fs, ...rest } = options;
    this.#o = rest;
    this.#fs = fs;
    try {
      this.#makeDirs();
      if (options.durable) this.#load();
    } catch (error) {
      if (!options.durable) throw error;
      // A file, an unwritable place, a path with a NUL byte: an option error, not a raw fs error.
      const reason = (error as NodeJS.ErrnoException).code ?? String(error);
      throw errors.optionInvalid("persist", `cannot keep files in "${options.root}" (${reason}); expected a directory this process can write.`);
    }
  }

  get totalBytes(): number {
    return this.#committedBytes;
  }

  get count(): number {
    return this.#byUuid.size;
  }

  /** Every file, in creation order. */
  list(): StoredFile[] {
    return [...this.#byUuid.values()];
  }

  byUuid(uuid: string): StoredFile | null {
    return this.#byUuid.get(uuid) ?? null;
  }

  byStorageId(storageId: string): StoredFile | null {
    const uuid = this.#uuidByStorageId.get(storageId);
    return uuid === undefined ? null : (this.#byUuid.get(uuid) ?? null);
  }

  get durable(): boolean {
    return this.#o.durable;
  }

  /**
   * Whether a write must hash at commit. Deferring needs the bytes to outlive
   * clear() (memory mode swaps volumes instead of unlinking) and nothing that
   * wants the digest at once: durable metadata, convex-test's `_storage` documents.
   */
  get needsSha256AtCommit(): boolean {
    return this.#o.freshFs === undefined || this.documents !== undefined;
  }

  /**
   * Starts a write. `sizeHint` (e.g. Content-Length) fails fast when over maxFileBytes.
   * `hash: "when-read"` defers the sha256 until something reads it, where the store allows.
   */
  begin(sizeHint?: number, hash: "while-writing" | "when-read" = "while-writing"): BlobWriter {
    if (sizeHint !== undefined) this.#checkLimits(0, sizeHint);
    return this.#writer(this.#o.newUuid(), sizeHint, hash === "when-read" && !this.needsSha256AtCommit);
  }

  #writer(uuid: string, sizeHint?: number, deferHash = false): Writer {
    // In memory a blob is written in place: until its record is published nobody can see it.
    // With persist it goes under partial/ first, so a crash never leaves a half blob in blobs/.
    const path = this.#o.durable ? this.#path("partial", uuid) : this.#blobPath(uuid);
    return new Writer(this, { fs: this.#fs, path, generation: this.#generation }, uuid, sizeHint, deferHash);
  }

  /** Stores whole bytes in one call; the sha256 is computed when first read (unless checked now). */
  put(bytes: Uint8Array, input: CommitInput): Promise<StoredFile> {
    const writer = this.begin(bytes.byteLength, input.expectedSha256 === undefined ? "when-read" : "while-writing");
    try {
      writer.write(bytes);
    } catch (error) {
      writer.abort();
      throw error;
    }
    return writer.commit(input);
  }

  /** The whole content, or null when the file does not exist. */
  read(uuid: string): Uint8Array<ArrayBuffer> | null {
    const file = this.#byUuid.get(uuid);
    if (!file) return null;
    const out = new Uint8Array(file.size);
    this.readInto(file, out, 0);
    return out;
  }

  /**
   * A file's bytes in a reused buffer, for a copy that is consumed at once (a
   * Blob, a socket write). Call `release()` once nothing reads `bytes` any more.
   */
  lend(file: StoredFile): { bytes: Uint8Array<ArrayBuffer>; release: () => void } {
    const buffer = this.#scratch.take(file.size);
    try {
      this.readInto(file, buffer, 0);
    } catch (error) {
      this.#scratch.give(buffer);
      throw error;
    }
    return { bytes: buffer.subarray(0, file.size), release: () => this.#scratch.give(buffer) };
  }

  /** Copies a file's bytes into `target` at `offset` (one copy, no temporary buffer). */
  readInto(file: StoredFile, target: Uint8Array, offset: number): void {
    if (file.size === 0) return;
    const fd = this.#fs.openSync(this.#blobPath(file.uuid), "r");
    try {
      let done = 0;
      while (done < file.size) {
        const n = this.#fs.readSync(fd, target, offset + done, file.size - done, done);
        if (n === 0) throw errors.internal(`blob ${file.uuid} is shorter than its metadata says`);
        done += n;
      }
    } finally {
      this.#fs.closeSync(fd);
    }
  }

  /**
   * A stream of bytes `start..end` (inclusive), for serving. The blob is
   * opened now, so deleting the file while it streams does not cut it short.
   */
  openStream(uuid: string, start: number, end: number): Readable {
    const fd = this.#fs.openSync(this.#blobPath(uuid), "r");
    // 1 MiB chunks: each chunk costs a read call and a stream turn, so fewer is faster.
    return this.#fs.createReadStream("", { fd, start, end, autoClose: true, highWaterMark: 1024 * 1024 });
  }

  /** Removes a file and its document; false when it did not exist. */
  async remove(uuid: string): Promise<boolean> {
    const file = this.#byUuid.get(uuid);
    if (!file) return false;
    await this.documents?.remove(file.storageId);
    return this.delete(uuid);
  }

  /** Removes a file's bytes and metadata (not an outside document); false when it did not exist. */
  delete(uuid: string): boolean {
    const file = this.#byUuid.get(uuid);
    if (!file) return false;
    // A deferred sha256 reads the blob unlinked below: settle it while the bytes are there.
    void file.sha256;
    // Unpublish first: from here on the file does not exist for anyone.
    this.#byUuid.delete(uuid);
    this.#uuidByStorageId.delete(file.storageId);
    this.#committedBytes -= file.size;
    if (this.#o.durable) this.#fs.unlinkSync(this.#metaPath(uuid));
    this.#fs.unlinkSync(this.#blobPath(uuid));
    return true;
  }

  /** Forgets every file. */
  clear(): void {
    this.#generation++;
    this.#byUuid.clear();
    this.#uuidByStorageId.clear();
    this.#committedBytes = 0;
    this.#scratch.clear();
    if (this.#o.freshFs) {
      // Memory: drop the whole volume at once (O(1), and every byte is freed with it).
      this.#fs = this.#o.freshFs();
      this.#makeDirs();
      return;
    }
    // File by file: (memfs's rm drops names but keeps their bytes; unlink frees them).
    for (const dir of ["blobs", "meta"]) {
      this.#fs.mkdirSync(this.#path(dir), { recursive: true });
      for (const name of this.#fs.readdirSync(this.#path(dir)).map(String)) unlinkIfPresent(this.#fs, this.#path(dir, name));
    }
  }

  /** Throws the limit error that storing files of these sizes into an empty store would raise. */
  assertFitsWhenEmpty(sizes: readonly number[]): void {
    const { maxFileBytes, maxTotalBytes } = this.#o;
    let total = 0;
    for (const size of sizes) {
      if (maxFileBytes !== undefined && size > maxFileBytes) throw errors.fileTooLarge(maxFileBytes);
      total += size;
    }
    if (maxTotalBytes !== undefined && total > maxTotalBytes) throw errors.storageFull(maxTotalBytes);
  }

  /** Publishes a file with given metadata (used by restore). */
  putExact(bytes: Uint8Array, file: StoredFile): void {
    const writer = this.#writer(file.uuid, bytes.byteLength);
    writer.write(bytes);
    writer.publishAs(file);
  }

  // --- used by Writer -------------------------------------------------------

  /** @internal */
  reserve(already: number, more: number): void {
    this.#checkLimits(already, more);
    this.#inFlightBytes += more;
  }

  /** @internal */
  release(bytes: number): void {
    this.#inFlightBytes -= bytes;
  }

  /** @internal */
  async identify(meta: { sha256: string | undefined; size: number; contentType: string | null }): Promise<FileIdentity> {
    if (this.documents) {
      const { sha256 } = meta;
      // needsSha256AtCommit made the writer hash; a sink connected mid-write is too late to defer for.
      if (sha256 === undefined) throw errors.internal("a _storage document needs the file's sha256");
      return this.documents.allocate({ ...meta, sha256 });
    }
    // Convex's _creationTime is strictly increasing; keep it so even when the
    // injected clock stands still.
    const now = this.#o.now();
    const creationTime = now > this.#lastCreationTime ? now : this.#lastCreationTime + 0.001;
    this.#lastCreationTime = creationTime;
    return { storageId: this.#o.newStorageId(), creationTime };
  }

  /** @internal */
  publish(file: StoredFile, written: WrittenBlob): void {
    // Begun before a clear(): the emulator was reset (or restored) meanwhile.
    if (written.generation !== this.#generation) throw errors.resetDuringWrite();
    if (this.#o.durable) publishDurable(written.fs, this.#o.root, file, written.path);
    this.#index(file);
  }

  // --- private ----------------------------------------------------------------

  #index(file: StoredFile): void {
    this.#byUuid.set(file.uuid, file);
    this.#uuidByStorageId.set(file.storageId, file.uuid);
    this.#committedBytes += file.size;
    if (file.creationTime > this.#lastCreationTime) this.#lastCreationTime = file.creationTime;
  }

  #checkLimits(alreadyWritten: number, more: number): void {
    const { maxFileBytes, maxTotalBytes } = this.#o;
    if (maxFileBytes !== undefined && alreadyWritten + more > maxFileBytes) {
      throw errors.fileTooLarge(maxFileBytes);
    }
    if (maxTotalBytes !== undefined && this.#committedBytes + this.#inFlightBytes + more > maxTotalBytes) {
      throw errors.storageFull(maxTotalBytes);
    }
  }

  /** Reloads a durable store: published files only; partial writes and orphan blobs are dropped. */
  #load(): void {
    for (const file of recoverDurableFiles(this.#fs, this.#o.root)) this.#index(file);
  }

  #makeDirs(): void {
    for (const dir of ["blobs", "partial", "meta"]) this.#fs.mkdirSync(this.#path(dir), { recursive: true });
  }

  #path(...parts: string[]): string {
    return [this.#o.root, ...parts].join("/");
  }

  #blobPath(uuid: string): string {
    return this.#path("blobs", uuid);
  }

  #metaPath(uuid: string): string {
    return this.#path("meta", `${uuid}.json`);
  }
}
