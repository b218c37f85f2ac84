// Where the bytes live with `persist`: a blob per file in an fs (a directory
// on disk; memfs in the tests that crash it at every step), named by the
// file's UUID, with a metadata record beside it so a restart finds the files
// again. It knows paths and bytes, not which files exist: the FileStore's
// index says that. Memory mode keeps bytes in memory-volume.ts.
//   <root>/partial/<uuid>       a blob being written
//   <root>/blobs/<uuid>         a published blob
//   <root>/meta/<uuid>.json     its metadata record: the commit point
import type { Writable } from "node:stream";
import { errors } from "../errors.js";
import { openDurable, publishDurable, removeDurable, replaceDurable } from "./durable.js";
import type { FsLocation } from "./location.js";
import { MAX_FILE_BYTES_CEILING } from "./record.js";
import type { BlobFs, StoredFile, Volume, VolumeWriter, VolumeWriterOptions } from "./types.js";
import { DiskWriter } from "./writer.js";

export class DiskVolume implements Volume {
  readonly #fs: BlobFs;
  readonly root: string;
  /** A blob on disk could change under a deferred hash: always hash as it is written. */
  readonly defersSha256 = false;
  /** Start-up warnings, the lock owner and how far blobs are checked. */
  readonly #durableOptions: Pick<FsLocation, "warn" | "lock" | "verifySha256">;

  constructor(location: FsLocation) {
    this.#durableOptions = { warn: location.warn, lock: location.lock, verifySha256: location.verifySha256 };
    this.#fs = location.fs;
    this.root = location.root;
    this.#makeDirs();
  }

  /** The files a previous run published, dropping what a crash left behind. */
  recover(): StoredFile[] {
    const { warn = (line: string) => console.warn(line), lock, verifySha256 = false } = this.#durableOptions;
    return openDurable(this.#fs, this.root, { warn, lock, maxSize: MAX_FILE_BYTES_CEILING, verifySha256 });
  }

  /** A writer for a new blob: under partial/ until published, so a crash never leaves a half blob in blobs/. */
  writer(uuid: string, options: VolumeWriterOptions): VolumeWriter {
    const blob = new DiskWriter(this.#fs, this.#path("partial", uuid), { hash: options.hash });
    return {
      get size() {
        return blob.size;
      },
      write: (chunk) => blob.write(chunk),
      sha256: () => blob.sha256(),
      readBack: () => blob.readBack(),
      publish: (file) => {
        blob.finish();
        publishDurable(blob.fs, this.root, file, blob.path);
      },
      abort: () => blob.abort(),
    };
  }

  /** Copies a file's first `length` bytes (default all) into `target` at `offset` (one copy, no temporary buffer). */
  readInto(file: StoredFile, target: Uint8Array, offset: number, length = file.size): void {
    const size = Math.min(length, file.size);
    if (size === 0) return;
    const fd = this.#open(file.uuid);
    try {
      for (let done = 0; done < size;) {
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

  /** Streams bytes `start..end` (inclusive) to `out`. The blob is opened now, so removing it meanwhile does not cut the stream. */
  send(file: StoredFile, start: number, end: number, out: Writable): void {
    const uuid = file.uuid;
    const fd = this.#open(uuid);
    // A blob cut short on disk would end the stream early: a short body under a full Content-Length.
    if (this.#fs.readSync(fd, new Uint8Array(1), 0, 1, end) !== 1) {
      this.#fs.closeSync(fd);
      throw errors.blobMissing(uuid);
    }
    // 1 MiB chunks: each chunk costs a read call and a stream turn, so fewer is faster.
    const stream = this.#fs.createReadStream("", { fd, start, end, autoClose: true, highWaterMark: 1024 * 1024 });
    stream.on("error", () => out.destroy());
    out.on("close", () => stream.destroy());
    stream.pipe(out);
  }

  /** Removes a file's record and blob. */
  remove(uuid: string): void {
    removeDurable(this.#fs, this.root, uuid);
  }

  /** Replaces every blob and record with these (restore), in one commit. */
  replaceAll(entries: readonly { file: StoredFile; bytes: Uint8Array }[]): void {
    replaceDurable(this.#fs, this.root, entries);
  }

  /** Removes every blob and record, in one commit. */
  clear(): void {
    replaceDurable(this.#fs, this.root, []);
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
