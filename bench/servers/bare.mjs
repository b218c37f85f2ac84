// The baseline: bare node:http. PUT/POST reads the body into memory and keeps
// it in a Map, answering a small JSON body like an upload answer
// ({"storageId": …}); GET serves the bytes back. No validation, no hashing,
// no other headers: the cost of HTTP itself on this machine.
import { createServer } from "node:http";
import { installGcHook } from "./gc-hook.mjs";

const blobs = new Map();
const server = createServer((req, res) => {
  if (req.method === "PUT" || req.method === "POST") {
    const chunks = [];
    req.on("data", (c) => chunks.push(c));
    req.on("end", () => {
      blobs.set(req.url, chunks.length === 1 ? chunks[0] : Buffer.concat(chunks));
      const answer = `{"key":${JSON.stringify(req.url)}}`;
      res.writeHead(200, { "Content-Type": "application/json", "Content-Length": Buffer.byteLength(answer) });
      res.end(answer);
    });
    return;
  }
  const body = blobs.get(req.url);
  if (body === undefined) {
    res.writeHead(404, { "Content-Length": 0 });
    res.end();
    return;
  }
  res.writeHead(200, { "Content-Type": "application/octet-stream", "Content-Length": body.length });
  res.end(body);
});
server.requestTimeout = 0;
server.listen(0, "127.0.0.1", () => {
  process.stdout.write(`listening on http://127.0.0.1:${server.address().port}\n`);
});
installGcHook();
const stop = () => {
  server.close(() => process.exit(0));
  server.closeAllConnections();
};
process.once("SIGTERM", stop).once("SIGINT", stop);
