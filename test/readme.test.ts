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
