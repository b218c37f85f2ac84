// Persistence under a crash: the CLI killed with SIGKILL in the middle of a
// stream of uploads, restarted on the same --persist directory, serves every
// upload it had acknowledged, byte-exact, and nothing half-written.
import { readdirSync } from "node:fs";
import { request as httpRequest } from "node:http";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { cleanupAfterEach } from "../support/cleanup.js";
import { bodyOf, json, pool, prng, runCli, send, sha256 } from "./helpers.js";

const SEED = Number(process.env.RELIABILITY_SEED ?? 0x5eed);
const MiB = 1024 * 1024;

const { defer, tempDir } = cleanupAfterEach();

/** The CLI on a free port, persisting to `dir`; resolves once its banner says how many files it found. */
async function startCli(dir: string) {
  const cli = runCli(["--port", "0", "--persist", dir, "--quiet"], defer);
  const [, url, found] = await cli.waitForOutput(/listening on (http:\/\/\S+)[\s\S]*files kept in .* \((\d+) found\)/);
  return { ...cli, url: url!, found: Number(found) };
}

/** Uploads `body` in 64 KiB writes, yielding between them, so that a kill lands mid-body. */
function slowUpload(url: string, body: Uint8Array): Promise<{ status: number; storageId?: string }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      url,
      { method: "POST", headers: { "Content-Length": body.byteLength }, agent: false },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c)).on("error", reject);
        res.on("end", () => {
          const text = Buffer.concat(chunks).toString();
          resolve(
            res.statusCode === 200
              ? { status: 200, storageId: (JSON.parse(text) as { storageId: string }).storageId }
              : { status: res.statusCode! },
          );
        });
      },
    );
    req.on("error", reject);
    req.setTimeout(20_000, () => req.destroy(new Error("upload timed out")));
    let offset = 0;
    const next = () => {
      if (req.destroyed) return;
      if (offset >= body.byteLength) return void req.end();
      const chunk = body.subarray(offset, offset + 64 * 1024);
      offset += chunk.byteLength;
      req.write(chunk, () => setImmediate(next));
    };
    next();
  });
}

describe("crash", () => {
  it(`--persist: after kill -9 during uploads (seed ${SEED}), a restart serves every acknowledged upload byte-exact and no partial file`, async () => {
    const dir = tempDir("cse-crash-");
    const first = await startCli(dir);
    const { uploadUrl } = json(await send(`${first.url}/_emulator/upload-url`, { method: "POST" })) as {
      uploadUrl: string;
    };
    const random = prng(SEED + 5);
    const sizes = Array.from({ length: 400 }, () => random.pick([0, 1, 100, 64 * 1024, 256 * 1024, MiB, 2 * MiB]));

    // Every body is known by its sha256, so whatever the restarted server lists can be traced to an upload.
    const sent = new Map<string, number>(); // sha256 -> size
    const acknowledged: { storageId: string; sha256: string; size: number }[] = [];
    let failed = 0;
    let killed = false;
    const deadline = Date.now() + 20_000;
    await pool(400, 8, async (i) => {
      if (killed || Date.now() > deadline) return;
      const size = sizes[i]!;
      const body = bodyOf(SEED * 31 + i, size);
      const hash = sha256(body);
      sent.set(hash, size);
      try {
        const result = await slowUpload(uploadUrl, body);
        if (result.status !== 200) throw new Error(`upload ${i} answered ${result.status}`);
        acknowledged.push({ storageId: result.storageId!, sha256: hash, size });
      } catch (error) {
        if (!killed) throw error;
        failed++;
        return;
      }
      // Kill once enough uploads are acknowledged, while the other workers are mid-body.
      if (acknowledged.length === 60 && !killed) {
        killed = true;
        first.child.kill("SIGKILL");
      }
    });
    expect(killed, "the kill happened").toBe(true);
    expect(await first.exited).toBe("SIGKILL");
    expect(failed, "uploads cut off by the kill").toBeGreaterThan(0);

    const second = await startCli(dir);
    // Nothing half-written survives the restart.
    expect(readdirSync(join(dir, "partial"))).toEqual([]);
    const { files } = json(await send(`${second.url}/_emulator/files`)) as {
      files: { storageId: string; uuid: string; sha256: string; size: number; url: string }[];
    };
    expect(files).toHaveLength(second.found);
    expect(readdirSync(join(dir, "blobs")).sort()).toEqual(files.map((f) => f.uuid).sort());
    expect(readdirSync(join(dir, "meta")).sort()).toEqual(files.map((f) => `${f.uuid}.json`).sort());
    // Every acknowledged upload is there, and served byte-exact.
    const byId = new Map(files.map((f) => [f.storageId, f]));
    for (const a of acknowledged)
      expect(byId.get(a.storageId), a.storageId).toMatchObject({ sha256: a.sha256, size: a.size });
    // No unknown entry: anything else listed is a whole upload whose answer the kill swallowed.
    for (const f of files) expect(sent.get(f.sha256), `${f.storageId} is one of the uploads`).toBe(f.size);
    await pool(files.length, 8, async (i) => {
      const f = files[i]!;
      const res = await send(f.url);
      expect(res.status).toBe(200);
      expect(sha256(res.body), f.storageId).toBe(f.sha256);
      expect(res.body.length).toBe(f.size);
    });
    second.child.kill("SIGTERM");
    expect(await second.exited).toBe(0);
  });
});

describe("signals", () => {
  it("cli: SIGTERM or SIGINT the moment the first banner line appears: a clean exit 0, every time", async () => {
    // The handlers are installed before the banner is printed; a reader that stops the server on
    // seeing it must not kill it mid-start (it used to die of the signal, exit code null).
    for (let i = 0; i < 8; i++) {
      const cli = runCli(["--port", "0", "--quiet"], defer);
      await cli.waitForOutput(/listening on/);
      cli.child.kill(i % 2 === 0 ? "SIGTERM" : "SIGINT");
      expect(await cli.exited, `run ${i}`).toBe(0);
    }
  });
});
