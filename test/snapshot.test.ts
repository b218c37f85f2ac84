import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { createStorageEmulator } from "../src/index.js";
import { allFixtures } from "./fixtures.js";

async function setup() {
  let clock = 1000;
  const emulator = createStorageEmulator({ now: () => (clock += 1) });
  for (const fixture of allFixtures) await emulator.seed({ path: fixture.path });
  return { emulator };
}

const snapshotError = (detail: string) =>
  `[convex-storage-emulator] restore() was given something that is not a snapshot from snapshot(): ${detail}. Nothing was changed.`;

describe("snapshot / restore", () => {
  it("restore: brings back every file byte-exact with its metadata", async () => {
    const { emulator } = await setup();
    const before = emulator.files();
    const snapshot = emulator.snapshot();
    emulator.reset();
    await emulator.seed({ bytes: "replaced" });
    emulator.restore(snapshot);
    expect(emulator.files()).toEqual(before);
    for (const file of before) {
      expect(emulator.bytes(file.storageId)).toEqual(allFixtures.find((f) => f.sha256 === file.sha256)!.bytes);
    }
  });

  it("restore: URLs and ids keep working, and new files keep increasing creation times", async () => {
    const { emulator } = await setup();
    const [first] = emulator.files();
    const url = await emulator.storage.getUrl(first!.storageId);
    const other = createStorageEmulator({ url: emulator.url });
    other.restore(emulator.snapshot());
    expect(await other.storage.getUrl(first!.storageId)).toBe(url);
    const id = await other.seed({ bytes: "new" });
    expect(other.file(id)!.creationTime).toBeGreaterThan(other.files().at(-2)!.creationTime);
  });

  it("restore: an empty snapshot restores no files", () => {
    const empty = createStorageEmulator().snapshot();
    const emulator = createStorageEmulator();
    emulator.restore(empty);
    expect(emulator.files()).toEqual([]);
  });

  it("restore: garbage throws SnapshotInvalid and changes nothing", async () => {
    const { emulator } = await setup();
    const before = emulator.files();
    const good = emulator.snapshot();
    const flipped = good.slice();
    flipped[flipped.length - 1]! ^= 0xff;
    const versioned = good.slice();
    versioned[11] = 9;
    const cases: [unknown, string][] = [
      ["text", "expected a Uint8Array, got string"],
      [null, "expected a Uint8Array, got null"],
      [new Uint8Array(0), "it does not start with the snapshot marker"],
      [new TextEncoder().encode("CSEMSNAX" + "x".repeat(20)), "it does not start with the snapshot marker"],
      [versioned, "version 9 is not supported (expected 1)"],
      [good.subarray(0, good.length - 1), "it is truncated"],
      [good.subarray(0, 20), "it is truncated"],
      [flipped, "the bytes of file 5 do not match its sha256"],
      [new Uint8Array([...good, 0]), "it has bytes after the last file"],
    ];
    for (const [input, detail] of cases) {
      expect(() => emulator.restore(input as Uint8Array), detail).toThrow(snapshotError(detail));
    }
    expect(emulator.files()).toEqual(before);
  });

  it("restore: a snapshot too large for maxTotalBytes throws StorageFull and changes nothing", async () => {
    const { emulator } = await setup();
    const small = createStorageEmulator({ maxTotalBytes: 100 });
    await small.seed({ bytes: "keep" });
    expect(() => small.restore(emulator.snapshot())).toThrow(expect.objectContaining({ code: "StorageFull" }));
    expect(small.files().map((f) => f.size)).toEqual([4]);
  });

  it("snapshot: round-trips arbitrary file sets", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.record({ bytes: fc.uint8Array({ maxLength: 2048 }), type: fc.constantFrom(null, "image/png", "text/plain") })),
        async (files) => {
          const source = createStorageEmulator();
          for (const f of files) await source.seed({ bytes: f.bytes, contentType: f.type });
          const target = createStorageEmulator();
          target.restore(source.snapshot());
          expect(target.files()).toEqual(source.files());
          for (const f of source.files()) expect(target.bytes(f.storageId)).toEqual(source.bytes(f.storageId));
        },
      ),
      { numRuns: 40 },
    );
  });
});
