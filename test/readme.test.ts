// The README's examples, verbatim: if one breaks, this file fails.
import { afterEach, expect, test } from "vitest";

const open: { close(): Promise<void> }[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((s) => s.close()));
});

// README: "Unit tests: ctx.storage in memory"
import { readFile } from "node:fs/promises";
import { createStorageEmulator } from "convex-storage-emulator";

test("stores a fixture and serves its URL", async () => {
  const emulator = createStorageEmulator();
  const ctx = { storage: emulator.storage }; // stands in for an action's ctx
  const png = new Blob([await readFile("fixtures/image.png")], { type: "image/png" });
  const storageId = await ctx.storage.store(png);
  expect(emulator.file(storageId)).toMatchObject({ contentType: "image/png", size: 475 });
  expect(await ctx.storage.getUrl(storageId)).toMatch(/^http:\/\/127\.0\.0\.1:3210\/api\/storage\/[0-9a-f-]{36}$/);
});
// README end

// README: "The 3-step upload over real HTTP"
test("the 3-step upload", async () => {
  const emulator = createStorageEmulator();
  const server = await emulator.listen({ port: 0 }); // a free port; URLs follow it
  open.push(server);
  // 1. generateUploadUrl() in a mutation
  const postUrl = await emulator.writer.generateUploadUrl();
  // 2. the client POSTs the raw file
  const result = await fetch(postUrl, {
    method: "POST",
    headers: { "Content-Type": "image/png" },
    body: await readFile("fixtures/image.png"),
  });
  const { storageId } = await result.json();
  // 3. the id is saved; getUrl serves the same bytes
  const served = await fetch((await emulator.reader.getUrl(storageId))!);
  expect(served.headers.get("content-type")).toBe("image/png");
  expect(new Uint8Array(await served.arrayBuffer())).toEqual(emulator.bytes(storageId));
});
// README end

// README: "Test the Serving Files flows"
import { convexTest } from "convex-test";
import { connectConvexTest } from "convex-storage-emulator/convex-test";
// In your app: schema from "./convex/schema", http from "./convex/http",
// api from "./convex/_generated/api", modules = import.meta.glob("./convex/**/*.ts").
import { api, http, modules, schema } from "./e2e/chat-app.js";

test("an uploaded image is listed with a URL that serves it", async () => {
  const t = convexTest(schema, modules);
  await using emulator = createStorageEmulator({
    http, // the app's convex/http.ts, unchanged
    run: { query: t.query, mutation: t.mutation, action: t.action },
  });
  await connectConvexTest(t, emulator);
  await emulator.listen({ port: 0 });

  // The 3-step upload, through the app's own mutations.
  const postUrl = await t.mutation(api.messages.generateUploadUrl, {});
  const png = await readFile("fixtures/image.png");
  const result = await fetch(postUrl, { method: "POST", headers: { "Content-Type": "image/png" }, body: png });
  const { storageId } = await result.json();
  await t.mutation(api.messages.sendImage, { storageId, author: "Ada" });

  // The query's URL serves the bytes; convex-test's db sees the _storage document.
  const [message] = await t.query(api.messages.list, {});
  const image = await fetch(message!.url!);
  expect(image.headers.get("content-type")).toBe("image/png");
  expect(await t.run((ctx) => ctx.db.system.get(storageId))).toMatchObject({ size: 475, contentType: "image/png" });

  // The HTTP action flow: POST /sendImage stores the body, GET /getImage serves it.
  const sent = await fetch(`${emulator.siteUrl}/sendImage?author=Ada`, { method: "POST", headers: { "Content-Type": "image/png" }, body: png });
  expect(sent.status).toBe(200);
  await t.run((ctx) => ctx.storage.delete(storageId));
  const deleted = await fetch(`${emulator.siteUrl}/getImage?storageId=${storageId}`);
  expect(deleted.status).toBe(404);
});
// README end
