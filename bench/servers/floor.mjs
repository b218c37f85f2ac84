// The floor of the HTTP rows: bare node:http (bare.mjs) plus the protocol's own work per
// request, in the plainest code, speaking enough of the emulator's routes for
// http-client.mjs's "emulator" kind. Upload: SHA-256 of the body, a random UUID and storage id,
// a frozen record in two Maps, a journal entry, CORS headers and the JSON answer. Serve: the
// lookup, then CORS and Convex's headers, and the kept chunks written as they are. No
// validation, limits, faults or streams: what any server doing this work in node:http costs
// (bench/LIMITS.md). run.mjs runs it at every size
// (the "floor" rows); by hand, start it like bare.mjs and point
// `http-client.mjs '{"kind":"emulator",…}'` at it.
import { createHash, randomBytes, randomUUID } from "node:crypto";
import { createServer } from "node:http";

const VARY = "origin, access-control-request-method, access-control-request-headers";
const FILE_PREFIX = "/api/storage/";
const byUuid = new Map();
const uuidById = new Map();
const journal = [];

function cors(res) {
  res.setHeader("Access-Control-Allow-Credentials", "true");
  res.setHeader("Vary", VARY);
}

const server = createServer((req, res) => {
  const at = Date.now();
  const started = performance.now();
  if (req.url === "/_emulator/upload-url") {
    res.end(
      JSON.stringify({
        uploadUrl: `http://127.0.0.1${FILE_PREFIX}upload?token=t`,
      }),
    );
    return;
  }
  if (req.url === "/_emulator/files") {
    const files = [...byUuid.values()].map((f) => ({
      storageId: f.storageId,
      url: `http://127.0.0.1${FILE_PREFIX}${f.uuid}`,
    }));
    res.end(JSON.stringify({ files }));
    return;
  }
  if (req.method === "POST") {
    const chunks = [];
    const hash = createHash("sha256");
    let size = 0;
    req.on("data", (chunk) => {
      hash.update(chunk);
      chunks.push(chunk);
      size += chunk.length;
    });
    req.on("end", () => {
      const uuid = randomUUID();
      const storageId = randomBytes(20).toString("base64url").slice(0, 32);
      const contentType = req.headers["content-type"] ?? null;
      byUuid.set(
        uuid,
        Object.freeze({
          storageId,
          uuid,
          size,
          sha256: hash.digest("base64"),
          contentType,
          creationTime: at,
          chunks,
        }),
      );
      uuidById.set(storageId, uuid);
      const answer = JSON.stringify({ storageId });
      cors(res);
      res.setHeader("Content-Type", "application/json");
      res.setHeader("Content-Length", Buffer.byteLength(answer));
      res.end(answer);
      journal.push({
        type: "http",
        route: "upload",
        method: "POST",
        path: `${FILE_PREFIX}upload`,
        status: 200,
        bytesIn: size,
        bytesOut: answer.length,
        storageId,
        at,
        durationMs: performance.now() - started,
      });
    });
    return;
  }
  const file = byUuid.get(req.url.slice(FILE_PREFIX.length));
  if (file === undefined) {
    res.writeHead(404, { "Content-Length": 0 });
    res.end();
    return;
  }
  cors(res);
  if (file.contentType !== null) res.setHeader("Content-Type", file.contentType);
  res.setHeader("Content-Length", file.size);
  res.setHeader("Digest", `sha-256=${file.sha256}`);
  res.setHeader("Cache-Control", "private, max-age=2592000");
  res.setHeader("Accept-Ranges", "bytes");
  // The kept chunks as they are, like the emulator: a Buffer.concat here would free a whole
  // file's worth of memory after each GET, which the next uploads reuse instead of faulting in
  // new pages (~20 us per 4 KiB on these VMs), and the floor's upload rows would measure that.
  const last = file.chunks.length - 1;
  for (let i = 0; i < last; i++) res.write(file.chunks[i]);
  res.end(file.chunks[last]);
  journal.push({
    type: "http",
    route: "serve",
    method: "GET",
    path: req.url,
    status: 200,
    bytesIn: 0,
    bytesOut: file.size,
    storageId: file.storageId,
    at,
    durationMs: performance.now() - started,
  });
});
server.requestTimeout = 0;
server.listen(0, "127.0.0.1", () => {
  process.stdout.write(`listening on http://127.0.0.1:${server.address().port}\n`);
});
const stop = () => {
  server.close(() => process.exit(0));
  server.closeAllConnections();
};
process.once("SIGTERM", stop).once("SIGINT", stop);
