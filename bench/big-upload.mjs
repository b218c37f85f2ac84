// One upload of `totalBytes`, streamed from a 1 MiB buffer (so the client
// holds 1 MiB, not the whole body), to the emulator or the bare server; with
// a Content-Length, or (`"chunked": true`) without one, as chunked encoding.
//
//   node big-upload.mjs '{"kind":"emulator","origin":"http://127.0.0.1:1234","totalBytes":1073741824}'
import { randomBytes } from "node:crypto";
import { request } from "undici";

const { kind, origin, totalBytes, chunkBytes = 1024 * 1024, chunked = false } = JSON.parse(process.argv[2]);
const chunk = randomBytes(chunkBytes);

async function* bodyChunks() {
  // Bounded: totalBytes / chunkBytes iterations.
  for (let sent = 0; sent < totalBytes; sent += chunkBytes) {
    yield sent + chunkBytes <= totalBytes ? chunk : chunk.subarray(0, totalBytes - sent);
  }
}

let url = `${origin}/big`;
let method = "PUT";
if (kind === "emulator") {
  const res = await request(`${origin}/_emulator/upload-url`, { method: "POST" });
  url = (await res.body.json()).uploadUrl;
  method = "POST";
}
const t0 = performance.now();
const res = await request(url, {
  method,
  headers: { "content-type": "application/octet-stream", ...(chunked ? {} : { "content-length": String(totalBytes) }) },
  body: bodyChunks(),
  headersTimeout: 300_000,
  bodyTimeout: 300_000,
});
const text = await res.body.text();
if (res.statusCode !== 200) throw new Error(`HTTP ${res.statusCode}: ${text.slice(0, 300)}`);
process.stdout.write(`${JSON.stringify({ sec: (performance.now() - t0) / 1000, totalBytes })}\n`);
