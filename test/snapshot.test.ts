import { createHash } from "node:crypto";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { createStorageEmulator } from "../src/index.js";
import { failure } from "./support/failure.js";
import { allFixtures } from "./support/fixtures.js";

async function setup() {
  let clock = 1000;
  const emulator = createStorageEmulator({ now: () => (clock += 1) });
  for (const fixture of allFixtures) await emulator.seed({ path: fixture.path });
  return { emulator };
}

const CHECKSUM = "its checksum does not match (it was cut short or altered)";
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
      [versioned, "version 9 is not supported (expected 2)"],
      [good.subarray(0, good.length - 1), CHECKSUM],
      [good.subarray(0, 20), CHECKSUM],
      [flipped, CHECKSUM],
      [new Uint8Array([...good, 0]), CHECKSUM],
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
        fc.array(
          fc.record({
            bytes: fc.uint8Array({ maxLength: 2048 }),
            type: fc.constantFrom(null, "image/png", "text/plain"),
          }),
        ),
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

  it("restore: every single-bit flip of a small snapshot is SnapshotInvalid and changes nothing", async () => {
    const source = createStorageEmulator({ now: () => 1000 });
    await source.seed({ bytes: "hi", contentType: "text/plain" });
    const good = source.snapshot();
    const target = createStorageEmulator();
    const kept = await target.seed({ bytes: "kept" });
    let refused = 0;
    for (let bit = 0; bit < good.length * 8; bit++) {
      const bad = good.slice();
      bad[bit >> 3]! ^= 1 << (bit & 7);
      expect(
        failure(() => target.restore(bad)),
        `bit ${bit}`,
      ).toMatchObject({ code: "SnapshotInvalid" });
      refused++;
    }
    expect(refused).toBe(good.length * 8);
    expect(refused).toBeGreaterThan(2000);
    expect(target.files().map((f) => f.storageId)).toEqual([kept]);
  });

  it("restore: reads version 1 snapshots (no checksum), with every field checked", async () => {
    const { emulator } = await setup();
    const v2 = emulator.snapshot();
    const v1 = v2.slice(0, v2.length - 32);
    v1[11] = 1;
    const target = createStorageEmulator();
    target.restore(v1);
    expect(target.files()).toEqual(emulator.files());
    const header = JSON.parse(
      new TextDecoder().decode(v1.subarray(16, 16 + new DataView(v1.buffer).getUint32(12))),
    ) as { files: Record<string, unknown>[] };
    expect(failure(() => target.restore(snapshotOf(1, [{ ...header.files[0]!, size: "8" }], [])))).toMatchObject({
      message: snapshotError("file 0 has an invalid size"),
    });
  });

  it.each([
    ["storageId", { storageId: "../../x" }],
    ["storageId", { storageId: "00000000-0000-4000-8000-000000000000" }],
    ["uuid", { uuid: "../../x" }],
    ["uuid", { uuid: "00000000-0000-4000-8000-00000000000A" }],
    ["size", { size: "2" }],
    ["size", { size: -1 }],
    ["sha256", { sha256: "nope" }],
    ["contentType", { contentType: "text/plain\r\nSet-Cookie: a=b" }],
    ["contentType", { contentType: "text/plain\u0000" }],
    ["contentType", { contentType: "text/pl\u00e4in" }],
    ["contentType", { contentType: 7 }],
    ["creationTime", { creationTime: "1000" }],
    ["creationTime", { creationTime: -5 }],
    ["source", { source: "attacker" }],
  ] as const)(
    "restore: a checksummed snapshot with a bad %s (%j) is SnapshotInvalid and changes nothing",
    async (field, change) => {
      const source = createStorageEmulator();
      const id = await source.seed({ bytes: "hi", contentType: "text/plain" });
      const file = { ...source.file(id)! } as Record<string, unknown>;
      const target = createStorageEmulator();
      const kept = await target.seed({ bytes: "kept" });
      const patched = { ...file, ...change };
      expect(failure(() => target.restore(snapshotOf(2, [patched], [new TextEncoder().encode("hi")])))).toMatchObject({
        code: "SnapshotInvalid",
        message: snapshotError(`file 0 has an invalid ${field}`),
      });
      expect(target.files().map((f) => f.storageId)).toEqual([kept]);
    },
  );
});

/** A snapshot of the given version with this header and these bytes (version 2 gets a valid checksum). */
function snapshotOf(version: number, files: unknown[], bytes: Uint8Array[]): Uint8Array {
  const header = new TextEncoder().encode(JSON.stringify({ files }));
  const body = Buffer.concat([Buffer.from("CSEMSNAP"), Buffer.alloc(8), header, ...bytes]);
  body.writeUInt32BE(version, 8);
  body.writeUInt32BE(header.length, 12);
  return version === 1 ? body : Buffer.concat([body, createHash("sha256").update(body).digest()]);
}
