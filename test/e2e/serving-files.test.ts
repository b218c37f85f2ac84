// The flows of the Convex docs page "Serving Files", end to end: the seed's
// own convex/messages.ts and convex/http.ts run through convex-test with the
// emulator connected, over real HTTP.
import { convexTest } from "convex-test";
import { afterEach, describe, expect, it, vi } from "vitest";
import { cleanupAfterEach } from "../support/cleanup.js";
import { createStorageEmulator } from "convex-storage-emulator";
import { connectConvexTest } from "convex-storage-emulator/convex-test";
import { fixtures } from "../support/fixtures.js";
import { api, http, modules, schema } from "./chat-app.js";
const { defer } = cleanupAfterEach();
afterEach(() => {
  vi.unstubAllEnvs();
});

async function setup() {
  vi.stubEnv("CLIENT_ORIGIN", "http://localhost:5173");
  const t = convexTest(schema, modules);
  const emulator = createStorageEmulator({ http, run: { query: t.query, mutation: t.mutation, action: t.action } });
  await connectConvexTest(t, emulator);
  const server = await emulator.listen({ port: 0 });
  defer(() => server.close());
  // The app's HTTP actions live on the site origin (a client's VITE_CONVEX_SITE_URL).
  return { t, emulator, url: server.siteUrl };
}

describe("upload flow (generateUploadUrl -> POST -> sendImage -> list)", () => {
  it("upload flow: the message's url serves the same bytes as image/png", async () => {
    const { t, emulator } = await setup();
    // Step 1: a short-lived upload URL from the app's own mutation.
    const postUrl = await t.mutation(api.messages.generateUploadUrl, {});
    // Step 2: POST the file to the URL.
    const result = await fetch(postUrl, {
      method: "POST",
      headers: { "Content-Type": "image/png" },
      body: fixtures.png.bytes,
    });
    expect(result.ok).toBe(true);
    const { storageId } = (await result.json()) as { storageId: string };
    // Step 3: save the newly allocated storage id to the database.
    await t.mutation(api.messages.sendImage, { storageId: storageId as never, author: "User 123" });

    const [message] = await t.query(api.messages.list, {});
    expect(message).toMatchObject({ author: "User 123", format: "image", body: storageId });
    const image = await fetch(message!.url!);
    expect(image.status).toBe(200);
    expect(image.headers.get("content-type")).toBe("image/png");
    expect(new Uint8Array(await image.arrayBuffer())).toEqual(fixtures.png.bytes);
    expect(emulator.files()).toMatchObject([{ storageId, source: "upload", contentType: "image/png" }]);
  });

  it("upload flow: ctx.db.system sees the uploaded file's _storage document", async () => {
    const { t, emulator } = await setup();
    const postUrl = await t.mutation(api.messages.generateUploadUrl, {});
    const { storageId } = (await (
      await fetch(postUrl, { method: "POST", headers: { "Content-Type": "image/png" }, body: fixtures.png.bytes })
    ).json()) as { storageId: string };
    const docs = await t.run(async (ctx) => ({
      one: await ctx.db.system.get(storageId as never),
      all: await ctx.db.system.query("_storage").collect(),
    }));
    const expected = {
      _id: storageId,
      _creationTime: emulator.file(storageId)!.creationTime,
      sha256: fixtures.png.sha256,
      size: fixtures.png.size,
      contentType: "image/png",
    };
    expect(docs.one).toEqual(expected);
    expect(docs.all).toEqual([expected]);
  });

  it("upload flow: a file from t.run's ctx.storage is in the emulator and in _storage", async () => {
    const { t, emulator } = await setup();
    const storageId = await t.run(async (ctx) =>
      ctx.storage.store(new Blob([fixtures.text.bytes], { type: "text/plain" })),
    );
    expect(emulator.text(storageId)).toBe(new TextDecoder().decode(fixtures.text.bytes));
    const url = await t.run(async (ctx) => ctx.storage.getUrl(storageId));
    expect(url).toBe(`${emulator.url}/api/storage/${emulator.file(storageId)!.uuid}`);
    expect(await t.run(async (ctx) => ctx.storage.getMetadata(storageId))).toEqual({
      storageId: emulator.file(storageId)!.uuid,
      sha256: Buffer.from(fixtures.text.sha256, "base64").toString("hex"),
      size: fixtures.text.size,
      contentType: "text/plain",
    });
    await t.run(async (ctx) => ctx.storage.delete(storageId));
    expect(emulator.files()).toEqual([]);
    expect(await t.run(async (ctx) => ctx.db.system.query("_storage").collect())).toEqual([]);
  });
});

describe("HTTP action flow (POST /sendImage, GET /getImage)", () => {
  it("sendImage: stores the body and saves the message; getImage serves the bytes", async () => {
    const { t, emulator, url } = await setup();
    const sent = await fetch(`${url}/sendImage?author=User+123`, {
      method: "POST",
      headers: { "Content-Type": "image/png" },
      body: fixtures.png.bytes,
    });
    expect(sent.status).toBe(200);
    expect(sent.headers.get("access-control-allow-origin")).toBe("http://localhost:5173");
    expect(sent.headers.get("vary")).toBe("origin");

    const [message] = await t.query(api.messages.list, {});
    expect(message).toMatchObject({ author: "User 123", format: "image" });
    expect(emulator.file(message!.body)).toMatchObject({
      source: "store",
      contentType: "image/png",
      sha256: fixtures.png.sha256,
    });

    const image = await fetch(`${url}/getImage?storageId=${message!.body}`);
    expect(image.status).toBe(200);
    expect(image.headers.get("content-type")).toBe("image/png");
    expect(new Uint8Array(await image.arrayBuffer())).toEqual(fixtures.png.bytes);
  });

  it("getImage: a deleted or unknown id is 404 Image not found", async () => {
    const { t, url } = await setup();
    await fetch(`${url}/sendImage?author=A`, {
      method: "POST",
      headers: { "Content-Type": "image/png" },
      body: fixtures.png.bytes,
    });
    const [message] = await t.query(api.messages.list, {});
    await t.run(async (ctx) => ctx.storage.delete(message!.body as never));
    for (const id of [message!.body, "000000000000000000099999_storage"]) {
      const res = await fetch(`${url}/getImage?storageId=${id}`);
      expect(res.status).toBe(404);
      expect(await res.text()).toBe("Image not found");
    }
  });

  it("sendImage: the preflight answers with the seed's CORS headers", async () => {
    const { url } = await setup();
    const res = await fetch(`${url}/sendImage`, {
      method: "OPTIONS",
      headers: {
        Origin: "http://localhost:5173",
        "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "content-type",
      },
    });
    expect(res.status).toBe(200);
    expect(Object.fromEntries([...res.headers].filter(([k]) => k.startsWith("access-control")))).toEqual({
      "access-control-allow-origin": "http://localhost:5173",
      "access-control-allow-methods": "POST",
      "access-control-allow-headers": "Content-Type, Digest",
      "access-control-max-age": "86400",
    });
    const bare = await fetch(`${url}/sendImage`, { method: "OPTIONS" });
    expect(bare.status).toBe(200);
    expect(bare.headers.get("access-control-allow-origin")).toBeNull();
  });

  it("sendImage: CLIENT_ORIGIN is respected", async () => {
    const { url } = await setup();
    vi.stubEnv("CLIENT_ORIGIN", "https://mywebsite.com");
    const res = await fetch(`${url}/sendImage?author=B`, { method: "POST", body: "x" });
    expect(res.headers.get("access-control-allow-origin")).toBe("https://mywebsite.com");
  });

  it("t.fetch: convex-test's own fetch uses the emulator's storage too", async () => {
    const { t, emulator } = await setup();
    const res = await t.fetch("/sendImage?author=C", {
      method: "POST",
      headers: { "Content-Type": "image/jpeg" },
      body: fixtures.jpeg.bytes,
    });
    expect(res.status).toBe(200);
    expect(emulator.files()).toMatchObject([{ contentType: "image/jpeg", size: fixtures.jpeg.size }]);
  });

  it("emulator.fetch: runs the HTTP actions in process", async () => {
    const { t, emulator } = await setup();
    const res = await emulator.fetch("/sendImage?author=D", {
      method: "POST",
      headers: { "Content-Type": "image/png" },
      body: fixtures.png.bytes,
    });
    expect(res.status).toBe(200);
    const [message] = await t.query(api.messages.list, {});
    const image = await emulator.fetch(`/getImage?storageId=${message!.body}`);
    expect(new Uint8Array(await image.arrayBuffer())).toEqual(fixtures.png.bytes);
  });

  it("unknown route: 404 No HttpAction routed", async () => {
    const { url } = await setup();
    const res = await fetch(`${url}/nowhere`);
    expect(res.status).toBe(404);
    expect(await res.text()).toBe("No HttpAction routed for /nowhere");
  });
});

describe("isolation", () => {
  it("connectConvexTest: two instances with their own emulators do not cross-talk", async () => {
    const a = await setup();
    const b = await setup();
    const idA = await a.t.run(async (ctx) => ctx.storage.store(new Blob(["in a"])));
    const idB = await b.t.run(async (ctx) => ctx.storage.store(new Blob(["in b"])));
    // convex-test mints the same counter-based id in each instance; each emulator keeps its own.
    expect(a.emulator.text(idA)).toBe("in a");
    expect(b.emulator.text(idB)).toBe("in b");
    expect(a.emulator.files()).toHaveLength(1);
    expect(b.emulator.files()).toHaveLength(1);
  });

  it("connectConvexTest: an unconnected instance keeps convex-test's own storage", async () => {
    await setup();
    const plain = convexTest(schema, modules);
    const url = await plain.run(async (ctx) => ctx.storage.getUrl(await ctx.storage.store(new Blob(["x"]))));
    expect(url).toMatch(/^https:\/\/some-deployment\.convex\.cloud\/api\/storage\//);
  });

  it("connectConvexTest: refuses an emulator that already holds files, with a pinned message", async () => {
    const t = convexTest(schema, modules);
    const emulator = createStorageEmulator();
    await emulator.seed({ bytes: "early" });
    await expect(connectConvexTest(t, emulator)).rejects.toThrow(
      "[convex-storage-emulator] connectConvexTest: connect before storing files: this emulator already holds 1 file (stored, seeded, restored or found in its persist directory), and convex-test has no _storage documents for them. Connect a fresh emulator (without persist, or with an empty directory).",
    );
  });
});
