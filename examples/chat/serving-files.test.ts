// The docs' "Serving Files" flows with convex-test, against the emulator, using this
// app's convex/ folder unchanged. docs/http-actions.md shows this test verbatim.

// docs/http-actions.md: "With convex-test"
import { expect, test } from "vitest";
import { convexTest } from "convex-test";
import { createStorageEmulator } from "convex-storage-emulator";
import { connectConvexTest } from "convex-storage-emulator/convex-test";
import schema from "./convex/schema";
import http from "./convex/http";
import { api } from "./convex/_generated/api";
const modules = import.meta.glob("./convex/**/*.ts");

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
  const png = Buffer.from(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAIAAACQd1PeAAAADElEQVR42mP4z8AAAAMBAQD3A0FDAAAAAElFTkSuQmCC",
    "base64",
  ); // a 1×1 PNG
  const result = await fetch(postUrl, { method: "POST", headers: { "Content-Type": "image/png" }, body: png });
  const { storageId } = await result.json();
  await t.mutation(api.messages.sendImage, { storageId, author: "Ada" });

  // The query's URL serves the bytes; convex-test's db sees the _storage document.
  const [message] = await t.query(api.messages.list, {});
  const image = await fetch(message!.url!);
  expect(image.headers.get("content-type")).toBe("image/png");
  expect(await t.run((ctx) => ctx.db.system.get("_storage", storageId))).toMatchObject({
    size: 69,
    contentType: "image/png",
  });

  // The HTTP action flow: POST /sendImage stores the body, GET /getImage serves it.
  const sent = await fetch(`${emulator.siteUrl}/sendImage?author=Ada`, {
    method: "POST",
    headers: { "Content-Type": "image/png" },
    body: png,
  });
  expect(sent.status).toBe(200);
  await t.run((ctx) => ctx.storage.delete(storageId));
  const deleted = await fetch(`${emulator.siteUrl}/getImage?storageId=${storageId}`);
  expect(deleted.status).toBe(404);
});
// docs end
