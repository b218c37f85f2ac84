// Per-test overhead, in one process:
//   lifecycle  createStorageEmulator() + listen({ port: 0 }) + one upload + close(),
//              against a bare http.createServer().listen(0) + one request + close();
//              interleaved, `iterations` each, after a warm-up.
//   reset      reset() with `resetFiles` 1 KiB files stored.
//   snapshot   snapshot() and restore() of `snapshotMiB` MiB (1 MiB files).
// Prints one JSON line.
//
//   node overhead.mjs '{"iterations":200,"resetFiles":10000,"resetRuns":5,"snapshotMiB":256,"snapshotRuns":3}'
import { randomBytes } from "node:crypto";
import { createServer, request } from "node:http";

const {
  iterations = 200,
  warmup = 20,
  resetFiles = 10_000,
  resetRuns = 5,
  snapshotMiB = 256,
  snapshotRuns = 3,
} = JSON.parse(process.argv[2] ?? "{}");
const { createStorageEmulator } = await import(new URL("../dist/index.js", import.meta.url));
const body = randomBytes(1024);

/** One POST with its own connection (Connection: close), like a test's first request. */
function post(url) {
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      {
        method: "POST",
        agent: false,
        headers: { "content-type": "application/octet-stream", "content-length": body.length },
      },
      (res) => {
        let n = 0;
        res.on("data", (c) => (n += c.length));
        res.on("end", () => (res.statusCode === 200 ? resolve(n) : reject(new Error(`HTTP ${res.statusCode}`))));
        res.on("error", reject);
      },
    );
    req.on("error", reject);
    req.end(body);
  });
}

async function emulatorOnce() {
  const t0 = performance.now();
  const emulator = createStorageEmulator();
  await emulator.listen({ port: 0 });
  await post(await emulator.storage.generateUploadUrl());
  await emulator.close();
  return performance.now() - t0;
}

async function bareOnce() {
  const t0 = performance.now();
  const blobs = new Map();
  const server = createServer((req, res) => {
    const chunks = [];
    req.on("data", (c) => chunks.push(c));
    req.on("end", () => {
      blobs.set(req.url, Buffer.concat(chunks));
      res.writeHead(200, { "content-length": 2 });
      res.end("{}");
    });
  });
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  await post(`http://127.0.0.1:${server.address().port}/k`);
  await new Promise((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });
  return performance.now() - t0;
}

const lifecycle = { emulator: [], bare: [] };
for (let i = 0; i < warmup + iterations; i++) {
  // Alternate which goes first so neither always runs on a warmer heap.
  const order = i % 2 ? ["emulator", "bare"] : ["bare", "emulator"];
  for (const which of order) {
    const ms = await (which === "emulator" ? emulatorOnce() : bareOnce());
    if (i >= warmup) lifecycle[which].push(ms);
  }
}

const reset = [];
for (let r = 0; r < resetRuns; r++) {
  const emulator = createStorageEmulator();
  const small = randomBytes(1024);
  for (let i = 0; i < resetFiles; i++) await emulator.seed({ bytes: small });
  if (emulator.files().length !== resetFiles) throw new Error("seed count");
  const t0 = performance.now();
  emulator.reset();
  reset.push(performance.now() - t0);
  if (emulator.files().length !== 0) throw new Error("reset left files");
}

const snapshot = [];
const restore = [];
for (let r = 0; r < snapshotRuns; r++) {
  const emulator = createStorageEmulator();
  const mib = randomBytes(1024 * 1024);
  for (let i = 0; i < snapshotMiB; i++) {
    mib.writeUInt32LE(i, 0); // distinct files
    await emulator.seed({ bytes: mib });
  }
  let t0 = performance.now();
  const snap = emulator.snapshot();
  snapshot.push(performance.now() - t0);
  const target = createStorageEmulator();
  t0 = performance.now();
  target.restore(snap);
  restore.push(performance.now() - t0);
  if (target.files().length !== snapshotMiB) throw new Error("restore count");
}

process.stdout.write(`${JSON.stringify({ lifecycle, reset, snapshot, restore, snapshotMiB, resetFiles })}\n`);
