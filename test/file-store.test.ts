import { readdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { createStorageEmulator } from "../src/index.js";
import { FileStore, type BytePump, type WriteInput } from "../src/file-store.js";
import { Volume } from "memfs";
import type { BlobFs } from "../src/file-store/types.js";
import { cleanupAfterEach } from "./cleanup.js";
import { fixtures } from "./fixtures.js";

const { tempDir } = cleanupAfterEach();

function setup(limits: { maxFileBytes?: number; maxTotalBytes?: number } = {}) {
  let n = 0;
  const fs = new Volume() as unknown as BlobFs;
  const store = new FileStore({
    // Memory mode, as createStorageEmulator() sets it up: clear() swaps in a fresh volume.
    location: { fs, freshFs: () => new Volume() as unknown as BlobFs, root: "/store", durable: false },
    now: () => 1000,
    newUuid: () => `00000000-0000-4000-8000-${String(++n).padStart(12, "0")}`,
    ...limits,
  });
  const put = (bytes: Uint8Array, input: Partial<WriteInput> = {}) =>
    store.write(bytes, { contentType: null, source: "store", deferSha256: true, ...input });
  return { store, fs, put };
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

describe("FileStore", () => {
  it("write: stores bytes once and publishes the metadata", async () => {
    const { put, store } = setup();
    const file = await put(fixtures.png.bytes, { contentType: "image/png" });
    expect(file).toMatchObject({ size: 475, sha256: fixtures.png.sha256, contentType: "image/png", creationTime: 1000 });
    expect(store.read(file.uuid)).toEqual(fixtures.png.bytes);
    expect(store.totalBytes).toBe(475);
  });

  it("write: streamed chunks are invisible until the body ends", async () => {
    const { store } = setup();
    const body = slowBody();
    const written = store.write(body.source, { contentType: null, source: "upload" });
    await body.started;
    body.push(new Uint8Array([1, 2]));
    body.push(new Uint8Array([3]));
    expect(store.list()).toEqual([]);
    body.end();
    const file = await written;
    expect(store.read(file.uuid)).toEqual(new Uint8Array([1, 2, 3]));
  });

  it("write: a failed body leaves no file, no partial blob and no reserved bytes", async () => {
    const { store, fs, put } = setup({ maxTotalBytes: 10 });
    const body = slowBody();
    const written = store.write(body.source, { contentType: null, source: "upload" });
    await body.started;
    body.push(new Uint8Array(8));
    body.fail(new Error("client went away"));
    await expect(written).rejects.toThrow("client went away");
    expect(store.list()).toEqual([]);
    expect(fs.readdirSync("/store/partial")).toEqual([]);
    expect(fs.readdirSync("/store/blobs")).toEqual([]);
    // The 8 aborted bytes no longer count against the budget.
    await expect(put(new Uint8Array(10))).resolves.toMatchObject({ size: 10 });
  });

  it("write: in-flight bytes count against maxTotalBytes", async () => {
    const { store } = setup({ maxTotalBytes: 10 });
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
    const { store } = setup({ maxFileBytes: 5 });
    let read = false;
    const source: BytePump = async () => void (read = true);
    await expect(store.write(source, { contentType: null, source: "upload", sizeHint: 6 })).rejects.toMatchObject({ code: "FileTooLarge", status: 413 });
    expect(read).toBe(false);
  });

  it("write: a sha256 mismatch stores nothing", async () => {
    const { store, fs } = setup();
    const body = slowBody();
    const written = store.write(body.source, { contentType: null, source: "upload", expectedSha256: fixtures.png.sha256 });
    await body.started;
    body.push(fixtures.text.bytes);
    body.end();
    await expect(written).rejects.toThrow(`Sha256 mismatch. Expected: ${fixtures.png.sha256} Actual: ${fixtures.text.sha256}`);
    expect(store.list()).toEqual([]);
    expect(fs.readdirSync("/store/blobs")).toEqual([]);
  });

  it("write: a size hint larger than what arrives stores exactly what arrived", async () => {
    const { store } = setup();
    const file = await store.write(async (write) => write(new Uint8Array([1, 2, 3])), { contentType: null, source: "upload", sizeHint: 100 });
    expect(file.size).toBe(3);
    expect(store.read(file.uuid)).toEqual(new Uint8Array([1, 2, 3]));
  });

  it("write: a write begun before clear() fails with ResetDuringWrite and stores nothing", async () => {
    const { store } = setup();
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
  });

  it("remove: unpublishes and frees the bytes", async () => {
    const { store, fs, put } = setup();
    const file = await put(new Uint8Array(3));
    expect(await store.remove(file.uuid)).toBe(true);
    expect(await store.remove(file.uuid)).toBe(false);
    expect(store.read(file.uuid)).toBeNull();
    expect(fs.readdirSync("/store/blobs")).toEqual([]);
    expect(store.totalBytes).toBe(0);
  });

  it("remove: of two concurrent removes of one file, exactly one succeeds", async () => {
    const { store, put } = setup();
    const file = await put(new Uint8Array(3));
    expect(await Promise.all([store.remove(file.uuid), store.remove(file.uuid)])).toEqual([true, false]);
  });

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
    // A new file may take over the freed memfs inode; the record must not read it.
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
    // Never committed: the process "dies" while the body is still arriving.
    void first.gateway.files.write(async (write) => {
      write(new Uint8Array(100));
      await new Promise(() => {});
    }, { contentType: null, source: "upload" });
    writeFileSync(join(dir, "blobs", "00000000-0000-4000-8000-000000000000"), "orphan");
    writeFileSync(join(dir, "meta", "garbage.json"), "{not json");
    const second = createStorageEmulator({ persist: dir });
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
