// The bytes and metadata of stored files. Like Miniflare's R2 gateway, bytes
// and metadata are separate: bytes are written, then the file's record is
// published (the commit point); deleting the record first makes a delete
// atomic too. This module keeps the index (which files exist), the limits and
// the write lifecycle; a Volume keeps the bytes: file-store/memory-volume.ts in
// memory, file-store/disk-volume.ts (a directory, crash-safe) with `persist`.
// Readers never learn which: its FileReader (file-store/reader.ts) answers the
// same from both.
import { errors, isStorageEmulatorError } from "./errors.js";
import { localNaming, type FileNaming } from "./file-store/naming.js";
import type { StoreLocation } from "./file-store/location.js";
import { blobSource } from "./file-store/blob-read.js";
import { ByteBudget } from "./file-store/budget.js";
import { MemoryVolume } from "./file-store/memory-volume.js";
import { ScratchBuffers } from "./file-store/scratch-buffers.js";
import type { ByteSource, StoredFile, Volume, WriteInput } from "./file-store/types.js";
import { DiskVolume } from "./file-store/disk-volume.js";
import { FileReader } from "./file-store/reader.js";
import { fileRecord } from "./file-store/writer.js";

export type { BytePump, ByteSource, FileSource, StoredFile, WriteInput } from "./file-store/types.js";
export type { FileNaming } from "./file-store/naming.js";
export { MAX_FILE_BYTES_CEILING } from "./file-store/record.js";

export interface FileStoreOptions {
  location: StoreLocation;
  now: () => number;
  newUuid: () => string;
  maxFileBytes?: number | undefined;
  maxTotalBytes?: number | undefined;
}

export class FileStore {
  readonly #o: Omit<FileStoreOptions, "location">;
  readonly #volume: Volume;
  #naming: FileNaming = localNaming;
  /** Bumped by clear(): a write begun before it must not publish after it. */
  #generation = 0;
  readonly #byUuid = new Map<string, StoredFile>();
  readonly #uuidByStorageId = new Map<string, string>();
  /** Files whose delete has begun: a second delete of the same file finds nothing. */
  readonly #removing = new Set<string>();
  readonly #scratch = new ScratchBuffers(); // the reader's (see FileReader.lend())
  readonly #budget: ByteBudget;
  #lastCreationTime = 0;
  readonly #visible = (file?: StoredFile) =>
    file !== undefined && (this.#naming.exists?.(file.storageId) ?? true) ? file : null;

  /** Reads stored files' bytes, whichever volume keeps them. */
  readonly reader: FileReader;

  constructor(options: FileStoreOptions) {
    const { location, ...rest } = options;
    this.#o = rest;
    this.#budget = new ByteBudget(rest);
    try {
      this.#volume = "memory" in location ? new MemoryVolume() : new DiskVolume(location);
      this.reader = new FileReader(this.#volume, this.#scratch, (file) => this.#byUuid.get(file.uuid) === file);
      for (const file of this.#volume.recover()) this.#index(file);
    } catch (error) {
      if ("memory" in location || isStorageEmulatorError(error)) throw error;
      // A file, an unwritable place, a path with a NUL byte: an option error, not a raw fs error.
      const reason = (error as NodeJS.ErrnoException).code ?? String(error);
      throw errors.optionInvalid(
        "persist",
        `cannot keep files in "${location.root}" (${reason}); expected a directory this process can write.`,
      );
    }
  }

  get totalBytes(): number {
    return this.#budget.committed;
  }

  get count(): number {
    return this.#byUuid.size;
  }

  /** Who names files now (see file-store/naming.ts). */
  get naming(): FileNaming {
    return this.#naming;
  }

  /** Hands naming to convex-test's documents. Only while the store is empty. */
  connect(naming: FileNaming): void {
    if (this.#naming !== localNaming) throw errors.internal("the file store is already connected");
    this.#naming = naming;
  }

  /** Takes naming back. */
  disconnect(): void {
    this.#naming = localNaming;
  }

  /** Every file, in creation order (those whose document does not exist for the caller are hidden). */
  list(): StoredFile[] {
    return [...this.#byUuid.values()].filter((file) => this.#visible(file));
  }

  byUuid(uuid: string): StoredFile | null {
    return this.#visible(this.#byUuid.get(uuid));
  }

  byStorageId(storageId: string): StoredFile | null {
    return this.#visible(this.#byUuid.get(this.#uuidByStorageId.get(storageId) ?? ""));
  }

  /**
   * Stores a file: writes and hashes the bytes as they come, checking the
   * limits on every chunk, verifies the sha256, names the file, publishes it.
   * On any failure nothing is stored and no byte stays reserved.
   */
  async write(given: ByteSource, input: WriteInput): Promise<StoredFile> {
    const { sizeHint, expectedSha256, contentType } = input;
    if (sizeHint !== undefined) this.#budget.check(0, sizeHint);
    const uuid = this.#o.newUuid();
    const generation = this.#generation;
    // Deferring needs bytes that never change (memory: the record's digest
    // reads the same buffers even after a delete or clear()) and nobody who
    // wants the digest at once.
    const deferHash =
      input.deferSha256 === true &&
      expectedSha256 === undefined &&
      this.#volume.defersSha256 &&
      !this.#naming.needsSha256;
    // A Blob's bytes are read into memory the store owns (then kept as they are): the inspection
    // API (bytes(), text(), snapshot(), a record's sha256) is synchronous; a Blob reads asynchronously.
    const source = given instanceof Blob ? await blobSource(given) : given;
    // A pump's chunks are handed over; a Uint8Array is the caller's unless it says otherwise.
    const keep = !(source instanceof Uint8Array) || input.handOver === true || given instanceof Blob;
    const writer = this.#volume.writer(uuid, { hash: !deferHash, keep });
    let reserved = 0;
    const write = (chunk: Uint8Array) => {
      this.#budget.check(writer.size, chunk.byteLength);
      this.#budget.inFlight += chunk.byteLength;
      reserved += chunk.byteLength;
      writer.write(chunk);
    };
    try {
      if (source instanceof Uint8Array) write(source);
      else await source(write);
      // Naming connected mid-write may need the digest after all: then it is read back.
      const sha256 = deferHash && !this.#naming.needsSha256 ? undefined : writer.sha256();
      if (expectedSha256 !== undefined && expectedSha256 !== sha256)
        throw errors.sha256Mismatch(expectedSha256, sha256 ?? "");
      const size = writer.size;
      const allocated = this.#naming.allocate(
        { sha256, size, contentType, bytes: () => writer.readBack() },
        this.#nextCreationTime(),
      );
      // Local naming answers at once: no extra promise turn for it.
      const name = allocated instanceof Promise ? await allocated : allocated;
      // Begun before a clear(): the emulator was reset (or restored) meanwhile.
      if (generation !== this.#generation) throw errors.resetDuringWrite();
      // Fields listed, not spread: a spread of `name` takes V8's slow path and a new hidden class.
      const file = fileRecord(
        { storageId: name.storageId, uuid, size, contentType, creationTime: name.creationTime, source: input.source },
        sha256 ?? writer,
      );
      writer.publish(file);
      this.#index(file);
      return file;
    } catch (error) {
      writer.abort();
      throw error;
    } finally {
      this.#budget.inFlight -= reserved;
    }
  }

  /** Replaces every file with these (restore): all or nothing, across a crash too with persist. */
  replaceAll(entries: readonly { file: StoredFile; bytes: Uint8Array }[]): void {
    this.#volume.replaceAll(entries);
    this.#forget();
    for (const { file } of entries) this.#index(file);
  }

  /** Removes a file and its document; false when it did not exist (or is being removed). */
  async remove(uuid: string): Promise<boolean> {
    const file = this.#byUuid.get(uuid);
    if (!file || this.#removing.has(uuid)) return false;
    this.#removing.add(uuid);
    try {
      // The document goes first: if that fails, the file stays whole.
      const released = await this.#naming.release(file.storageId);
      if (this.#byUuid.get(uuid) !== file) return false; // cleared meanwhile
      // "deferred": the removal commits with a transaction; the bytes stay until discard().
      if (released !== "deferred") this.discard(file.storageId);
      return true;
    } finally {
      this.#removing.delete(uuid);
    }
  }

  /** Removes a file whose document is gone (or never committed), without asking the naming. */
  discard(storageId: string): void {
    const file = this.#byUuid.get(this.#uuidByStorageId.get(storageId) ?? "");
    if (file === undefined) return;
    // Unpublish, then drop the bytes (a deferred sha256 hashes the file's own buffers, which stay).
    this.#byUuid.delete(file.uuid);
    this.#uuidByStorageId.delete(file.storageId);
    this.#budget.committed -= file.size;
    this.#volume.remove(file.uuid);
  }

  /** Forgets every file. */
  clear(): void {
    // The volume first: with persist, if it fails the files are all still there.
    this.#volume.clear();
    this.#forget();
  }

  /** Throws the limit error that storing files of these sizes into an empty store would raise. */
  assertFitsWhenEmpty(sizes: readonly number[]): void {
    this.#budget.assertFitsWhenEmpty(sizes);
  }

  // --- private ----------------------------------------------------------------

  #forget(): void {
    this.#generation++;
    this.#byUuid.clear();
    this.#uuidByStorageId.clear();
    this.#budget.committed = 0;
    this.#scratch.clear();
  }

  #index(file: StoredFile): void {
    this.#byUuid.set(file.uuid, file);
    this.#uuidByStorageId.set(file.storageId, file.uuid);
    this.#budget.committed += file.size;
    if (file.creationTime > this.#lastCreationTime) this.#lastCreationTime = file.creationTime;
  }

  /** Convex's _creationTime is strictly increasing; keep it so even when the injected clock stands still. */
  #nextCreationTime(): number {
    const now = this.#o.now();
    return (this.#lastCreationTime = now > this.#lastCreationTime ? now : this.#lastCreationTime + 0.001);
  }
}
