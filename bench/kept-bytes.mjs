// Bytes kept per stored byte (bench/connected.mjs --memory): 64 stores of 1 MiB Blobs, then GC,
// through convex-test alone (t.run + ctx.storage.store), convex-test connected to an emulator,
// or the emulator alone (storage.store). One case per process, run with --expose-gc:
//
//   node --expose-gc bench/kept-bytes.mjs '{"impl":"connected"}'   -> one JSON line
//
// `arrayBuffers` counts the stored bytes wherever they are kept (a Blob's or a buffer's).
import { randomBytes } from "node:crypto";
import { convexTest } from "convex-test";
import { DIST } from "./lib/dist.mjs";

const { impl, files = 64, size = 1 << 20 } = JSON.parse(process.argv[2] ?? "{}");
const { createStorageEmulator } = await import(new URL("index.js", DIST));
const { connectConvexTest } = await import(new URL("convex-test.js", DIST));
const modules = { "./_generated/api.js": async () => ({}) };

let store;
if (impl === "emulator") {
  const emulator = createStorageEmulator();
  store = (blob) => emulator.storage.store(blob);
} else {
  const t = convexTest(undefined, modules);
  if (impl === "connected") await connectConvexTest(t, createStorageEmulator(), { modules });
  store = (blob) => t.run((ctx) => ctx.storage.store(blob));
}
const settle = async () => {
  for (let i = 0; i < 4; i++) {
    globalThis.gc();
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
};
await store(new Blob([randomBytes(1024)]));
await settle();
const before = process.memoryUsage();
for (let i = 0; i < files; i++) await store(new Blob([randomBytes(size)]));
await settle();
const after = process.memoryUsage();
const per = (key) => (after[key] - before[key]) / (files * size);
process.stdout.write(`${JSON.stringify({ impl, arrayBuffersPerByte: per("arrayBuffers"), rssPerByte: per("rss") })}\n`);
