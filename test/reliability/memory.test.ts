// Memory: what the emulator lets go of, it really frees. Measured as
// process.memoryUsage().arrayBuffers after a full GC (in memory mode file
// bytes live in the Buffers they arrived in), plus the byte budget.
import { describe, expect, it } from "vitest";
import { createStorageEmulator } from "../../src/index.js";
import { cleanupAfterEach } from "../support/cleanup.js";
import { waitFor } from "../support/wait.js";
import { abortedPost, bodyOf, pool, prng, retainedArrayBuffers } from "./helpers.js";

const SEED = Number(process.env.RELIABILITY_SEED ?? 0x5eed);
const MiB = 1024 * 1024;

const { listening: setup } = cleanupAfterEach();

describe("memory", () => {
  it(`upload: 200 uploads of 8 MiB cut off at random points (seed ${SEED}) store nothing and leak no memory`, async () => {
    // The budget is twice what 8 uploads in flight can reserve at once; a leaked reservation would
    // make the final full-budget write fail with StorageFull.
    const budget = 128 * MiB;
    const { emulator } = await setup({ maxTotalBytes: budget });
    const random = prng(SEED + 2);
    const body = bodyOf(SEED, 8 * MiB);
    const cuts = Array.from({ length: 208 }, () => random.int(1, body.length - 1));
    const cut = async (i: number) => abortedPost(await emulator.storage.generateUploadUrl(), body, cuts[i]!);
    const settled = (n: number) => () => emulator.journal.httpRequests("upload").length === n;

    // Warm up (allocator pools, JIT), then measure from there.
    await pool(8, 8, cut);
    await waitFor(settled(8), { timeoutMs: 10_000, what: "warm-up uploads answered" });
    const before = { arrayBuffers: await retainedArrayBuffers(), rss: process.memoryUsage().rss };

    await pool(200, 8, (i) => cut(8 + i));
    await waitFor(settled(208), { timeoutMs: 20_000, what: "every aborted upload seen by the server" });
    const after = { arrayBuffers: await retainedArrayBuffers(), rss: process.memoryUsage().rss };

    // Each was cut off mid-body; a few may have been refused first, when the budget was still held
    // by uploads whose clients had gone but whose close the server had not yet seen.
    const outcomes = emulator.journal.httpRequests("upload").map((e) => `${e.status} ${e.errorCode}`);
    expect(outcomes.filter((o) => o !== "0 UploadAborted" && o !== "507 StorageFull")).toEqual([]);
    expect(outcomes.filter((o) => o === "0 UploadAborted").length).toBeGreaterThan(150);
    expect(emulator.files()).toEqual([]);
    expect(emulator.fileStore.totalBytes).toBe(0);
    // 200 uploads sent about 800 MiB; what stays must be noise, not partial blobs.
    expect(after.arrayBuffers - before.arrayBuffers, "arrayBuffers growth").toBeLessThan(48 * MiB);
    expect(after.rss - before.rss, "rss growth").toBeLessThan(256 * MiB);
    // No reservation leaked: the whole budget can still be written.
    await expect(
      emulator.fileStore.write(new Uint8Array(budget), { contentType: null, source: "store" }),
    ).resolves.toMatchObject({ size: budget });
  });

  it.each([
    ["reset", (e: ReturnType<typeof createStorageEmulator>) => e.reset()],
    ["restore", (e: ReturnType<typeof createStorageEmulator>) => e.restore(createStorageEmulator().snapshot())],
    [
      "delete",
      async (e: ReturnType<typeof createStorageEmulator>) => {
        for (const f of e.files()) await e.storage.delete(f.storageId as never);
      },
    ],
  ] as const)("%s: frees the bytes of the files it drops", async (_name, drop) => {
    const emulator = createStorageEmulator();
    const body = bodyOf(SEED, 8 * MiB);
    const before = await retainedArrayBuffers();
    for (let i = 0; i < 24; i++) await emulator.seed({ bytes: body });
    expect((await retainedArrayBuffers()) - before).toBeGreaterThan(190 * MiB);
    await drop(emulator);
    expect(emulator.fileStore.totalBytes).toBe(0);
    expect((await retainedArrayBuffers()) - before, "arrayBuffers still held").toBeLessThan(24 * MiB);
  });
});
