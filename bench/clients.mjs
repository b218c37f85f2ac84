// Convex's own clients against the emulator (issue 27): one mutation's round trip through
// ConvexClient over the sync WebSocket and through ConvexHttpClient over the HTTP API, against
// the same mutation through `t.mutation` in process (the same connected convex-test instance);
// then one mutation fanned out to N subscribed ConvexClients (time until the last one has it).
// Everything runs in this one process (the emulator serves the app's functions from the
// convex-test instance it holds, so the server cannot be elsewhere); clients share its CPU.
//
//   node bench/clients.mjs [--samples 300] [--fanout 100] [--rounds 20]
//   node bench/clients.mjs '{"samples":300,"fanout":100,"rounds":20}'   (run.mjs: one JSON line out)
//
// Needs `npm run build` first (it runs dist/). Prints p50 and p99 per path and the ratios to
// t.mutation (the goal: the WebSocket round trip within 1.5x of t.mutation at p50).
import { parseArgs } from "node:util";
import { ConvexClient, ConvexHttpClient } from "convex/browser";
import { makeFunctionReference, mutationGeneric, queryGeneric } from "convex/server";
import { v } from "convex/values";
import { convexTest } from "convex-test";
import { WebSocket } from "ws";
import { quantile } from "./lib/stats.mjs";

// From run.mjs (runJsonChild): one JSON argument, one JSON line out; else flags and a readable report.
const JSON_MODE = process.argv[2]?.startsWith("{") === true;
const { values } = JSON_MODE
  ? { values: JSON.parse(process.argv[2]) }
  : parseArgs({ options: { samples: { type: "string" }, fanout: { type: "string" }, rounds: { type: "string" } } });
const samples = Number(values.samples ?? 300);
const fanout = Number(values.fanout ?? 100);
const rounds = Number(values.rounds ?? 20);
const DIST = new URL("../dist/", import.meta.url);
const { createStorageEmulator } = await import(new URL("index.js", DIST));
const { connectConvexTest } = await import(new URL("convex-test.js", DIST));

// The app: one counter document, a mutation that bumps it and a query that reads it.
const bench = {
  bump: mutationGeneric({
    args: { name: v.string() },
    handler: async (ctx, { name }) => {
      const row = await ctx.db.query("counters").filter((q) => q.eq(q.field("name"), name)).first();
      if (row === null) return await ctx.db.insert("counters", { name, value: 1 }), 1;
      await ctx.db.patch(row._id, { value: row.value + 1 });
      return row.value + 1;
    },
  }),
  get: queryGeneric({
    args: { name: v.string() },
    handler: async (ctx, { name }) => (await ctx.db.query("counters").filter((q) => q.eq(q.field("name"), name)).first())?.value ?? 0,
  }),
};
const modules = { "./_generated/api.js": async () => ({}), "./bench.js": async () => bench };
const bump = makeFunctionReference("bench:bump");
const get = makeFunctionReference("bench:get");

const emulator = createStorageEmulator();
const t = convexTest(undefined, modules);
await connectConvexTest(t, emulator, { modules });
const server = await emulator.listen({ port: 0 });
const wsOptions = { webSocketConstructor: WebSocket, logger: false, unsavedChangesWarning: false };

async function timeEach(label, op) {
  for (let i = 0; i < Math.min(50, samples); i++) await op(i); // warm-up
  const times = [];
  for (let i = 0; i < samples; i++) {
    const start = performance.now();
    await op(i);
    times.push(performance.now() - start);
  }
  return { label, p50: quantile(times, 0.5), p99: quantile(times, 0.99) };
}

const rows = [];
rows.push(await timeEach("t.mutation (in process)", () => t.mutation(bump, { name: "t" })));
const http = new ConvexHttpClient(server.url, { logger: false });
rows.push(await timeEach("ConvexHttpClient.mutation (HTTP)", () => http.mutation(bump, { name: "http" })));
const ws = new ConvexClient(server.url, wsOptions);
rows.push(await timeEach("ConvexClient.mutation (WebSocket)", () => ws.mutation(bump, { name: "ws" })));
// The same over the WebSocket with a subscription to what it writes (useMutation + useQuery).
ws.onUpdate(get, { name: "ws-sub" }, () => {});
rows.push(await timeEach("ConvexClient.mutation, subscribed (WebSocket)", () => ws.mutation(bump, { name: "ws-sub" })));

const base = rows[0];
for (const row of JSON_MODE ? [] : rows) {
  process.stdout.write(`${row.label.padEnd(48)} p50 ${row.p50.toFixed(3)} ms  p99 ${row.p99.toFixed(3)} ms  ratio p50 ${(row.p50 / base.p50).toFixed(2)}x  p99 ${(row.p99 / base.p99).toFixed(2)}x\n`);
}

// Fan-out: N clients subscribed to one query; one mutation; time until every client has the new value.
const subscribers = Array.from({ length: fanout }, () => new ConvexClient(server.url, wsOptions));
const latest = new Array(fanout).fill(-1);
let waiting = null;
subscribers.forEach((client, i) =>
  client.onUpdate(get, { name: "fan" }, (value) => {
    latest[i] = value;
    if (waiting !== null && latest.every((x) => x === waiting.value)) waiting.done();
  }),
);
const allAt = (value) =>
  new Promise((done) => {
    if (latest.every((x) => x === value)) return done();
    waiting = { value, done };
  });
await allAt(0);
const fanTimes = [];
for (let round = 0; round < rounds; round++) {
  const start = performance.now();
  const value = await t.mutation(bump, { name: "fan" });
  await allAt(value);
  fanTimes.push(performance.now() - start);
}
const fan = { p50: quantile(fanTimes, 0.5), p99: quantile(fanTimes, 0.99) };
if (JSON_MODE) process.stdout.write(`${JSON.stringify({ inProcess: rows[0], http: rows[1], ws: rows[2], wsSubscribed: rows[3], fanout: { clients: fanout, ...fan } })}\n`);
else process.stdout.write(`one mutation to ${fanout} subscribed ConvexClients: last update p50 ${fan.p50.toFixed(2)} ms  p99 ${fan.p99.toFixed(2)} ms (${rounds} rounds)\n`);

await Promise.all([ws.close(), ...subscribers.map((c) => c.close())]);
await server.close();
