// The bytes and metadata of stored files.
//
// Like Miniflare's R2 gateway, bytes and metadata are separate: a blob is
// written under a partial name, renamed into place, and only then is its
// metadata record published. Publishing the record is the commit point; a
// blob without a record is garbage. Deleting the record first makes a delete
// atomic too.
//
// The same code serves memory (a memfs Volume) and `persist` (the real fs in
// a directory): both speak the small synchronous fs subset below.
import { createHash, type Hash } from "node:crypto";
import type { Readable } from "node:stream";
import { errors } from "./errors.js";
import { isUuid } from "./ids.js";

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
  createReadStream(path: string, options: { fd: number; start: number; end: number; autoClose: true }): Readable;
}

export interface FileStoreOptions {
  fs: BlobFs;
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

export class FileStore {
  readonly #o: FileStoreOptions;
  readonly #byUuid = new Map<string, StoredFile>();
  readonly #uuidByStorageId = new Map<string, string>();
  #committedBytes = 0;
  #inFlightBytes = 0;
  #lastCreationTime = 0;
  /** Set while connected to convex-test: it owns the `_storage` documents. */
  documents: DocumentSink | undefined;

  constructor(options: FileStoreOptions) {
    this.#o = options;
    try {
      for (const dir of ["blobs", "partial", "meta"]) options.fs.mkdirSync(this.#path(dir), { recursive: true });
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

  /** Starts a write. `sizeHint` (e.g. Content-Length) fails fast when over maxFileBytes. */
  begin(sizeHint?: number): BlobWriter {
    if (sizeHint !== undefined) this.#checkLimits(0, sizeHint);
    return new Writer(this, this.#o, this.#o.newUuid());
  }

  /** Stores whole bytes in one call. */
  put(bytes: Uint8Array, input: CommitInput): Promise<StoredFile> {
    const writer = this.begin(bytes.byteLength);
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

  /** Copies a file's bytes into `target` at `offset` (one copy, no temporary buffer). */
  readInto(file: StoredFile, target: Uint8Array, offset: number): void {
    if (file.size === 0) return;
    const fd = this.#o.fs.openSync(this.#blobPath(file.uuid), "r");
    try {
      let done = 0;
      while (done < file.size) {
        const n = this.#o.fs.readSync(fd, target, offset + done, file.size - done, done);
        if (n === 0) throw errors.internal(`blob ${file.uuid} is shorter than its metadata says`);
        done += n;
      }
    } finally {
      this.#o.fs.closeSync(fd);
    }
  }

  /**
   * A stream of bytes `start..end` (inclusive), for serving. The blob is
   * opened now, so deleting the file while it streams does not cut it short.
   */
  openStream(uuid: string, start: number, end: number): Readable {
    const fd = this.#o.fs.openSync(this.#blobPath(uuid), "r");
    return this.#o.fs.createReadStream("", { fd, start, end, autoClose: true });
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
    // Unpublish first: from here on the file does not exist for anyone.
    this.#byUuid.delete(uuid);
    this.#uuidByStorageId.delete(file.storageId);
    this.#committedBytes -= file.size;
    if (this.#o.durable) this.#o.fs.unlinkSync(this.#metaPath(uuid));
    this.#o.fs.unlinkSync(this.#blobPath(uuid));
    return true;
  }

  /** Forgets every file. */
  clear(): void {
    this.#byUuid.clear();
    this.#uuidByStorageId.clear();
    this.#committedBytes = 0;
    // File by file: memfs's rm drops names but keeps their inodes (and bytes) forever; unlink frees them.
    for (const dir of ["blobs", "meta"]) {
      this.#o.fs.mkdirSync(this.#path(dir), { recursive: true });
      for (const name of this.#o.fs.readdirSync(this.#path(dir)).map(String)) unlinkIfPresent(this.#o.fs, this.#path(dir, name));
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
    const writer = new Writer(this, this.#o, file.uuid);
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
  async identify(meta: { sha256: string; size: number; contentType: string | null }): Promise<FileIdentity> {
    if (this.documents) return this.documents.allocate(meta);
    // Convex's _creationTime is strictly increasing; keep it so even when the
    // injected clock stands still.
    const now = this.#o.now();
    const creationTime = now > this.#lastCreationTime ? now : this.#lastCreationTime + 0.001;
    this.#lastCreationTime = creationTime;
    return { storageId: this.#o.newStorageId(), creationTime };
  }

  /** @internal */
  publish(file: StoredFile, partialPath: string): void {
    const { fs } = this.#o;
    fs.renameSync(partialPath, this.#blobPath(file.uuid));
    if (this.#o.durable) {
      const tmp = this.#path("partial", `${file.uuid}.json`);
      fs.writeFileSync(tmp, JSON.stringify(file));
      fs.renameSync(tmp, this.#metaPath(file.uuid));
    }
    this.#index(file);
  }

  /** @internal */
  partialPath(uuid: string): string {
    return this.#path("partial", uuid);
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

  /** Reloads a durable store: published files only; partial writes are dropped. */
  #load(): void {
    const { fs } = this.#o;
    fs.rmSync(this.#path("partial"), { recursive: true, force: true });
    fs.mkdirSync(this.#path("partial"), { recursive: true });
    const files: StoredFile[] = [];
    for (const name of fs.readdirSync(this.#path("meta")).map(String)) {
      if (!name.endsWith(".json")) continue;
      try {
        const file = JSON.parse(String(fs.readFileSync(this.#path("meta", name), "utf8"))) as StoredFile;
        if (isUuid(file.uuid) && `${file.uuid}.json` === name) files.push(Object.freeze(file));
      } catch {
        // A metadata file that does not parse was never published.
      }
    }
    files.sort((a, b) => a.creationTime - b.creationTime);
    for (const file of files) this.#index(file);
    // Blobs whose metadata never got written are garbage from a crash.
    for (const name of fs.readdirSync(this.#path("blobs")).map(String)) {
      if (!this.#byUuid.has(name)) fs.unlinkSync(this.#path("blobs", name));
    }
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

class Writer implements BlobWriter {
  #fd: number | null;
  #hash: Hash = createHash("sha256");
  #written = 0;
  readonly #partial: string;

  constructor(
    private readonly store: FileStore,
    private readonly options: FileStoreOptions,
    readonly uuid: string,
  ) {
    this.#partial = store.partialPath(uuid);
    this.#fd = options.fs.openSync(this.#partial, "w");
  }

  get bytesWritten(): number {
    return this.#written;
  }

  write(chunk: Uint8Array): void {
    const fd = this.#open();
    this.store.reserve(this.#written, chunk.byteLength);
    let done = 0;
    while (done < chunk.byteLength) {
      done += this.options.fs.writeSync(fd, chunk, done, chunk.byteLength - done, this.#written + done);
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
      identity = await this.store.identify({ sha256, size: this.#written, contentType: input.contentType });
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
      if (this.options.durable) this.options.fs.fsyncSync(fd);
      this.options.fs.closeSync(fd);
      this.#fd = null;
      this.store.publish(file, this.#partial);
    } catch (error) {
      this.abort();
      throw error;
    }
    this.store.release(this.#written);
    return file;
  }

  abort(): void {
    if (this.#fd !== null) {
      this.options.fs.closeSync(this.#fd);
      this.#fd = null;
    }
    unlinkIfPresent(this.options.fs, this.#partial);
    this.store.release(this.#written);
    this.#written = 0;
  }

  #open(): number {
    if (this.#fd === null) throw errors.internal(`write ${this.uuid} was already finished`);
    return this.#fd;
  }
}

/** unlink, where a missing file is fine. (Not rmSync: memfs's rm leaks the file's bytes.) */
function unlinkIfPresent(fs: BlobFs, path: string): void {
  try {
    fs.unlinkSync(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error;
  }
}
