// One in-process case in a fresh process: for `ms` milliseconds (after a
// warm-up), run one op after another and count them. One op is
//   id = store(blob); (await get(id)).arrayBuffer(); getUrl(id)
// against one implementation:
//   limit       a plain Map of Blobs doing the equivalent (the ceiling)
//   copy        a plain Map that keeps a copy of each file's bytes, as any store whose
//               bytes(id) is synchronous must (a Blob cannot be read synchronously), and
//               builds a new Blob over it for each get: the floor of the emulator's design
//   emulator    createStorageEmulator().storage
//   convex-test convex-test 0.0.60, t.run(ctx => ctx.storage...)
//   connected   convex-test with an emulator connected (connectConvexTest)
//
//   node inprocess.mjs '{"impl":"emulator","size":1024,"ms":1000}'
import { randomBytes, randomUUID } from "node:crypto";
import { existsSync } from "node:fs";
import { DIST } from "./lib/dist.mjs";

const { impl, size, ms, warmupMs = 200 } = JSON.parse(process.argv[2]);
// BENCH_DIST: another build's dist/ (a directory path), for an A/B of two builds.
const blob = new Blob([randomBytes(size)], { type: "application/octet-stream" });
// Keep what is stored bounded: at most 3 GiB or 2M ops per case.
const maxOps = Math.min(2_000_000, Math.floor((3 * 1024 ** 3) / size));

async function makeOp() {
  switch (impl) {
    case "limit": {
      const map = new Map();
      const origin = "http://127.0.0.1:3210";
      return async () => {
        const id = randomUUID();
        map.set(id, blob);
        const got = map.get(id);
        const bytes = await got.arrayBuffer();
        const url = `${origin}/api/storage/${id}`;
        return bytes.byteLength + url.length;
      };
    }
    case "copy": {
      const map = new Map();
      const origin = "http://127.0.0.1:3210";
      return async () => {
        const id = randomUUID();
        map.set(id, new Uint8Array(await blob.arrayBuffer()));
        const got = new Blob([map.get(id)], { type: blob.type });
        const bytes = await got.arrayBuffer();
        const url = `${origin}/api/storage/${id}`;
        return bytes.byteLength + url.length;
      };
    }
    case "emulator": {
      const { createStorageEmulator } = await import(new URL("index.js", DIST));
      const { storage } = createStorageEmulator();
      return async () => {
        const id = await storage.store(blob);
        const bytes = await (await storage.get(id)).arrayBuffer();
        const url = await storage.getUrl(id);
        return bytes.byteLength + url.length;
      };
    }
    case "convex-test":
    case "connected": {
      const { convexTest } = await import("convex-test");
      const t = convexTest(undefined, { "_generated/api.js": async () => ({}) });
      if (impl === "connected") {
        if (!existsSync(new URL("convex-test.js", DIST))) throw new Error("pending: connectConvexTest not implemented");
        const { createStorageEmulator } = await import(new URL("index.js", DIST));
        const { connectConvexTest } = await import(new URL("convex-test.js", DIST));
        if (typeof connectConvexTest !== "function") throw new Error("pending: connectConvexTest not implemented");
        await connectConvexTest(t, createStorageEmulator());
      }
      return () =>
        t.run(async (ctx) => {
          const id = await ctx.storage.store(blob);
          const bytes = await (await ctx.storage.get(id)).arrayBuffer();
          const url = await ctx.storage.getUrl(id);
          return bytes.byteLength + url.length;
        });
    }
    default:
      throw new Error(`unknown impl ${impl}`);
  }
}

async function loop(op, durationMs, limit) {
  let ops = 0;
  let check = 0;
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  const deadline = t0 + durationMs;
  while (ops < limit) {
    check += await op();
    ops++;
    // Reading the clock every op costs ~50 ns; fine next to an op.
    if (performance.now() >= deadline) break;
  }
  const sec = (performance.now() - t0) / 1000;
  // CPU time of this process per op: far less moved by other load on a shared machine than ops/s.
  const cpu = process.cpuUsage(cpu0);
  const cpuUsPerOp = (cpu.user + cpu.system) / Math.max(ops, 1);
  const expected = size + 1; // every op returns size + a URL length, always > size
  if (ops > 0 && check / ops < expected) throw new Error(`${impl}: wrong result`);
  return { ops, sec, cpuUsPerOp };
}

let op;
try {
  op = await makeOp();
} catch (error) {
  const message = error instanceof Error ? error.message : String(error);
  if (message.startsWith("pending:")) {
    process.stdout.write(`${JSON.stringify({ pending: message })}\n`);
    process.exit(0);
  }
  throw error;
}
await loop(op, warmupMs, maxOps);
const { ops, sec, cpuUsPerOp } = await loop(op, ms, maxOps);
process.stdout.write(`${JSON.stringify({ ops, sec, opsPerSec: ops / sec, cpuUsPerOp })}\n`);
