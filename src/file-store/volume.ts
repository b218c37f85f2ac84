// Where the bytes live with `persist`: a blob per file in an fs (a directory
// on disk; memfs in the tests that crash it at every step), named by the
// file's UUID. It knows paths and bytes, not which files exist: the
// FileStore's index says that. Memory mode keeps bytes in memory-volume.ts.
//   <root>/partial/<uuid>       a blob being written (persist)
//   <root>/blobs/<uuid>         a published blob
//   <root>/meta/<uuid>.json     its metadata record (persist): the commit point
import type { Readable } from "node:stream";
import { errors } from "../errors.js";
import { openDurable, publishDurable, removeDurable, replaceDurable } from "./durable.js";
import type { FsLocation } from "./location.js";
import { MAX_FILE_BYTES_CEILING } from "./record.js";
import type { BlobFs, StoredFile, Volume, VolumeWriter, VolumeWriterOptions } from "./types.js";
import { BlobWriter, unlinkIfPresent } from "./writer.js";

export class BlobVolume implements Volume {
  readonly #fs: BlobFs;
  readonly root: string;
  readonly durable: boolean;
  /** A blob on disk could change under a deferred hash: always hash as it is written. */
  readonly defersSha256 = false;
  /** Persist: start-up warnings, the lock owner and how far blobs are checked. */
  readonly #durableOptions: Pick<FsLocation, "warn" | "lock" | "verifySha256">;

  constructor(location: FsLocation) {
    this.#durableOptions = { warn: location.warn, lock: location.lock, verifySha256: location.verifySha256 };
    this.#fs = location.fs;
    this.root = location.root;
    this.durable = location.durable;
    this.#makeDirs();
  }

  /** The files a previous run published (persist), dropping what a crash left behind. */
  recover(): StoredFile[] {
    if (!this.durable) return [];
    const { warn = (line: string) => console.warn(line), lock, verifySha256 = false } = this.#durableOptions;
    return openDurable(this.#fs, this.root, { warn, lock, maxSize: MAX_FILE_BYTES_CEILING, verifySha256 });
  }

  /**
   * A writer for a new blob. Not durable, it is written in place: until its
   * record is published nobody can see it. With persist it goes under
   * partial/ first, so a crash never leaves a half blob in blobs/.
   */
  writer(uuid: string, options: VolumeWriterOptions): VolumeWriter {
    const path = this.durable ? this.#path("partial", uuid) : this.#blobPath(uuid);
    const blob = new BlobWriter(this.#fs, path, { sizeHint: options.sizeHint, hash: options.hash, durable: this.durable });
    return {
      get size() {
        return blob.size;
      },
      write: (chunk) => blob.write(chunk),
      sha256: () => blob.sha256(),
      readBack: () => blob.readBack(),
      publish: (file) => {
        blob.finish();
        this.publish(file, blob);
      },
      abort: () => blob.abort(),
    };
  }

  /** Makes a finished blob the file's bytes (persist: moves it into blobs/ and commits its record). */
  publish(file: StoredFile, blob: BlobWriter): void {
    if (this.durable) publishDurable(blob.fs, this.root, file, blob.path);
  }

  /** Copies a file's first `length` bytes (default all) into `target` at `offset` (one copy, no temporary buffer). */
  readInto(file: StoredFile, target: Uint8Array, offset: number, length = file.size): void {
    const size = Math.min(length, file.size);
    if (size === 0) return;
    const fd = this.#open(file.uuid);
    try {
      for (let done = 0; done < size; ) {
        const n = this.#fs.readSync(fd, target, offset + done, size - done, done);
        if (n === 0) throw errors.blobMissing(file.uuid);
        done += n;
      }
    } finally {
      this.#fs.closeSync(fd);
    }
  }

  /** On disk the bytes must be read: never in memory. */
  buffersOf(): null {
    return null;
  }

  /** Bytes `start..end` (inclusive). The blob is opened now, so removing it meanwhile does not cut the stream. */
  openStream(file: StoredFile, start: number, end: number): Readable {
    const uuid = file.uuid;
    const fd = this.#open(uuid);
    // A blob cut short on disk would end the stream early: a short body under a full Content-Length.
    if (this.#fs.readSync(fd, new Uint8Array(1), 0, 1, end) !== 1) {
      this.#fs.closeSync(fd);
      throw errors.blobMissing(uuid);
    }
    // 1 MiB chunks: each chunk costs a read call and a stream turn, so fewer is faster.
    return this.#fs.createReadStream("", { fd, start, end, autoClose: true, highWaterMark: 1024 * 1024 });
  }

  /** Removes a file's record (persist) and blob. */
  remove(uuid: string): void {
    if (this.durable) removeDurable(this.#fs, this.root, uuid);
    else this.#fs.unlinkSync(this.#blobPath(uuid));
  }

  /** Replaces every blob and record with these (restore): with persist, one commit for all. */
  replaceAll(entries: readonly { file: StoredFile; bytes: Uint8Array }[]): void {
    if (this.durable) return replaceDurable(this.#fs, this.root, entries);
    this.clear();
    for (const { file, bytes } of entries) {
      const blob = this.writer(file.uuid, { hash: false, sizeHint: bytes.byteLength, keep: false });
      blob.write(bytes);
      blob.publish(file);
    }
  }

  /** Removes every blob and record. */
  clear(): void {
    if (this.durable) return replaceDurable(this.#fs, this.root, []);
    // File by file: (memfs's rm drops names but keeps their bytes; unlink frees them).
    for (const name of this.#fs.readdirSync(this.#path("blobs")).map(String)) unlinkIfPresent(this.#fs, this.#path("blobs", name));
  }

  /** Opens a published blob; a missing one is a pinned error that names no path. */
  #open(uuid: string): number {
    try {
      return this.#fs.openSync(this.#blobPath(uuid), "r");
    } catch {
      throw errors.blobMissing(uuid);
    }
  }

  #makeDirs(): void {
    for (const dir of ["blobs", "partial", "meta"]) this.#fs.mkdirSync(this.#path(dir), { recursive: true });
  }

  #path(...parts: string[]): string {
    return [this.root, ...parts].join("/");
  }

  #blobPath(uuid: string): string {
    return this.#path("blobs", uuid);
  }
}
