// Faults on the wire: clients that go away mid-upload or mid-download, bodies
// that fail their Digest or a limit. Each stores nothing, leaks nothing, and
// the server keeps serving.
import { existsSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { cleanupAfterEach } from "../support/cleanup.js";
import { waitFor } from "../support/wait.js";
import { abortedGet, abortedPost, bodyOf, json, pool, postChunked, prng, send, sha256 } from "./helpers.js";

const SEED = Number(process.env.RELIABILITY_SEED ?? 0x5eed);
const MiB = 1024 * 1024;

const { listening: setup, tempDir } = cleanupAfterEach();

const storageFull = (limit: number) =>
  `[convex-storage-emulator] Storing this file would exceed maxTotalBytes (${limit} bytes); nothing was stored. Delete files, reset(), or raise maxTotalBytes.`;
const fileTooLarge = (limit: number) =>
  `[convex-storage-emulator] The file is larger than maxFileBytes (${limit} bytes); nothing was stored. Raise maxFileBytes (--max-file-bytes) to allow it.`;

describe("upload aborts", () => {
  it("upload: with persist, aborted uploads leave nothing in the directory", async () => {
    const dir = tempDir();
    const { emulator } = await setup({ persist: dir });
    const random = prng(SEED + 3);
    const body = bodyOf(SEED, MiB);
    const cuts = Array.from({ length: 40 }, () => random.int(1, body.length - 1));
    await pool(40, 8, async (i) => abortedPost(await emulator.storage.generateUploadUrl(), body, cuts[i]!));
    await waitFor(() => emulator.journal.httpRequests("upload").length === 40, {
      timeoutMs: 10_000,
      what: "every aborted upload seen",
    });
    expect(emulator.files()).toEqual([]);
    expect(readdirSync(join(dir, "partial"))).toEqual([]);
    expect(readdirSync(join(dir, "blobs"))).toEqual([]);
    expect(readdirSync(join(dir, "meta"))).toEqual([]);
  });

  it(`upload: Digest mismatches and limits under concurrency (seed ${SEED}) store exactly the accepted uploads`, async () => {
    const dir = tempDir();
    const maxFileBytes = MiB;
    const maxTotalBytes = 24 * MiB;
    const { emulator } = await setup({ persist: dir, maxFileBytes, maxTotalBytes });
    const random = prng(SEED + 4);
    const kinds = ["ok", "ok", "badDigest", "overDeclared", "overStreamed"] as const;
    const accepted: { storageId: string; sha256: string; size: number }[] = [];
    const unexpected: string[] = [];

    const plan = Array.from({ length: 150 }, () => {
      const kind = random.pick(kinds);
      const size =
        kind === "overDeclared" || kind === "overStreamed"
          ? maxFileBytes + random.int(1, MiB)
          : random.int(0, maxFileBytes);
      return { kind, size };
    });

    await pool(plan.length, 16, async (i) => {
      const { kind, size } = plan[i]!;
      const url = await emulator.storage.generateUploadUrl();
      const body = bodyOf(SEED + i, size);
      const digest = kind === "badDigest" ? sha256(bodyOf(SEED - i, 16)) : sha256(body);
      const res =
        kind === "overStreamed"
          ? await postChunked(url, [body.subarray(0, size >> 1), body.subarray(size >> 1)])
          : await send(url, { method: "POST", headers: { Digest: `sha-256=${digest}` }, body });
      const error = res.status === 200 ? undefined : json(res);
      // A full budget may answer first (507), whatever else is wrong with the upload.
      const full = res.status === 507 && error?.code === "StorageFull" && error.message === storageFull(maxTotalBytes);
      if (res.status === 200 && kind === "ok")
        accepted.push({ storageId: json(res).storageId as string, sha256: digest, size });
      else if (kind === "ok" && full) return;
      else if (
        kind === "badDigest" &&
        (full ||
          (res.status === 400 &&
            error?.code === "Sha256Mismatch" &&
            error.message === `Sha256 mismatch. Expected: ${digest} Actual: ${sha256(body)}`))
      )
        return;
      else if (
        kind === "overDeclared" &&
        res.status === 413 &&
        error?.code === "FileTooLarge" &&
        error.message === fileTooLarge(maxFileBytes)
      )
        return;
      else if (kind === "overStreamed" && (full || (res.status === 413 && error?.code === "FileTooLarge"))) return;
      else if (res.status !== 200 || kind !== "ok")
        unexpected.push(`${i} ${kind} ${size} B: ${res.status} ${res.body.toString().slice(0, 200)}`);
    });

    expect(unexpected, `seed ${SEED}`).toEqual([]);
    expect(accepted.length).toBeGreaterThan(0);
    expect(new Set(emulator.files().map((f) => f.storageId))).toEqual(new Set(accepted.map((a) => a.storageId)));
    for (const a of accepted) expect(emulator.file(a.storageId)).toMatchObject({ sha256: a.sha256, size: a.size });
    expect(emulator.fileStore.totalBytes).toBe(accepted.reduce((sum, a) => sum + a.size, 0));
    expect(readdirSync(join(dir, "partial"))).toEqual([]);
    expect(readdirSync(join(dir, "blobs")).sort()).toEqual(
      emulator
        .files()
        .map((f) => f.uuid)
        .sort(),
    );
    // No reservation leaked: after reset the whole budget takes exactly 24 files of 1 MiB.
    emulator.reset();
    const url = await emulator.storage.generateUploadUrl();
    const one = bodyOf(SEED, MiB);
    for (let i = 0; i < 24; i++) expect((await send(url, { method: "POST", body: one })).status, `file ${i}`).toBe(200);
    const over = await send(url, { method: "POST", body: new Uint8Array(1) });
    expect([over.status, json(over)]).toEqual([507, { code: "StorageFull", message: storageFull(maxTotalBytes) }]);
  });
});

describe("download aborts", () => {
  const fdCount = () => readdirSync("/proc/self/fd").length;

  it.runIf(existsSync("/proc/self/fd"))(
    "serve: 100 downloads cut off by their clients leave the server serving and no file descriptor open",
    async () => {
      const dir = tempDir();
      const { emulator, server } = await setup({ persist: dir });
      const bytes = bodyOf(SEED, 4 * MiB);
      const id = await emulator.seed({ bytes, contentType: "application/octet-stream" });
      const url = (await emulator.storage.getUrl(id))!;
      const want = sha256(bytes);
      const baseline = fdCount();
      const wrong: string[] = [];
      // Cut-off downloads interleaved with complete ones, which must stay byte-exact.
      await pool(150, 16, async (i) => {
        if (i % 3 === 2) {
          const res = await send(url);
          if (res.status !== 200 || sha256(res.body) !== want) wrong.push(`${i}: ${res.status} ${res.body.length} B`);
        } else {
          const { status } = await abortedGet(url);
          if (status !== 200) wrong.push(`${i}: cut-off download got ${status}`);
        }
      });
      expect(wrong).toEqual([]);
      await waitFor(() => emulator.journal.httpRequests("serve").length === 150, {
        timeoutMs: 10_000,
        what: "every download journaled",
      });
      // The complete ones are 200; a cut-off one is 0 unless the kernel took all of it first.
      const statuses = new Set(emulator.journal.httpRequests("serve").map((e) => e.status));
      expect([...statuses].every((s) => s === 200 || s === 0)).toBe(true);
      // Every blob stream the server opened is closed again.
      await waitFor(() => fdCount() <= baseline, { what: `file descriptors back to ${baseline}` });
      expect((await send(`${server.url}/_emulator/health`)).status).toBe(200);
      expect(sha256((await send(url)).body)).toBe(want);
    },
  );
});
