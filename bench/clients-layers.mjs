// Where a ConvexClient mutation's time goes (issue 27), layer by layer, in one process, every
// layer interleaved in batches: the function alone (t.mutation), the emulator's own layers without
// a socket (hub.call; a SyncSession fed the Mutation frame until its Transition is encoded), the
// socket without the emulator (bare ws + JSON; ConvexClient against a canned sync server), the
// socket with the function but no session (a bare ws server calling hub.call), then the
// emulator's sync WebSocket with a bare ws client and with ConvexClient. Reads the emulator's
// internals from dist/, so it is a tool for working on src/server/clients/, not a bench row.
//
//   node bench/clients-layers.mjs [--samples 2000] [--batches 10]     (after npm run build)
import { createServer } from "node:http";
import { parseArgs } from "node:util";
import { ConvexClient } from "convex/browser";
import { convexTest } from "convex-test";
import { WebSocket, WebSocketServer } from "ws";
import { echoFloor, fakeSync } from "./lib/client-floors.mjs";
import { quantile } from "./lib/stats.mjs";
import { DIST } from "./lib/dist.mjs";
import { bump, modules } from "./lib/counter-app.mjs";

const { values } = parseArgs({ options: { samples: { type: "string" }, batches: { type: "string" } } });
const samples = Number(values.samples ?? 2000);
const batches = Number(values.batches ?? 10);
const { createStorageEmulator } = await import(new URL("index.js", DIST));
const { connectConvexTest } = await import(new URL("convex-test.js", DIST));
const { SyncSession } = await import(new URL("server/clients/sync-session.js", DIST));

const emulator = createStorageEmulator();
const t = convexTest(undefined, modules);
await connectConvexTest(t, emulator, { modules });
const server = await emulator.listen({ port: 0 });
const hub = emulator.clients;
const wsOptions = { webSocketConstructor: WebSocket, logger: false, unsavedChangesWarning: false };
const mutationFrame = (requestId, name) =>
  JSON.stringify({ type: "Mutation", requestId, udfPath: "bench:bump", args: [{ name }] });
let requestId = 0;

/** A bare ws client that resolves each round trip at the Transition. */
async function bareClient(url, hello) {
  const socket = new WebSocket(url, { perMessageDeflate: false });
  await new Promise((resolve, reject) => socket.once("open", resolve).once("error", reject));
  if (hello !== undefined) socket.send(hello);
  let waiting = null;
  socket.on("message", (data) => JSON.parse(String(data)).type === "Transition" && waiting?.());
  return {
    op: (name) => new Promise((resolve) => ((waiting = resolve), socket.send(mutationFrame(requestId++, name)))),
    close: () => socket.terminate(),
  };
}

// A SyncSession with no socket: the frame in, the Transition encoded out.
let sessionDone = null;
const session = new SyncSession(hub, {
  send: (message) => (JSON.stringify(message), message.type === "Transition" && sessionDone?.()),
  close: () => {},
});
hub.addSession(session);
session.handle(
  JSON.stringify({ type: "Connect", sessionId: "00000000-0000-4000-8000-000000000001", connectionCount: 0 }),
);

// A bare ws server that runs the frame's mutation through the hub and answers with canned frames.
const hubServer = createServer();
new WebSocketServer({ server: hubServer, perMessageDeflate: false }).on("connection", (socket) =>
  socket.on("message", async (data) => {
    const message = JSON.parse(String(data));
    const outcome = await hub.call(
      { kind: "mutation", path: message.udfPath, args: message.args[0], identity: null },
      "ws",
    );
    const version = { querySet: 0, identity: 0, ts: "AAAAAAAAAAA=" };
    socket.send(
      JSON.stringify({
        type: "MutationResponse",
        requestId: message.requestId,
        success: true,
        result: outcome.value,
        ts: version.ts,
        logLines: [],
      }),
    );
    socket.send(JSON.stringify({ type: "Transition", startVersion: version, endVersion: version, modifications: [] }));
  }),
);
await new Promise((resolve) => hubServer.listen(0, "127.0.0.1", resolve));

const echo = await echoFloor();
const sync = await fakeSync();
const cannedClient = new ConvexClient(sync.url, wsOptions);
const overHub = await bareClient(`ws://127.0.0.1:${hubServer.address().port}`);
const overEmulator = await bareClient(
  `${server.url.replace("http", "ws")}/api/1.30.0/sync`,
  JSON.stringify({ type: "Connect", sessionId: "00000000-0000-4000-8000-000000000002", connectionCount: 0 }),
);
const client = new ConvexClient(server.url, wsOptions);

const layers = [
  ["t.mutation in process", () => t.mutation(bump, { name: "t" })],
  [
    "hub.call (no socket)",
    () => hub.call({ kind: "mutation", path: "bench:bump", args: { name: "hub" }, identity: null }, "ws"),
  ],
  [
    "SyncSession.handle -> Transition (no socket)",
    () => new Promise((resolve) => ((sessionDone = resolve), session.handle(mutationFrame(requestId++, "session")))),
  ],
  ["bare ws + JSON, canned frames", echo.op],
  ["ConvexClient, canned sync server", () => cannedClient.mutation(bump, { name: "canned" })],
  ["bare ws server calling hub.call, bare client", () => overHub.op("overHub")],
  ["emulator's sync WebSocket, bare ws client", () => overEmulator.op("bare")],
  ["emulator's sync WebSocket, ConvexClient", () => client.mutation(bump, { name: "client" })],
];
const per = Math.ceil(samples / batches);
for (const [, op] of layers) for (let i = 0; i < 200; i++) await op();
const times = layers.map(() => []);
const cpu = layers.map(() => 0);
for (let batch = 0; batch < batches; batch++) {
  for (const [k, [, op]] of layers.entries()) {
    const start = process.cpuUsage();
    for (let i = 0; i < per; i++) {
      const began = performance.now();
      await op();
      times[k].push(performance.now() - began);
    }
    const used = process.cpuUsage(start);
    cpu[k] += used.user + used.system;
  }
}
for (const [k, [label]] of layers.entries()) {
  process.stdout.write(
    `${label.padEnd(46)} p50 ${(quantile(times[k], 0.5) * 1000).toFixed(0).padStart(4)} µs  p99 ${(quantile(times[k], 0.99) * 1000).toFixed(0).padStart(5)} µs  CPU/op ${(cpu[k] / times[k].length).toFixed(0).padStart(4)} µs\n`,
  );
}
overHub.close();
overEmulator.close();
await Promise.all([echo.close(), cannedClient.close(), client.close()]);
await Promise.all([sync.close(), server.close(), new Promise((resolve) => hubServer.close(resolve))]);
process.exit(0);
