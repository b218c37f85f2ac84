import { randomBytes } from "node:crypto";
import { readdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { Writable } from "node:stream";
import { describe, expect, it, vi } from "vitest";
import { createStorageEmulator } from "../src/index.js";
import { FileStore, type BytePump, type StoredFile, type WriteInput } from "../src/file-store.js";
import { Volume } from "memfs";
import { MEMORY } from "../src/file-store/location.js";
import type { BlobFs } from "../src/file-store/types.js";
import { cleanupAfterEach } from "./support/cleanup.js";
import { fixtures } from "./support/fixtures.js";
import { prng, retainedArrayBuffers } from "./reliability/helpers.js";

const { tempDir } = cleanupAfterEach();

type Kind = "memory" | "memfs";

/**
 * A store in memory mode (as createStorageEmulator() makes it), or on a memfs volume in the
 * persist layout (the disk volume, without a disk). `leftovers()` lists the blobs and partial
 * files the memfs one holds (memory mode has no files to leave behind).
 */
function setup(limits: { maxFileBytes?: number; maxTotalBytes?: number } = {}, kind: Kind = "memory") {
  let n = 0;
  const fs = new Volume() as unknown as BlobFs;
  const store = new FileStore({
    location: kind === "memory" ? MEMORY : { fs, root: "/store" },
    now: () => 1000,
    newUuid: () => `00000000-0000-4000-8000-${String(++n).padStart(12, "0")}`,
    ...limits,
  });
  const put = (bytes: Uint8Array, input: Partial<WriteInput> = {}) =>
    store.write(bytes, { contentType: null, source: "store", deferSha256: true, ...input });
  const leftovers = () =>
    kind === "memory"
      ? []
      : ["partial", "blobs"].flatMap((dir) => fs.readdirSync(`/store/${dir}`).map((name) => `${dir}/${String(name)}`));
  return { store, put, leftovers };
}

const MiB = 1024 * 1024;

/** What `store.reader.send()` writes for bytes start..end: the chunks themselves (views, never copies, as a socket gets them). */
function sent(store: FileStore, file: StoredFile, start = 0, end = file.size - 1): Promise<Uint8Array[]> {
  const chunks: Uint8Array[] = [];
  const out = new Writable({
    write(chunk: Uint8Array, _encoding, done) {
      chunks.push(chunk);
      done();
    },
  });
  return new Promise((resolve, reject) => {
    out.on("finish", () => resolve(chunks)).on("error", reject);
    store.reader.send(file, start, end, out);
  });
}

/** Whether `chunk` is a view of the same memory as `stored` (same ArrayBuffer and offset). */
const sameMemory = (chunk: Uint8Array, stored: Uint8Array) =>
  chunk.buffer === stored.buffer && chunk.byteOffset === stored.byteOffset;

/** A pump handing over `bytes` in chunks of `size` (fresh buffers, as a socket's are). */
function chunksOf(bytes: Uint8Array, size: number): BytePump {
  return async (write) => {
    for (let at = 0; at < bytes.byteLength; at += size) write(Uint8Array.prototype.slice.call(bytes, at, at + size));
  };
}

/** A body that arrives chunk by chunk, as the test hands it over. */
function slowBody() {
  let write!: (chunk: Uint8Array) => void;
  let end!: () => void;
  let fail!: (error: Error) => void;
  let source!: BytePump;
  const started = new Promise<void>((resolve) => {
    source = (w) => {
      write = w;
      resolve();
      return new Promise<void>((done, rejected) => ((end = done), (fail = rejected)));
    };
  });
  return {
    source: (w: (chunk: Uint8Array) => void) => source(w),
    started,
    push: (chunk: Uint8Array) => write(chunk),
    end: () => end(),
    fail: (error: Error) => fail(error),
  };
}

describe.each(["memory", "memfs"] as const)("FileStore (%s)", (kind) => {
  it("write: stores bytes once and publishes the metadata", async () => {
    const { put, store } = setup({}, kind);
    const file = await put(fixtures.png.bytes, { contentType: "image/png" });
    expect(file).toMatchObject({
      size: 475,
      sha256: fixtures.png.sha256,
      contentType: "image/png",
      creationTime: 1000,
    });
    expect(store.reader.read(file)).toEqual(fixtures.png.bytes);
    expect(store.totalBytes).toBe(475);
  });

  it("write: streamed chunks are invisible until the body ends", async () => {
    const { store } = setup({}, kind);
    const body = slowBody();
    const written = store.write(body.source, { contentType: null, source: "upload" });
    await body.started;
    body.push(new Uint8Array([1, 2]));
    body.push(new Uint8Array([3]));
    expect(store.list()).toEqual([]);
    body.end();
    const file = await written;
    expect(store.reader.read(file)).toEqual(new Uint8Array([1, 2, 3]));
  });

  it("write: a failed body leaves no file, no partial blob and no reserved bytes", async () => {
    const { store, leftovers, put } = setup({ maxTotalBytes: 10 }, kind);
    const body = slowBody();
    const written = store.write(body.source, { contentType: null, source: "upload" });
    await body.started;
    body.push(new Uint8Array(8));
    body.fail(new Error("client went away"));
    await expect(written).rejects.toThrow("client went away");
    expect(store.list()).toEqual([]);
    expect(leftovers()).toEqual([]);
    // The 8 aborted bytes no longer count against the budget.
    await expect(put(new Uint8Array(10))).resolves.toMatchObject({ size: 10 });
  });

  it("write: in-flight bytes count against maxTotalBytes", async () => {
    const { store } = setup({ maxTotalBytes: 10 }, kind);
    const a = slowBody();
    const first = store.write(a.source, { contentType: null, source: "upload" });
    await a.started;
    a.push(new Uint8Array(6));
    const b = slowBody();
    const second = store.write(b.source, { contentType: null, source: "upload" });
    await b.started;
    expect(() => b.push(new Uint8Array(6))).toThrow(expect.objectContaining({ code: "StorageFull", status: 507 }));
    b.end();
    await expect(second).resolves.toMatchObject({ size: 0 });
    a.end();
    await first;
    expect(store.totalBytes).toBe(6);
  });

  it("write: a size hint over maxFileBytes fails before any byte is read", async () => {
    const { store } = setup({ maxFileBytes: 5 }, kind);
    let read = false;
    const source: BytePump = async () => void (read = true);
    await expect(store.write(source, { contentType: null, source: "upload", sizeHint: 6 })).rejects.toMatchObject({
      code: "FileTooLarge",
      status: 413,
    });
    expect(read).toBe(false);
  });

  it("write: a sha256 mismatch stores nothing", async () => {
    const { store, leftovers } = setup({}, kind);
    const body = slowBody();
    const written = store.write(body.source, {
      contentType: null,
      source: "upload",
      expectedSha256: fixtures.png.sha256,
    });
    await body.started;
    body.push(fixtures.text.bytes);
    body.end();
    await expect(written).rejects.toThrow(
      `Sha256 mismatch. Expected: ${fixtures.png.sha256} Actual: ${fixtures.text.sha256}`,
    );
    expect(store.list()).toEqual([]);
    expect(leftovers()).toEqual([]);
  });

  it("write: a size hint larger than what arrives stores exactly what arrived", async () => {
    const { store } = setup({}, kind);
    const file = await store.write(async (write) => write(new Uint8Array([1, 2, 3])), {
      contentType: null,
      source: "upload",
      sizeHint: 100,
    });
    expect(file.size).toBe(3);
    expect(store.reader.read(file)).toEqual(new Uint8Array([1, 2, 3]));
  });

  it("write: a write begun before clear() fails with ResetDuringWrite and stores nothing", async () => {
    const { store, leftovers } = setup({}, kind);
    const body = slowBody();
    const written = store.write(body.source, { contentType: null, source: "upload" });
    await body.started;
    body.push(new Uint8Array(8));
    store.clear();
    body.end();
    await expect(written).rejects.toThrow(
      "[convex-storage-emulator] The emulator was reset (or restored) while this file was being written; nothing was stored. Store it again.",
    );
    expect(store.list()).toEqual([]);
    expect(store.totalBytes).toBe(0);
    expect(leftovers()).toEqual([]);
  });

  it("remove: unpublishes and frees the bytes", async () => {
    const { store, leftovers, put } = setup({}, kind);
    const file = await put(new Uint8Array(3));
    expect(await store.remove(file.uuid)).toBe(true);
    expect(await store.remove(file.uuid)).toBe(false);
    expect(store.reader.read(file)).toBeNull();
    expect(leftovers()).toEqual([]);
    expect(store.totalBytes).toBe(0);
  });

  it("remove: of two concurrent removes of one file, exactly one succeeds", async () => {
    const { store, put } = setup({}, kind);
    const file = await put(new Uint8Array(3));
    expect(await Promise.all([store.remove(file.uuid), store.remove(file.uuid)])).toEqual([true, false]);
  });

  it("send: writes bytes start..end, and a remove meanwhile does not cut it short", async () => {
    const { store } = setup({}, kind);
    const bytes = randomBytes(300_000);
    const file = await store.write(chunksOf(bytes, 70_000), { contentType: null, source: "upload" });
    const sending = sent(store, file, 1000, 250_000);
    await store.remove(file.uuid);
    expect(Buffer.concat(await sending).equals(bytes.subarray(1000, 250_001))).toBe(true);
  });

  it("head: the first bytes, across chunk boundaries; the whole file when it is shorter", async () => {
    const { store } = setup({}, kind);
    const bytes = randomBytes(300_000);
    const file = await store.write(chunksOf(bytes, 70_000), { contentType: null, source: "upload" });
    for (const length of [1, 70_000, 70_001, 299_999, 1_000_000]) {
      expect(Buffer.from(store.reader.head(file, length)).equals(bytes.subarray(0, length)), String(length)).toBe(true);
    }
  });

  it("toBlob: the content as a Blob of the given type", async () => {
    const { store } = setup({}, kind);
    const bytes = randomBytes(300_000);
    const file = await store.write(chunksOf(bytes, 70_000), { contentType: null, source: "upload" });
    const blob = store.reader.toBlob(file, "application/x-test");
    expect(blob.type).toBe("application/x-test");
    expect(Buffer.from(await blob.arrayBuffer()).equals(bytes)).toBe(true);
  });

  it("read: the first upTo bytes only, across chunk boundaries; the whole file when it is shorter", async () => {
    const { store } = setup({}, kind);
    const bytes = randomBytes(300_000);
    const file = await store.write(chunksOf(bytes, 70_000), { contentType: null, source: "upload" });
    for (const upTo of [0, 1, 70_000, 70_001, 299_999]) {
      const head = store.reader.read(file, upTo)!;
      expect(head.byteLength).toBe(upTo);
      expect(Buffer.from(head).equals(bytes.subarray(0, upTo))).toBe(true);
    }
    expect(Buffer.from(store.reader.read(file, 1_000_000)!).equals(bytes)).toBe(true);
  });
});

describe("FileStore in memory", () => {
  it("write: the sha256 is computed when first read, and the record still reads as plain data", async () => {
    const { put } = setup();
    const file = await put(fixtures.png.bytes, { contentType: "image/png" });
    // Deferred: an accessor until read, so a store() nobody hashes costs no hashing.
    expect(typeof Object.getOwnPropertyDescriptor(file, "sha256")?.get).toBe("function");
    expect(file.sha256).toBe(fixtures.png.sha256);
    expect(Object.keys(file)).toEqual(["storageId", "uuid", "size", "sha256", "contentType", "creationTime", "source"]);
    expect(JSON.parse(JSON.stringify(file))).toMatchObject({ sha256: fixtures.png.sha256 });
    expect({ ...file }.sha256).toBe(fixtures.png.sha256);
    expect(Object.isFrozen(file)).toBe(true);
  });

  it("write: an expected sha256 is checked before anything is stored", async () => {
    const { store, put } = setup();
    await expect(put(fixtures.text.bytes, { expectedSha256: fixtures.png.sha256 })).rejects.toThrow(
      `Sha256 mismatch. Expected: ${fixtures.png.sha256} Actual: ${fixtures.text.sha256}`,
    );
    expect(store.list()).toEqual([]);
    const file = await put(fixtures.text.bytes, { expectedSha256: fixtures.text.sha256 });
    expect(Object.getOwnPropertyDescriptor(file, "sha256")?.value).toBe(fixtures.text.sha256);
  });

  it("remove: a record never asked for its sha256 still knows it after the remove", async () => {
    const { store, put } = setup();
    const file = await put(fixtures.png.bytes, { contentType: "image/png" });
    const other = await put(fixtures.text.bytes);
    await store.remove(file.uuid);
    // A new file takes over the freed slot; the record still hashes its own bytes.
    await put(fixtures.jpeg.bytes);
    expect(file.sha256).toBe(fixtures.png.sha256);
    expect(other.sha256).toBe(fixtures.text.sha256);
  });

  it("clear: a record held across clear() keeps its sha256", async () => {
    const { store, put } = setup();
    const file = await put(fixtures.pdf.bytes, { contentType: "application/pdf" });
    store.clear();
    await put(fixtures.png.bytes);
    expect(file.sha256).toBe(fixtures.pdf.sha256);
  });

  it("write: a pump's chunks are kept as they arrived, not copied", async () => {
    const { store } = setup();
    const chunks = [randomBytes(70_000), randomBytes(70_000), randomBytes(5)];
    const file = await store.write(async (write) => chunks.forEach(write), { contentType: null, source: "upload" });
    const written = await sent(store, file);
    expect(written).toHaveLength(3);
    expect(written.every((chunk, i) => sameMemory(chunk, chunks[i]!))).toBe(true);
  });

  it("write: a Uint8Array is copied unless it is handed over", async () => {
    const { store, put } = setup();
    const mine = Uint8Array.of(1, 2, 3);
    const copied = await put(mine);
    const kept = await put(mine, { handOver: true });
    expect(store.reader.head(copied, 3) === mine).toBe(false);
    expect(store.reader.head(kept, 3) === mine).toBe(true);
    mine[0] = 9;
    expect(store.reader.read(copied)).toEqual(Uint8Array.of(1, 2, 3));
  });

  it("write: memory grows with the bytes received, not with the size hint", async () => {
    const { store } = setup();
    const before = await retainedArrayBuffers();
    const body = slowBody();
    const written = store.write(body.source, { contentType: null, source: "upload", sizeHint: 512 * MiB });
    await body.started;
    for (let i = 0; i < 32; i++) body.push(randomBytes(64 * 1024));
    const during = await retainedArrayBuffers();
    body.end();
    expect((await written).size).toBe(2 * MiB);
    // 2 MiB received of 512 MiB declared (the first design sized a memfs buffer to the hint).
    expect(during - before).toBeLessThan(16 * MiB);
  });

  it("write: a body trickled in tiny chunks is kept as a few merged buffers", async () => {
    const { store } = setup();
    const bytes = randomBytes(5000);
    const file = await store.write(chunksOf(bytes, 1), { contentType: null, source: "upload" });
    // Runs of 64 small chunks become one: at most one merged buffer per 16 KiB plus a run of 63.
    expect((await sent(store, file)).length).toBeLessThanOrEqual(64);
    expect(Buffer.from(store.reader.read(file)!).equals(bytes)).toBe(true);
  });

  it("send: any range is written as the stored buffers' own slices, in order", async () => {
    const { store } = setup();
    const bytes = randomBytes(200_000);
    const file = await store.write(chunksOf(bytes, 30_000), { contentType: null, source: "upload" });
    const stored = new Set((await sent(store, file)).map((buffer) => buffer.buffer));
    const random = prng(7);
    const ranges: [number, number][] = [
      [0, 199_999],
      [0, 0],
      [199_999, 199_999],
      [29_999, 30_000],
      [30_000, 59_999],
      [10, 190_000],
    ];
    for (let i = 0; i < 50; i++) {
      const start = random.int(0, 199_999);
      ranges.push([start, random.int(start, 199_999)]);
    }
    for (const [start, end] of ranges) {
      const slices = await sent(store, file, start, end);
      expect(Buffer.concat(slices).equals(bytes.subarray(start, end + 1)), `${start}-${end}`).toBe(true);
      expect(
        slices.every((slice) => slice.byteLength > 0 && stored.has(slice.buffer)),
        `${start}-${end} shares memory`,
      ).toBe(true);
    }
  });

  it("head: views taken before a remove or clear() keep their bytes when new files arrive", async () => {
    const { store, put } = setup();
    const a = await put(fixtures.png.bytes);
    const b = await put(fixtures.pdf.bytes);
    const [ofA, ofB] = [store.reader.head(a, a.size), store.reader.head(b, b.size)];
    await store.remove(a.uuid);
    store.clear();
    for (let i = 0; i < 5; i++) await put(randomBytes(1000));
    expect(Buffer.from(ofA)).toEqual(Buffer.from(fixtures.png.bytes));
    expect(Buffer.from(ofB)).toEqual(Buffer.from(fixtures.pdf.bytes));
  });
});

describe("ctx.storage in memory", () => {
  it("get: a Blob taken before a delete or reset keeps the exact bytes", async () => {
    const emulator = createStorageEmulator();
    const big = randomBytes(3 * MiB);
    const ids = [
      await emulator.storage.store(new Blob([fixtures.png.bytes])),
      await emulator.storage.store(new Blob([big])),
    ];
    const blobs = await Promise.all(ids.map((id) => emulator.storage.get(id)));
    await emulator.storage.delete(ids[0]!);
    emulator.reset();
    await emulator.storage.store(new Blob([randomBytes(3 * MiB)]));
    expect(new Uint8Array(await blobs[0]!.arrayBuffer())).toEqual(fixtures.png.bytes);
    expect(Buffer.from(await blobs[1]!.arrayBuffer()).equals(big)).toBe(true);
  });
});

describe("persist", () => {
  it("persist: a new emulator on the same directory serves the same files", async () => {
    const dir = tempDir();
    const first = createStorageEmulator({ persist: dir });
    const id = await first.storage.store(new Blob([fixtures.png.bytes], { type: "image/png" }));
    const before = first.files();
    const second = createStorageEmulator({ persist: dir });
    expect(second.files()).toEqual(before);
    expect(second.bytes(id)).toEqual(fixtures.png.bytes);
    expect(await second.storage.getUrl(id)).toBe(await first.storage.getUrl(id));
  });

  it("persist: partial writes and orphan blobs from a crash are dropped on start", async () => {
    const dir = tempDir();
    const first = createStorageEmulator({ persist: dir });
    const kept = await first.seed({ bytes: "kept" });
    // What a process that died while a body was still arriving leaves behind: its lock (a pid no
    // process has) and a partial blob. (A live emulator's in-flight write is left alone.)
    writeFileSync(join(dir, "emulator.lock"), "2147483646\n");
    writeFileSync(join(dir, "partial", "00000000-0000-4000-8000-000000000001"), new Uint8Array(100));
    writeFileSync(join(dir, "blobs", "00000000-0000-4000-8000-000000000000"), "orphan");
    writeFileSync(join(dir, "meta", "garbage.json"), "{not json");
    const warn = vi.spyOn(console, "warn").mockImplementation(() => {});
    const second = createStorageEmulator({ persist: dir });
    const warnings = warn.mock.calls.map(([line]) => String(line).replace(dir, "<dir>"));
    warn.mockRestore();
    expect(warnings).toEqual([
      "[convex-storage-emulator] warning: --persist <dir>: moved meta/garbage.json to quarantine/meta-garbage.json: the metadata is not readable JSON.",
      "[convex-storage-emulator] warning: --persist <dir>: moved blobs/00000000-0000-4000-8000-000000000000 to quarantine/blobs-00000000-0000-4000-8000-000000000000: no metadata names this blob.",
    ]);
    expect(second.files().map((f) => f.storageId)).toEqual([kept]);
    expect(readdirSync(join(dir, "partial"))).toEqual([]);
    expect(readdirSync(join(dir, "blobs"))).toEqual([second.file(kept)!.uuid]);
  });

  it("persist: delete and reset remove the files from the directory", async () => {
    const dir = tempDir();
    const emulator = createStorageEmulator({ persist: dir });
    const a = await emulator.seed({ bytes: "a" });
    await emulator.seed({ bytes: "b" });
    await emulator.storage.delete(a);
    expect(createStorageEmulator({ persist: dir }).files()).toHaveLength(1);
    emulator.reset();
    expect(createStorageEmulator({ persist: dir }).files()).toEqual([]);
    expect(readdirSync(join(dir, "blobs"))).toEqual([]);
  });
});
