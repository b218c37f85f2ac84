import { readdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { createStorageEmulator } from "../src/index.js";
import { FileStore } from "../src/file-store.js";
import { Volume } from "memfs";
import type { BlobFs } from "../src/file-store.js";
import { cleanupAfterEach } from "./cleanup.js";
import { fixtures } from "./fixtures.js";

const { tempDir } = cleanupAfterEach();

function setup(limits: { maxFileBytes?: number; maxTotalBytes?: number } = {}) {
  let n = 0;
  const fs = new Volume() as unknown as BlobFs;
  const store = new FileStore({
    fs,
    // Memory mode, as createStorageEmulator() sets it up: clear() swaps in a fresh volume.
    freshFs: () => new Volume() as unknown as BlobFs,
    root: "/store",
    now: () => 1000,
    newStorageId: () => `id${++n}`,
    newUuid: () => `00000000-0000-4000-8000-${String(++n).padStart(12, "0")}`,
    durable: false,
    ...limits,
  });
  return { store, fs };
}

describe("FileStore", () => {
  it("put: stores bytes once and publishes the metadata", async () => {
    const { store } = setup();
    const file = await store.put(fixtures.png.bytes, { contentType: "image/png", source: "store" });
    expect(file).toMatchObject({ size: 475, sha256: fixtures.png.sha256, contentType: "image/png", creationTime: 1000 });
    expect(store.read(file.uuid)).toEqual(fixtures.png.bytes);
    expect(store.totalBytes).toBe(475);
  });

  it("begin: written chunks are invisible until commit", async () => {
    const { store } = setup();
    const writer = store.begin();
    writer.write(new Uint8Array([1, 2]));
    writer.write(new Uint8Array([3]));
    expect(store.list()).toEqual([]);
    const file = await writer.commit({ contentType: null, source: "upload" });
    expect(store.read(file.uuid)).toEqual(new Uint8Array([1, 2, 3]));
  });

  it("abort: leaves no file, no partial blob and no reserved bytes", async () => {
    const { store, fs } = setup({ maxTotalBytes: 10 });
    const writer = store.begin();
    writer.write(new Uint8Array(8));
    writer.abort();
    expect(store.list()).toEqual([]);
    expect(fs.readdirSync("/store/partial")).toEqual([]);
    expect(fs.readdirSync("/store/blobs")).toEqual([]);
    // The 8 aborted bytes no longer count against the budget.
    await expect(store.put(new Uint8Array(10), { contentType: null, source: "store" })).resolves.toMatchObject({ size: 10 });
  });

  it("write: in-flight bytes count against maxTotalBytes", async () => {
    const { store } = setup({ maxTotalBytes: 10 });
    const a = store.begin();
    a.write(new Uint8Array(6));
    const b = store.begin();
    expect(() => b.write(new Uint8Array(6))).toThrow(expect.objectContaining({ code: "StorageFull", status: 507 }));
    b.abort();
    await a.commit({ contentType: null, source: "upload" });
    expect(store.totalBytes).toBe(6);
  });

  it("begin: a size hint over maxFileBytes fails before any byte is read", async () => {
    const { store } = setup({ maxFileBytes: 5 });
    expect(() => store.begin(6)).toThrow(expect.objectContaining({ code: "FileTooLarge", status: 413 }));
  });

  it("commit: a sha256 mismatch aborts and stores nothing", async () => {
    const { store, fs } = setup();
    const writer = store.begin();
    writer.write(fixtures.text.bytes);
    await expect(writer.commit({ contentType: null, source: "upload", expectedSha256: fixtures.png.sha256 })).rejects.toThrow(
      `Sha256 mismatch. Expected: ${fixtures.png.sha256} Actual: ${fixtures.text.sha256}`,
    );
    expect(store.list()).toEqual([]);
    expect(fs.readdirSync("/store/partial")).toEqual([]);
  });

  it("begin: a size hint larger than what arrives stores exactly what arrived", async () => {
    const { store } = setup();
    const writer = store.begin(100);
    writer.write(new Uint8Array([1, 2, 3]));
    const file = await writer.commit({ contentType: null, source: "upload" });
    expect(file.size).toBe(3);
    expect(store.read(file.uuid)).toEqual(new Uint8Array([1, 2, 3]));
  });

  it("commit: a write begun before clear() fails with ResetDuringWrite and stores nothing", async () => {
    const { store } = setup();
    const writer = store.begin();
    writer.write(new Uint8Array(8));
    store.clear();
    await expect(writer.commit({ contentType: null, source: "upload" })).rejects.toThrow(
      "[convex-storage-emulator] The emulator was reset (or restored) while this file was being written; nothing was stored. Store it again.",
    );
    expect(store.list()).toEqual([]);
    expect(store.totalBytes).toBe(0);
  });

  it("delete: unpublishes and frees the bytes", async () => {
    const { store, fs } = setup();
    const file = await store.put(new Uint8Array(3), { contentType: null, source: "store" });
    expect(store.delete(file.uuid)).toBe(true);
    expect(store.delete(file.uuid)).toBe(false);
    expect(store.read(file.uuid)).toBeNull();
    expect(fs.readdirSync("/store/blobs")).toEqual([]);
    expect(store.totalBytes).toBe(0);
  });

  it("put: the sha256 is computed when first read, and the record still reads as plain data", async () => {
    const { store } = setup();
    const file = await store.put(fixtures.png.bytes, { contentType: "image/png", source: "store" });
    // Deferred: an accessor until read, so a store() nobody hashes costs no hashing.
    expect(typeof Object.getOwnPropertyDescriptor(file, "sha256")?.get).toBe("function");
    expect(file.sha256).toBe(fixtures.png.sha256);
    expect(Object.keys(file)).toEqual(["storageId", "uuid", "size", "sha256", "contentType", "creationTime", "source"]);
    expect(JSON.parse(JSON.stringify(file))).toMatchObject({ sha256: fixtures.png.sha256 });
    expect({ ...file }.sha256).toBe(fixtures.png.sha256);
    expect(Object.isFrozen(file)).toBe(true);
  });

  it("put: an expected sha256 is checked before anything is stored", async () => {
    const { store } = setup();
    await expect(
      store.put(fixtures.text.bytes, { contentType: null, source: "store", expectedSha256: fixtures.png.sha256 }),
    ).rejects.toThrow(`Sha256 mismatch. Expected: ${fixtures.png.sha256} Actual: ${fixtures.text.sha256}`);
    expect(store.list()).toEqual([]);
    const file = await store.put(fixtures.text.bytes, { contentType: null, source: "store", expectedSha256: fixtures.text.sha256 });
    expect(Object.getOwnPropertyDescriptor(file, "sha256")?.value).toBe(fixtures.text.sha256);
  });

  it("delete: a record never asked for its sha256 still knows it after the delete", async () => {
    const { store } = setup();
    const file = await store.put(fixtures.png.bytes, { contentType: "image/png", source: "store" });
    const other = await store.put(fixtures.text.bytes, { contentType: null, source: "store" });
    store.delete(file.uuid);
    // A new file may take over the freed memfs inode; the record must not read it.
    await store.put(fixtures.jpeg.bytes, { contentType: null, source: "store" });
    expect(file.sha256).toBe(fixtures.png.sha256);
    expect(other.sha256).toBe(fixtures.text.sha256);
  });

  it("clear: a record held across clear() keeps its sha256", async () => {
    const { store } = setup();
    const file = await store.put(fixtures.pdf.bytes, { contentType: "application/pdf", source: "store" });
    store.clear();
    await store.put(fixtures.png.bytes, { contentType: null, source: "store" });
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
    const writer = first.backend.files.begin();
    writer.write(new Uint8Array(100)); // never committed: the process "dies" here
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
