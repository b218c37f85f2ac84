// Load: many overlapping uploads and downloads through a real socket, with
// nothing lost and nothing corrupt. Sizes and bodies come from a seeded PRNG:
// set RELIABILITY_SEED to replay a failure.
import { Agent } from "node:http";
import { describe, expect, it } from "vitest";
import { cleanupAfterEach } from "../support/cleanup.js";
import { bodyOf, json, pool, prng, send, sha256 } from "./helpers.js";

const SEED = Number(process.env.RELIABILITY_SEED ?? 0x5eed);
const MiB = 1024 * 1024;
const MAX_SIZE = 4 * MiB;
const TYPES = [null, "image/png", "application/pdf", "text/plain; charset=utf-8", "application/octet-stream"] as const;

const { listening, defer } = cleanupAfterEach();

/** A listening emulator and a keep-alive agent capped at `sockets` connections. */
async function setup(sockets = 64) {
  const { emulator, server } = await listening();
  const agent = new Agent({ keepAlive: true, maxSockets: sockets });
  defer(() => agent.destroy());
  return { emulator, server, agent };
}

/**
 * Every size from 0 B to 4 MiB is possible; the spread is log-uniform so that
 * each magnitude (bytes, KiB, MiB) gets its share while the total stays in the
 * hundreds of MiB. The edges (0, 1, the 64 KiB streaming threshold, 4 MiB) always run.
 */
function sizes(count: number, random: ReturnType<typeof prng>): number[] {
  const edges = [0, 1, 64 * 1024 - 1, 64 * 1024, 64 * 1024 + 1, MAX_SIZE];
  const rest = Array.from({ length: count - edges.length }, () =>
    Math.min(MAX_SIZE, Math.floor(Math.exp(random.next() * Math.log(MAX_SIZE + 1))) - 1),
  );
  return [...edges, ...rest];
}

describe("load", () => {
  it(`upload: 1000 overlapping uploads of 0 B to 4 MiB (seed ${SEED}) are all stored and served back byte-exact`, async () => {
    const { emulator, agent } = await setup();
    const random = prng(SEED);
    const plan = sizes(1000, random).map((size, i) => ({
      size,
      seed: SEED * 7919 + i,
      contentType: random.pick(TYPES),
    }));
    const ids: string[] = new Array(plan.length);
    const hashes: string[] = new Array(plan.length);

    await pool(plan.length, 64, async (i) => {
      const { size, seed, contentType } = plan[i]!;
      const body = bodyOf(seed, size);
      hashes[i] = sha256(body);
      const headers: Record<string, string | number> = { "Content-Length": size };
      if (contentType !== null) headers["Content-Type"] = contentType;
      const res = await send(await emulator.storage.generateUploadUrl(), { method: "POST", headers, body, agent });
      expect(res.status, `upload ${i} (${size} B, seed ${SEED})`).toBe(200);
      ids[i] = json(res).storageId as string;
    });

    // Nothing lost, nothing extra: files() holds exactly the ids the uploads returned.
    const files = emulator.files();
    expect(files).toHaveLength(plan.length);
    expect(new Set(files.map((f) => f.storageId))).toEqual(new Set(ids));
    expect(emulator.fileStore.totalBytes).toBe(plan.reduce((sum, p) => sum + p.size, 0));

    // Nothing corrupt: every file read back over HTTP has its size, type and sha256.
    let corrupt = 0;
    await pool(plan.length, 64, async (i) => {
      const { size, contentType } = plan[i]!;
      const res = await send((await emulator.storage.getUrl(ids[i]!))!, { agent });
      const ok =
        res.status === 200 &&
        res.body.length === size &&
        sha256(res.body) === hashes[i] &&
        res.headers.digest === `sha-256=${hashes[i]}` &&
        (res.headers["content-type"] ?? null) === contentType &&
        emulator.file(ids[i]!)?.sha256 === hashes[i];
      if (!ok) corrupt++;
    });
    expect(corrupt, `corrupt files (seed ${SEED})`).toBe(0);
  });

  it(`serve: GETs racing deletes of the same files (seed ${SEED}) each get a whole 200 or a clean 404`, async () => {
    const { emulator, server, agent } = await setup();
    const random = prng(SEED + 1);
    // Sizes on both sides of the 64 KiB threshold: small files go out in one write, large ones stream.
    const stored = await Promise.all(
      Array.from({ length: 200 }, async (_, i) => {
        const bytes = bodyOf(SEED + i, random.pick([0, 10, 1000, 64 * 1024, 300 * 1024, MiB]));
        const storageId = await emulator.seed({ bytes });
        return { storageId, uuid: emulator.file(storageId)!.uuid, bytes, sha256: sha256(bytes) };
      }),
    );
    // Per file: three full GETs, one Range GET, one delete (half through ctx.storage, half through
    // the admin route), all shuffled together so that requests for one file overlap its delete.
    type Op = { kind: "get" | "range" | "delete"; file: number };
    const ops: Op[] = stored.flatMap((_, file): Op[] => [
      { kind: "get", file },
      { kind: "get", file },
      { kind: "get", file },
      { kind: "range", file },
      { kind: "delete", file },
    ]);
    for (let i = ops.length - 1; i > 0; i--) {
      const j = random.int(0, i);
      [ops[i], ops[j]] = [ops[j]!, ops[i]!];
    }
    const outcomes = { 200: 0, 206: 0, 404: 0, bad: [] as string[] };
    await pool(ops.length, 64, async (n) => {
      const { kind, file } = ops[n]!;
      const f = stored[file]!;
      if (kind === "delete") {
        if (file % 2 === 0) await emulator.storage.delete(f.storageId as never);
        else {
          const res = await send(`${server.url}/_emulator/files/${f.storageId}`, { method: "DELETE", agent });
          if (res.status !== 200) outcomes.bad.push(`admin DELETE ${file}: ${res.status}`);
        }
        return;
      }
      const headers: Record<string, string> = kind === "range" ? { Range: "bytes=5-" } : {};
      const res = await send(`${server.url}/api/storage/${f.uuid}`, { agent, headers });
      if (res.status === 404) {
        if (
          JSON.stringify(json(res)) !== JSON.stringify({ code: "FileNotFound", message: `File ${f.uuid} not found` })
        ) {
          outcomes.bad.push(`404 body of ${file}: ${res.body.toString()}`);
        }
        outcomes[404]++;
      } else if (res.status === 200) {
        if (sha256(res.body) !== f.sha256)
          outcomes.bad.push(`200 body of ${file} is not the file (${res.body.length} B)`);
        outcomes[200]++;
      } else if (res.status === 206 && kind === "range") {
        if (!res.body.equals(f.bytes.subarray(5))) outcomes.bad.push(`206 body of ${file} is not bytes 5-`);
        outcomes[206]++;
      } else {
        outcomes.bad.push(`${kind} ${file}: ${res.status}`);
      }
    });
    expect(outcomes.bad, `seed ${SEED}`).toEqual([]);
    expect(outcomes[200] + outcomes[206] + outcomes[404]).toBe(800);
    // The race really happened both ways.
    expect(outcomes[200]).toBeGreaterThan(0);
    expect(outcomes[404]).toBeGreaterThan(0);
    expect(emulator.files()).toEqual([]);
    expect(emulator.fileStore.totalBytes).toBe(0);
    expect((await send(`${server.url}/_emulator/health`, { agent })).status).toBe(200);
  });
});
