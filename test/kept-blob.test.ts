// Memory mode keeps the Blob a ctx.storage.store() is given as the file's
// bytes (no copy); synchronous readers read it through a helper thread once,
// asynchronous ones (getMetadata, serving) read it themselves.
import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import { createStorageEmulator, type StorageEmulatorOptions } from "../src/index.js";
import { cleanupAfterEach } from "./cleanup.js";

const { defer, tempDir } = cleanupAfterEach();

function setup(options: StorageEmulatorOptions = {}) {
  const emulator = createStorageEmulator(options);
  const bytes = new Uint8Array(70_000).map((_, i) => (i * 7) % 251);
  const blob = new Blob([bytes], { type: "application/octet-stream" });
  const sha256 = createHash("sha256").update(bytes).digest("base64");
  /** Whether the store still holds a file's bytes as the Blob it was given. */
  const kept = (id: string) => emulator.gateway.files.blobOf(emulator.file(id)!) !== null;
  return { emulator, storage: emulator.storage, bytes, blob, sha256, kept };
}

describe("kept Blob", () => {
  it("store: keeps the Blob it is given, and get returns that Blob, uncopied", async () => {
    const { storage, blob, kept } = setup();
    const id = await storage.store(blob);
    expect(kept(id)).toBe(true);
    expect(await storage.get(id)).toBe(blob);
  });

  it("get: a File, or a Blob whose type was normalised, comes back as a plain Blob of the stored type", async () => {
    const { storage, bytes } = setup();
    const file = await storage.store(new File([bytes], "photo.bin", { type: "image/png" }));
    const normalised = await storage.store(new Blob([bytes], { type: "text/plain;" }));
    const fromFile = (await storage.get(file))!;
    const fromNormalised = (await storage.get(normalised))!;
    expect(Object.getPrototypeOf(fromFile)).toBe(Blob.prototype);
    expect(fromFile.type).toBe("image/png");
    expect(fromNormalised.type).toBe("text/plain");
    expect(new Uint8Array(await fromNormalised.arrayBuffer())).toEqual(bytes);
  });

  it("bytes: a kept Blob is read synchronously, and the record's sha256 is its digest", async () => {
    const { emulator, storage, blob, bytes, sha256 } = setup();
    const id = await storage.store(blob);
    expect(emulator.file(id)!.sha256).toBe(sha256);
    expect(emulator.bytes(id)).toEqual(bytes);
    expect(emulator.text(id)).toBe(new TextDecoder().decode(bytes));
  });

  it("getMetadata: reads a kept Blob without blocking; the file is plain bytes from then on", async () => {
    const { emulator, storage, blob, sha256, kept } = setup();
    const id = await storage.store(blob);
    const metadata = await storage.getMetadata(id);
    expect(metadata?.sha256).toBe(Buffer.from(sha256, "base64").toString("hex"));
    expect(kept(id)).toBe(false);
    expect(await (await storage.get(id))!.arrayBuffer()).toEqual(await blob.arrayBuffer());
  });

  it("file: a record whose sha256 was never read still gives the right digest after a delete", async () => {
    const { emulator, storage, blob, sha256 } = setup();
    const id = await storage.store(blob);
    const record = emulator.file(id)!;
    await storage.delete(id);
    expect(record.sha256).toBe(sha256);
  });

  it("snapshot: kept Blobs are in it, byte-exact, and restore brings them back", async () => {
    const { emulator, storage, blob, bytes } = setup();
    const id = await storage.store(blob);
    const snapshot = emulator.snapshot();
    emulator.reset();
    emulator.restore(snapshot);
    expect(emulator.bytes(id)).toEqual(bytes);
  });

  it("store: with persist, a Blob's bytes are written to disk, not kept", async () => {
    const { storage, blob, bytes, kept, emulator } = setup({ persist: tempDir() });
    defer(() => emulator.close());
    const id = await storage.store(blob);
    expect(kept(id)).toBe(false);
    expect(emulator.bytes(id)).toEqual(bytes);
  });

  it("admin files: a kept Blob is listed with its sha256, and its bytes route sends it", async () => {
    const { emulator, storage, blob, bytes, sha256 } = setup();
    await emulator.listen({ port: 0 });
    defer(() => emulator.close());
    const id = await storage.store(blob);
    const listed = (await (await fetch(`${emulator.url}/_emulator/files`)).json()) as { files: { storageId: string; sha256: string }[] };
    expect(listed.files).toMatchObject([{ storageId: id, sha256 }]);
    const sent = await fetch(`${emulator.url}/_emulator/files/${id}/bytes`);
    expect(new Uint8Array(await sent.arrayBuffer())).toEqual(bytes);
  });

  it("serve: a kept Blob is served byte-exact, whole and by Range", async () => {
    const { emulator, storage, blob, bytes } = setup();
    await emulator.listen({ port: 0 });
    defer(() => emulator.close());
    const url = (await storage.getUrl(await storage.store(blob)))!;
    expect(new Uint8Array(await (await fetch(url)).arrayBuffer())).toEqual(bytes);
    const part = await fetch(url, { headers: { Range: "bytes=10-19" } });
    expect(part.status).toBe(206);
    expect(new Uint8Array(await part.arrayBuffer())).toEqual(bytes.subarray(10, 20));
  });
});
