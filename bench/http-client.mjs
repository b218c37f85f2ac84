// One benchmark client process: an undici Pool of 8 connections against one
// server. Upload phase: for `uploadMs`, 8 workers each send new uploads
// (a new key each, the same random body); then the serve phase GETs every
// uploaded key once. Prints one JSON line with counts and elapsed times and,
// given the server's pid, the server's CPU time (user + system, from
// /proc/<pid>/stat) spent in each timed phase.
//
//   node http-client.mjs '{"kind":"emulator","origin":"http://127.0.0.1:1234","size":1024,"uploadMs":2000}'
import { randomBytes } from "node:crypto";
import { Pool } from "undici";
import { ACCOUNT, VERSION as AZ_VERSION, accountSas } from "./lib/azure.mjs";
import { procStat } from "./lib/proc.mjs";

const {
  kind,
  origin,
  size,
  uploadMs,
  connections = 8,
  maxUploads = 1_000_000,
  serve = true,
  warmupMs = 300,
  serverPid,
} = JSON.parse(process.argv[2]);
/** The server's CPU time (ms) and minor page faults so far, or NaNs without a pid. */
const serverStat = () => (serverPid === undefined ? { cpuMs: NaN, minorFaults: NaN } : procStat(serverPid));
const pool = new Pool(origin, { connections, pipelining: 1, headersTimeout: 120_000, bodyTimeout: 120_000 });
const body = randomBytes(size);

async function expectOk(res, what) {
  if (res.statusCode < 200 || res.statusCode > 299) {
    const text = await res.body.text();
    throw new Error(`${what}: HTTP ${res.statusCode} ${text.slice(0, 300)}`);
  }
}

/** Drains a response body, returning its length. */
async function drain(stream) {
  let n = 0;
  for await (const chunk of stream) n += chunk.length;
  return n;
}

async function setup() {
  switch (kind) {
    case "emulator": {
      const res = await pool.request({ method: "POST", path: "/_emulator/upload-url" });
      await expectOk(res, "upload-url");
      const u = new URL((await res.body.json()).uploadUrl);
      // One upload URL for every upload: a Convex upload token is reusable for an hour.
      return { uploadPath: u.pathname + u.search };
    }
    case "azurite": {
      const sas = accountSas();
      const res = await pool.request({
        method: "PUT",
        path: `/${ACCOUNT}/bench?restype=container&${sas}`,
        headers: { "x-ms-version": AZ_VERSION },
      });
      await expectOk(res, "create container");
      await res.body.dump();
      return { sas };
    }
    default:
      return {};
  }
}

function uploadRequest(ctx, i) {
  const key = `k${i.toString(36)}-${process.pid}`;
  switch (kind) {
    case "emulator":
      return {
        key: null,
        req: { method: "POST", path: ctx.uploadPath, headers: { "content-type": "application/octet-stream" }, body },
      };
    case "bare":
      return { key: `/${key}`, req: { method: "PUT", path: `/${key}`, body } };
    case "s3rver":
      return {
        key: `/bench/${key}`,
        req: { method: "PUT", path: `/bench/${key}`, headers: { "content-type": "application/octet-stream" }, body },
      };
    case "azurite":
      return {
        key: `/${ACCOUNT}/bench/${key}?${ctx.sas}`,
        req: {
          method: "PUT",
          path: `/${ACCOUNT}/bench/${key}?${ctx.sas}`,
          headers: {
            "x-ms-blob-type": "BlockBlob",
            "x-ms-version": AZ_VERSION,
            "content-type": "application/octet-stream",
          },
          body,
        },
      };
    default:
      throw new Error(`unknown kind ${kind}`);
  }
}

let next = 0;

async function uploadPhase(ctx, durationMs) {
  const keys = [];
  const t0 = performance.now();
  const deadline = t0 + durationMs;
  const worker = async () => {
    // Bounded by time and by maxUploads.
    while (performance.now() < deadline && next < maxUploads) {
      const { key, req } = uploadRequest(ctx, next++);
      const res = await pool.request(req);
      await expectOk(res, `upload ${req.path}`);
      if (kind === "emulator") keys.push((await res.body.json()).storageId);
      else {
        await res.body.dump();
        keys.push(key);
      }
    }
  };
  await Promise.all(Array.from({ length: connections }, worker));
  return { keys, sec: (performance.now() - t0) / 1000 };
}

/** Emulator: storage ids -> /api/storage/<uuid> paths (what getUrl returns), outside the timed phases. */
async function servePaths(ids) {
  if (kind !== "emulator") return ids;
  const res = await pool.request({ method: "GET", path: "/_emulator/files" });
  await expectOk(res, "files");
  const { files } = await res.body.json();
  const byId = new Map(files.map((f) => [f.storageId, new URL(f.url).pathname]));
  return ids.map((id) => {
    const path = byId.get(id);
    if (path === undefined) throw new Error(`uploaded ${id} is not listed`);
    return path;
  });
}

async function servePhase(paths) {
  let next = 0;
  let bytes = 0;
  const t0 = performance.now();
  const worker = async () => {
    while (next < paths.length) {
      const path = paths[next++];
      const res = await pool.request({
        method: "GET",
        path,
        headers: kind === "azurite" ? { "x-ms-version": AZ_VERSION } : {},
      });
      await expectOk(res, `GET ${path}`);
      const n = await drain(res.body);
      if (n !== size) throw new Error(`GET ${path}: ${n} bytes, expected ${size}`);
      bytes += n;
    }
  };
  await Promise.all(Array.from({ length: connections }, worker));
  return { sec: (performance.now() - t0) / 1000, bytes };
}

try {
  const ctx = await setup();
  let warmUploads = 0;
  if (warmupMs > 0) {
    // Untimed warm-up of both phases (JIT, connections): a few uploads, then GET them.
    const warm = await uploadPhase(ctx, warmupMs);
    if (serve) await servePhase(await servePaths(warm.keys));
    warmUploads = warm.keys.length;
  }
  const before = serverStat();
  const up = await uploadPhase(ctx, uploadMs);
  const afterUploads = serverStat();
  const paths = serve ? await servePaths(up.keys) : [];
  const beforeServe = serverStat();
  const served = serve ? await servePhase(paths) : { sec: 0 };
  const afterServe = serverStat();
  // Server CPU per request in µs, each timed phase alone (the untimed GET /_emulator/files between them is left out).
  const uploadCpuUs = ((afterUploads.cpuMs - before.cpuMs) * 1000) / up.keys.length;
  const serveCpuUs = serve ? ((afterServe.cpuMs - beforeServe.cpuMs) * 1000) / paths.length : NaN;
  const uploadFaults = (afterUploads.minorFaults - before.minorFaults) / up.keys.length;
  process.stdout.write(
    `${JSON.stringify({ warmUploads, uploads: up.keys.length, uploadSec: up.sec, serves: paths.length, serveSec: served.sec, uploadCpuUs, serveCpuUs, uploadFaults })}\n`,
  );
} finally {
  await pool.close();
}
