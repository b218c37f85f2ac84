// Convex's own clients against the emulator (issue 27): one mutation's round trip through
// ConvexClient over the sync WebSocket and through ConvexHttpClient over the HTTP API, against
// the same mutation through `t.mutation` in process (the same connected convex-test instance);
// then one mutation fanned out to N subscribed ConvexClients (time until the last one has it).
// Floors (bench/lib/client-floors.mjs), interleaved with the rest: the same frames over bare
// `ws` with JSON both ends, ConvexClient against a canned sync server, ConvexHttpClient against
// a canned node:http server: what the protocols cost without the emulator's own work.
// Everything runs in this one process (the emulator serves the app's functions from the
// convex-test instance it holds, so the server cannot be elsewhere); clients share its CPU.
//
//   node bench/clients.mjs [--samples 300] [--batches 5] [--fanout 100] [--rounds 20]
//   node bench/clients.mjs '{"samples":300,"fanout":100,"rounds":20}'   (run.mjs: one JSON line out)
//
// Needs `npm run build` first (it runs dist/; BENCH_DIST=<dir> runs another build's, for an A/B).
// Prints p50, p99 and CPU per op per path and the ratios to
// t.mutation (the goal: the WebSocket round trip within 1.5x of t.mutation at p50).
import { parseArgs } from "node:util";
import { ConvexClient, ConvexHttpClient } from "convex/browser";
import { convexTest } from "convex-test";
import { WebSocket } from "ws";
import { echoFloor, fakeHttp, fakeSync } from "./lib/client-floors.mjs";
import { quantile } from "./lib/stats.mjs";
import { DIST } from "./lib/dist.mjs";
import { bump, get, modules } from "./lib/counter-app.mjs";

// From run.mjs (runJsonChild): one JSON argument, one JSON line out; else flags and a readable report.
const JSON_MODE = process.argv[2]?.startsWith("{") === true;
const { values } = JSON_MODE
  ? { values: JSON.parse(process.argv[2]) }
  : parseArgs({
      options: {
        samples: { type: "string" },
        fanout: { type: "string" },
        rounds: { type: "string" },
        batches: { type: "string" },
      },
    });
const samples = Number(values.samples ?? 300);
const fanout = Number(values.fanout ?? 100);
const rounds = Number(values.rounds ?? 20);
const batches = Number(values.batches ?? 5);
const { createStorageEmulator } = await import(new URL("index.js", DIST));
const { connectConvexTest } = await import(new URL("convex-test.js", DIST));

const emulator = createStorageEmulator();
const t = convexTest(undefined, modules);
await connectConvexTest(t, emulator, { modules });
const server = await emulator.listen({ port: 0 });
const wsOptions = { webSocketConstructor: WebSocket, logger: false, unsavedChangesWarning: false };

// Each contender runs `batches` batches, the contenders' batches interleaved (the machine is shared:
// a slow minute hits every contender alike); p50/p99 over every sample, and CPU per op (this
// process's user + system time over the timed batches: client and server, both here).
async function interleaved(contenders) {
  const per = Math.max(1, Math.ceil(samples / batches));
  for (const c of contenders) for (let i = 0; i < Math.min(50, samples); i++) await c.op(); // warm-up
  const times = contenders.map(() => []);
  const cpu = contenders.map(() => 0);
  for (let batch = 0; batch < batches; batch++) {
    for (const [k, c] of contenders.entries()) {
      const undo = await c.before?.();
      const cpuStart = process.cpuUsage();
      for (let i = 0; i < per; i++) {
        const start = performance.now();
        await c.op();
        times[k].push(performance.now() - start);
      }
      const used = process.cpuUsage(cpuStart);
      cpu[k] += used.user + used.system;
      await undo?.();
    }
  }
  return contenders.map((c, k) => ({
    label: c.label,
    p50: quantile(times[k], 0.5),
    p99: quantile(times[k], 0.99),
    cpuUs: cpu[k] / times[k].length,
  }));
}

const http = new ConvexHttpClient(server.url, { logger: false });
const ws = new ConvexClient(server.url, wsOptions);
const wsSub = new ConvexClient(server.url, wsOptions);
const echo = await echoFloor();
const sync = await fakeSync();
const floorClient = new ConvexClient(sync.url, wsOptions);
const floorSub = new ConvexClient(sync.url, wsOptions);
const httpFloor = await fakeHttp();
const floorHttpClient = new ConvexHttpClient(httpFloor.url, { logger: false });
// The subscribed contender holds its subscription only during its own batches (useMutation + useQuery).
const subscribe = (client) => async () => {
  let first;
  const seen = new Promise((resolve) => (first = resolve));
  const unsubscribe = client.onUpdate(get, { name: "ws-sub" }, () => first());
  await seen;
  // The client sends its query set change on its own time: let it reach the server before the
  // next contender runs (or every write would still re-run the query).
  return async () => (unsubscribe(), await new Promise((resolve) => setTimeout(resolve, 50)));
};
const contenders = [
  { key: "inProcess", label: "t.mutation (in process)", op: () => t.mutation(bump, { name: "t" }) },
  { key: "echoFloor", label: "floor: bare ws + JSON, same frames", op: echo.op },
  {
    key: "syncFloor",
    label: "floor: ConvexClient, canned sync server",
    op: () => floorClient.mutation(bump, { name: "floor" }),
  },
  { key: "ws", label: "ConvexClient.mutation (WebSocket)", op: () => ws.mutation(bump, { name: "ws" }) },
  {
    key: "wsSubscribed",
    label: "ConvexClient.mutation, subscribed (WebSocket)",
    op: () => wsSub.mutation(bump, { name: "ws-sub" }),
    before: subscribe(wsSub),
  },
  {
    key: "syncFloorSubscribed",
    label: "floor: the same, canned sync server",
    op: () => floorSub.mutation(bump, { name: "ws-sub" }),
    before: subscribe(floorSub),
  },
  {
    key: "httpFloor",
    label: "floor: ConvexHttpClient, canned node:http",
    op: () => floorHttpClient.mutation(bump, { name: "floor" }),
  },
  { key: "http", label: "ConvexHttpClient.mutation (HTTP)", op: () => http.mutation(bump, { name: "http" }) },
];
const only = process.env.BENCH_ONLY?.split(","); // e.g. BENCH_ONLY=inProcess,ws while working
const named = await interleaved(only === undefined ? contenders : contenders.filter((c) => only.includes(c.key)));
const byKey = Object.fromEntries(named.map((row) => [contenders.find((c) => c.label === row.label).key, row]));

const base = byKey.inProcess;
for (const row of JSON_MODE ? [] : named) {
  process.stdout.write(
    `${row.label.padEnd(48)} p50 ${row.p50.toFixed(3)} ms  p99 ${row.p99.toFixed(3)} ms  CPU/op ${row.cpuUs.toFixed(0).padStart(4)} µs  ratio p50 ${(row.p50 / base.p50).toFixed(2)}x  p99 ${(row.p99 / base.p99).toFixed(2)}x  CPU ${(row.cpuUs / base.cpuUs).toFixed(2)}x\n`,
  );
}
await Promise.all([echo.close(), floorClient.close(), floorSub.close(), wsSub.close()]);
await Promise.all([sync.close(), httpFloor.close()]);

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
if (JSON_MODE) process.stdout.write(`${JSON.stringify({ ...byKey, fanout: { clients: fanout, ...fan } })}\n`);
else
  process.stdout.write(
    `one mutation to ${fanout} subscribed ConvexClients: last update p50 ${fan.p50.toFixed(2)} ms  p99 ${fan.p99.toFixed(2)} ms (${rounds} rounds)\n`,
  );

await Promise.all([ws.close(), ...subscribers.map((c) => c.close())]);
await server.close();
