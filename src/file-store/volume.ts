// Where the bytes live: a blob per file in an fs (a memfs volume in memory,
// a directory with `persist`), named by the file's UUID. It knows paths and
// bytes, not which files exist: the FileStore's index says that.
//   <root>/partial/<uuid>       a blob being written (persist)
//   <root>/blobs/<uuid>         a published blob
//   <root>/meta/<uuid>.json     its metadata record (persist): the commit point
import type { Readable } from "node:stream";
import { errors } from "../errors.js";
import { publishDurable, recoverDurableFiles } from "./durable.js";
import type { StoreLocation } from "./location.js";
import type { BlobFs, StoredFile } from "./types.js";
import { BlobWriter, unlinkIfPresent } from "./writer.js";

export class BlobVolume {
  /** In memory mode clear() swaps in a fresh fs; a swapped-out one must not stay reachable from here. */
  #fs: BlobFs;
  readonly #fresh: (() => BlobFs) | undefined;
  readonly root: string;
  readonly durable: boolean;

  constructor(location: StoreLocation) {
    this.#fs = location.fs;
    this.#fresh = location.freshFs;
    this.root = location.root;
    this.durable = location.durable;
    this.#makeDirs();
  }

  /** The files a previous run published (persist), dropping what a crash left behind. */
  recover(): StoredFile[] {
    return this.durable ? recoverDurableFiles(this.#fs, this.root) : [];
  }

  /**
   * A writer for a new blob. In memory it is written in place: until its
   * record is published nobody can see it. With persist it goes under
   * partial/ first, so a crash never leaves a half blob in blobs/.
   */
  writer(uuid: string, options: { sizeHint?: number | undefined; hash: boolean }): BlobWriter {
    const path = this.durable ? this.#path("partial", uuid) : this.#blobPath(uuid);
    return new BlobWriter(this.#fs, path, { ...options, durable: this.durable });
  }

  /** Makes a finished blob the file's bytes (persist: moves it into blobs/ and commits its record). */
  publish(file: StoredFile, blob: BlobWriter): void {
    if (this.durable) publishDurable(blob.fs, this.root, file, blob.path);
  }

  /** Copies a file's bytes into `target` at `offset` (one copy, no temporary buffer). */
  readInto(file: StoredFile, target: Uint8Array, offset: number): void {
    if (file.size === 0) return;
    const fd = this.#fs.openSync(this.#blobPath(file.uuid), "r");
    try {
      for (let done = 0; done < file.size; ) {
        const n = this.#fs.readSync(fd, target, offset + done, file.size - done, done);
        if (n === 0) throw errors.internal(`file ${file.uuid} is shorter than its metadata says`);
        done += n;
      }
    } finally {
      this.#fs.closeSync(fd);
    }
  }

  /** Bytes `start..end` (inclusive). The blob is opened now, so removing it meanwhile does not cut the stream. */
  openStream(uuid: string, start: number, end: number): Readable {
    const fd = this.#fs.openSync(this.#blobPath(uuid), "r");
    // 1 MiB chunks: each chunk costs a read call and a stream turn, so fewer is faster.
    return this.#fs.createReadStream("", { fd, start, end, autoClose: true, highWaterMark: 1024 * 1024 });
  }

  /** Removes a file's record (persist) and blob. */
  remove(uuid: string): void {
    if (this.durable) this.#fs.unlinkSync(this.#path("meta", `${uuid}.json`));
    this.#fs.unlinkSync(this.#blobPath(uuid));
  }

  /** Removes every blob and record. */
  clear(): void {
    if (this.#fresh) {
      // Memory: drop the whole volume at once (O(1), and every byte is freed with it).
      this.#fs = this.#fresh();
      this.#makeDirs();
      return;
    }
    // File by file: (memfs's rm drops names but keeps their bytes; unlink frees them).
    for (const dir of ["blobs", "meta"]) {
      this.#fs.mkdirSync(this.#path(dir), { recursive: true });
      for (const name of this.#fs.readdirSync(this.#path(dir)).map(String)) unlinkIfPresent(this.#fs, this.#path(dir, name));
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
