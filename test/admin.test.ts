import { execFile } from "node:child_process";
import { promisify } from "node:util";
import request from "supertest";
import { describe, expect, it } from "vitest";
import {
  createStorageEmulator,
  type HttpRequestEntry,
  type JournalEntry,
  type StorageEmulatorOptions,
} from "../src/index.js";
import { matchRoute } from "../src/paths.js";
import { cleanupAfterEach } from "./support/cleanup.js";
import { fixtures } from "./support/fixtures.js";
import { waitFor } from "./support/wait.js";

const { defer } = cleanupAfterEach();

async function setup(options: StorageEmulatorOptions = {}) {
  const emulator = createStorageEmulator({ url: "http://127.0.0.1:3210", ...options });
  const png = await emulator.seed({ path: fixtures.png.path });
  return { emulator, app: emulator.app, png };
}

describe("admin", () => {
  it("GET /_emulator/health: reports the file count and bytes", async () => {
    const { app } = await setup();
    const res = await request(app).get("/_emulator/health");
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      ok: true,
      version: "0.1.0",
      url: "http://127.0.0.1:3210",
      siteUrl: "http://127.0.0.1:3211",
      files: 1,
      totalBytes: 475,
    });
  });

  it("GET /_emulator/files: lists files with their URL and image dimensions", async () => {
    const { app, emulator, png } = await setup();
    const res = await request(app).get("/_emulator/files");
    expect(res.status).toBe(200);
    const uuid = emulator.file(png)!.uuid;
    expect(res.body.files).toEqual([
      {
        ...emulator.file(png),
        url: `http://127.0.0.1:3210/api/storage/${uuid}`,
        image: { format: "png", width: 16, height: 16 },
      },
    ]);
  });

  it("GET /_emulator/events: the journal as server-sent events, the backlog first, then live", async () => {
    const { emulator } = await setup();
    const server = await emulator.listen({ port: 0 });
    defer(server);
    await emulator.storage.getUrl("nope" as never).catch(() => {});
    const controller = new AbortController();
    defer(() => controller.abort());
    const res = await fetch(`${server.url}/_emulator/events`, { signal: controller.signal });
    expect(res.headers.get("content-type")).toBe("text/event-stream; charset=utf-8");
    const reader = res.body!.pipeThrough(new TextDecoderStream()).getReader();
    let text = "";
    const until = async (pattern: RegExp) => {
      while (!pattern.test(text)) text += (await reader.read()).value ?? "";
    };
    await until(/"operation":"getUrl"/);
    await emulator.seed({ bytes: "live" });
    await emulator.storage.getUrl((await emulator.seed({ bytes: "x" })) as never);
    await until(/"operation":"getUrl".*\n\n[^]*"operation":"getUrl"/);
    const events = text.split("\n\n").filter(Boolean);
    expect(events[0]).toMatch(/^event: entry\ndata: \{"type":"storage","operation":"getUrl",.*"outcome":"error"/);
    expect(events.some((e) => /"outcome":"ok"/.test(e))).toBe(true);
  });

  it("POST /_emulator/faults: queues a fault the next request meets", async () => {
    const { app, emulator } = await setup();
    const res = await request(app).post("/_emulator/faults").send({ route: "upload", status: 503 });
    expect(res.status).toBe(200);
    expect(res.body.pending).toEqual([{ route: "upload", status: 503, times: 1, remaining: 1 }]);
    expect(emulator.faults.pending()).toHaveLength(1);
    const refused = await request(app).post("/_emulator/faults").send({ route: "download" });
    expect(refused.status).toBe(400);
    expect(refused.body.code).toBe("FaultInvalid");
  });

  it("GET /_emulator/files/:id: one file by storage id or UUID", async () => {
    const { app, emulator, png } = await setup();
    expect((await request(app).get(`/_emulator/files/${png}`)).body.storageId).toBe(png);
    expect((await request(app).get(`/_emulator/files/${emulator.file(png)!.uuid}`)).body.storageId).toBe(png);
  });

  it("GET /_emulator/files/:id/bytes: the raw bytes with the content type", async () => {
    const { app, png } = await setup();
    const res = await request(app)
      .get(`/_emulator/files/${png}/bytes`)
      .buffer(true)
      .parse((r, cb) => {
        const chunks: Buffer[] = [];
        r.on("data", (c: Buffer) => chunks.push(c)).on("end", () => cb(null, Buffer.concat(chunks)));
      });
    expect(res.status).toBe(200);
    expect(res.headers["content-type"]).toBe("image/png");
    expect(new Uint8Array(res.body as Buffer)).toEqual(fixtures.png.bytes);
  });

  it("DELETE /_emulator/files/:id: deletes the file", async () => {
    const { app, emulator, png } = await setup();
    const res = await request(app).delete(`/_emulator/files/${png}`);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ deleted: png });
    expect(emulator.files()).toEqual([]);
  });

  it("admin: an unknown id is 404 NotFound with a pinned message", async () => {
    const { app } = await setup();
    for (const req of [
      request(app).get("/_emulator/files/nope"),
      request(app).delete("/_emulator/files/nope"),
      request(app).get("/_emulator/files/nope/bytes"),
    ]) {
      const res = await req;
      expect(res.status).toBe(404);
      expect(res.body).toEqual({
        code: "NotFound",
        message: '[convex-storage-emulator] No stored file has the id "nope".',
      });
    }
  });

  it("POST /_emulator/reset: forgets every file", async () => {
    const { app, emulator } = await setup();
    const res = await request(app).post("/_emulator/reset");
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ ok: true });
    expect(emulator.files()).toEqual([]);
  });

  it("POST /_emulator/upload-url: a working upload URL without a Convex function", async () => {
    const { app, emulator } = await setup();
    const { body } = await request(app).post("/_emulator/upload-url");
    expect(body.uploadUrl).toMatch(/^http:\/\/127\.0\.0\.1:3210\/api\/storage\/upload\?token=[\w-]{32}$/);
    const url = new URL(body.uploadUrl as string);
    const res = await request(app)
      .post(url.pathname + url.search)
      .set("Content-Type", "text/plain")
      .send("hello");
    expect(res.status).toBe(200);
    expect(emulator.text(res.body.storageId as string)).toBe("hello");
  });

  it("GET /_emulator/: the page, with a strict CSP and its script beside it", async () => {
    const { app } = await setup();
    const page = await request(app).get("/_emulator/");
    expect(page.status).toBe(200);
    expect(page.headers["content-type"]).toBe("text/html; charset=utf-8");
    expect(page.headers["content-security-policy"]).toContain("script-src 'self'");
    // Relative to the page, so an emulator behind a path prefix works.
    expect(page.text).toContain('<script src="./page.js" defer></script>');
    const script = await request(app).get("/_emulator/page.js");
    expect(script.headers["content-type"]).toBe("text/javascript; charset=utf-8");
    expect(script.text).toContain('fetch("./files")');
    expect(script.text).not.toContain("/_emulator");
    // Stored values reach the page as text only.
    expect(script.text).not.toContain("innerHTML");
  });

  it("GET /_emulator: redirects to the page's own URL, so its relative URLs resolve", async () => {
    const { app } = await setup();
    const res = await request(app).get("/_emulator?x=1");
    expect(res.status).toBe(308);
    expect(res.headers.location).toBe("_emulator/?x=1");
  });

  it("admin: answers CORS to a loopback page on another port, preflight included", async () => {
    const { app } = await setup();
    const res = await request(app).post("/_emulator/upload-url").set("Origin", "http://localhost:5173");
    expect(res.headers["access-control-allow-origin"]).toBe("http://localhost:5173");
    const preflight = await request(app)
      .options("/_emulator/files")
      .set("Origin", "http://localhost:5173")
      .set("Access-Control-Request-Method", "DELETE");
    expect(preflight.status).toBe(200);
    expect(preflight.headers["access-control-allow-methods"]).toBe("GET,POST,OPTIONS,PATCH,DELETE,PUT");
  });

  it("admin: an unknown route is 404 JSON", async () => {
    const { app } = await setup();
    const res = await request(app).get("/nowhere");
    expect(res.status).toBe(404);
    expect(res.body).toEqual({ code: "NotFound", message: "[convex-storage-emulator] No route for GET /nowhere." });
  });

  it("admin: GET / on the cloud origin points to the storage routes and the admin page (not with admin: false)", async () => {
    const origin = "http://127.0.0.1:3210";
    const res = await request(createStorageEmulator().app).get("/");
    expect([res.status, res.headers["content-type"]]).toEqual([200, "text/plain; charset=utf-8"]);
    expect(res.text).toBe(
      `[convex-storage-emulator] Convex file storage: uploads POST ${origin}/api/storage/upload?token=…, files GET ${origin}/api/storage/<uuid>.\nThe admin page (files, requests, faults): ${origin}/_emulator/\n`,
    );
    const without = await request(createStorageEmulator({ admin: false }).app).get("/");
    expect(without.text).toBe(
      `[convex-storage-emulator] Convex file storage: uploads POST ${origin}/api/storage/upload?token=…, files GET ${origin}/api/storage/<uuid>.\n`,
    );
    expect((await request(createStorageEmulator().app).post("/")).status).toBe(404);
  });

  it("admin: with admin: false the routes do not exist", async () => {
    const { app } = await setup({ admin: false });
    expect((await request(app).get("/_emulator/health")).status).toBe(404);
    expect((await request(app).post("/_emulator/reset")).status).toBe(404);
  });

  it("GET /_emulator/health: a listening server answers it like the app, with CORS and a journal entry", async () => {
    const { emulator } = await setup();
    const server = defer(await emulator.listen({ port: 0 }));
    const res = await fetch(`${server.url}/_emulator/health`, { headers: { Origin: "http://localhost:5173" } });
    expect(res.status).toBe(200);
    expect(res.headers.get("access-control-allow-origin")).toBe("http://localhost:5173");
    expect(await res.json()).toEqual({
      ok: true,
      version: "0.1.0",
      url: "http://127.0.0.1:3210",
      siteUrl: server.siteUrl,
      files: 1,
      totalBytes: 475,
    });
    await waitFor(() => emulator.journal.httpRequests("admin").length === 1, { what: "the health request journaled" });
    expect(emulator.journal.httpRequests("admin")).toMatchObject([
      { method: "GET", path: "/_emulator/health", status: 200 },
    ]);
  });

  it("admin: a malformed %-escape in an id is 404 NotFound naming the id as sent", async () => {
    const { app } = await setup();
    const res = await request(app).get("/_emulator/files/%E0%A4%A");
    expect(res.status).toBe(404);
    expect(res.body).toEqual({
      code: "NotFound",
      message: '[convex-storage-emulator] No stored file has the id "%E0%A4%A".',
    });
  });

  it("admin: a trailing slash is the same route, HEAD answers a GET route without a body", async () => {
    const { app, png } = await setup();
    expect((await request(app).get("/_emulator/files/")).body.files).toHaveLength(1);
    const head = await request(app).head(`/_emulator/files/${png}/bytes`);
    expect(head.status).toBe(200);
    expect(head.headers["content-length"]).toBe("475");
    expect(head.headers["content-type"]).toBe("image/png");
    expect(head.text).toBeUndefined();
  });

  it("admin: an unknown admin route is 404 JSON, journaled once as an admin request", async () => {
    const { app, emulator } = await setup();
    const res = await request(app).put("/_emulator/files");
    expect(res.status).toBe(404);
    expect(res.body).toEqual({
      code: "NotFound",
      message: "[convex-storage-emulator] No route for PUT /_emulator/files.",
    });
    expect(emulator.journal.httpRequests()).toMatchObject([
      { route: "admin", method: "PUT", path: "/_emulator/files", status: 404 },
    ]);
  });

  it("admin: a listening server answers the admin routes without loading Express", async () => {
    // A child process: this one has loaded Express for the supertest apps. Express in the heap
    // doubled the major GCs a server ran while uploads streamed in (bench/LIMITS.md).
    const script = `
      import { createRequire } from "node:module";
      import { createStorageEmulator } from "./src/index.ts";
      const emulator = createStorageEmulator();
      const server = await emulator.listen({ port: 0 });
      const { uploadUrl } = await (await fetch(server.url + "/_emulator/upload-url", { method: "POST" })).json();
      await fetch(uploadUrl, { method: "POST", body: "hi" });
      const statuses = [];
      for (const path of ["/_emulator/files", "/_emulator/journal", "/_emulator/", "/_emulator/nope"]) statuses.push((await fetch(server.url + path)).status);
      const loaded = Object.keys(createRequire(import.meta.url).cache).filter((path) => /[\\/]node_modules[\\/]express[\\/]/.test(path));
      console.log(JSON.stringify({ statuses, loaded: loaded.length }));
      await emulator.close();
    `;
    const { stdout } = await promisify(execFile)(
      process.execPath,
      ["--import", "tsx", "--input-type=module", "-e", script],
      { cwd: process.cwd() },
    );
    expect(JSON.parse(stdout)).toEqual({ statuses: [200, 200, 200, 404], loaded: 0 });
  });

  it("matchRoute: named segments, one trailing slash ignored, anything else no match", () => {
    expect(matchRoute("/files/:storageId/bytes", "/files/a%20b/bytes")).toEqual({ storageId: "a%20b" });
    expect(matchRoute("/files", "/files/")).toEqual({});
    expect(matchRoute("/", "/")).toEqual({});
    expect(matchRoute("/files/:storageId", "/files/")).toBeNull();
    expect(matchRoute("/files/:storageId", "/files/a/b")).toBeNull();
    expect(matchRoute("/files", "/Files")).toBeNull();
  });

  it("admin: requests are journaled with their full path", async () => {
    const { app, emulator } = await setup();
    await request(app).get("/_emulator/health");
    expect(emulator.journal.httpRequests("admin")).toMatchObject([
      { method: "GET", path: "/_emulator/health", status: 200 },
    ]);
  });
});

describe("admin: seed, journal and faults", () => {
  const invalid = (detail: string) => ({
    code: "AdminRequestInvalid",
    message: `[convex-storage-emulator] GET /_emulator/journal: ${detail}`,
  });

  it("POST /_emulator/seed: the raw body becomes a seeded file with the Content-Type", async () => {
    const { app, emulator } = await setup();
    const res = await request(app)
      .post("/_emulator/seed")
      .set("Content-Type", "image/PNG")
      .send(Buffer.from(fixtures.png.bytes));
    expect(res.status).toBe(200);
    const { storageId } = res.body as { storageId: string };
    expect(emulator.file(storageId)).toMatchObject({
      contentType: "image/png",
      source: "seed",
      size: 475,
      sha256: fixtures.png.sha256,
    });
    expect(emulator.bytes(storageId)).toEqual(fixtures.png.bytes);
  });

  it("POST /_emulator/seed: without a Content-Type, ?name= gives it from the extension, else it is null", async () => {
    const { emulator } = await setup();
    const server = await emulator.listen({ port: 0 });
    try {
      const seed = async (query: string) => {
        const res = await fetch(`${server.url}/_emulator/seed${query}`, { method: "POST", body: fixtures.pdf.bytes });
        return emulator.file(((await res.json()) as { storageId: string }).storageId)!.contentType;
      };
      expect(await seed("?name=report.PDF")).toBe("application/pdf");
      expect(await seed("")).toBeNull();
    } finally {
      await server.close();
    }
  });

  it("POST /_emulator/seed: a malformed Content-Type is 400 BadHeader, nothing stored", async () => {
    const { app, emulator } = await setup();
    const res = await request(app).post("/_emulator/seed").set("Content-Type", "not a type").send("x");
    expect(res.status).toBe(400);
    expect(res.body).toEqual({ code: "BadHeader", message: "Bad header for content-type: invalid HTTP header" });
    expect(emulator.files()).toHaveLength(1);
  });

  it("GET /_emulator/journal: the entries, filtered by type, route and operation; admin requests only when asked", async () => {
    const { app, emulator, png } = await setup();
    await emulator.storage.getUrl(png as never);
    await request(app).get(`/api/storage/${emulator.file(png)!.uuid}`);
    await request(app).get("/_emulator/health");
    const list = async (query: string) =>
      ((await request(app).get(`/_emulator/journal${query}`)).body as { entries: JournalEntry[] }).entries;
    expect((await list("")).map((e) => (e.type === "http" ? `${e.route} ${e.status}` : e.operation))).toEqual([
      "getUrl",
      "serve 200",
    ]);
    expect(await list("?type=storage")).toEqual(emulator.journal.storageCalls());
    expect(await list("?operation=getUrl")).toMatchObject([
      { type: "storage", operation: "getUrl", storageId: png, outcome: "ok" },
    ]);
    expect(await list("?route=serve")).toEqual(emulator.journal.httpRequests("serve"));
    expect(await list("?type=http&operation=getUrl")).toEqual([]);
    expect((await list("?route=admin")).map((e) => (e as HttpRequestEntry).path)).toEqual([
      "/_emulator/health",
      "/_emulator/journal",
      "/_emulator/journal",
      "/_emulator/journal",
      "/_emulator/journal",
      "/_emulator/journal",
    ]);
  });

  it("GET /_emulator/journal: an unknown or repeated filter value is 400 AdminRequestInvalid", async () => {
    const { app } = await setup();
    const route = await request(app).get("/_emulator/journal?route=uploads");
    expect(route.status).toBe(400);
    expect(route.body).toEqual(
      invalid('`route` must be one of upload, serve, cors, admin, action, function, unknown; got "uploads".'),
    );
    expect((await request(app).get("/_emulator/journal?type=http&type=storage")).body).toEqual(
      invalid("`type` must be one of http, storage; got it more than once."),
    );
  });

  it("DELETE /_emulator/journal: clears it", async () => {
    const { app, emulator, png } = await setup();
    await emulator.storage.getUrl(png as never);
    expect((await request(app).delete("/_emulator/journal")).body).toEqual({ ok: true });
    expect(emulator.journal.storageCalls()).toEqual([]);
  });

  it("POST /_emulator/faults: queues a fault that applies; GET lists the pending ones; DELETE clears them", async () => {
    const { app, emulator, png } = await setup();
    const queued = await request(app)
      .post("/_emulator/faults")
      .send({ route: "serve", status: 503, error: "down", times: 2 });
    expect(queued.body).toEqual({ pending: [{ route: "serve", status: 503, error: "down", times: 2, remaining: 2 }] });
    await request(app).post("/_emulator/faults").send({ route: "get", delayMs: 5 });
    emulator.faults.next({ route: "store", error: new Error("disk full") });
    const served = await request(app).get(`/api/storage/${emulator.file(png)!.uuid}`);
    expect([served.status, served.body]).toEqual([503, { code: "InjectedFault", message: "down" }]);
    expect((await request(app).get("/_emulator/faults")).body).toEqual({
      pending: [
        { route: "serve", status: 503, error: "down", times: 2, remaining: 1 },
        { route: "get", delayMs: 5, times: 1, remaining: 1 },
        { route: "store", error: "disk full", times: 1, remaining: 1 },
      ],
    });
    expect((await request(app).delete("/_emulator/faults")).body).toEqual({ ok: true });
    expect(emulator.faults.pending()).toEqual([]);
  });

  it("POST /_emulator/faults: a bad fault is 400 with faults.next()'s message; an Error cannot cross the wire", async () => {
    const { app, emulator } = await setup();
    const bad = async (body: string | object) =>
      (await request(app).post("/_emulator/faults").set("Content-Type", "application/json").send(body)).body as unknown;
    expect(await bad({ route: "uploads" })).toEqual({
      code: "FaultInvalid",
      message:
        '[convex-storage-emulator] faults.next(): unknown route "uploads"; expected one of "upload", "serve", "store", "get", "getUrl", "delete", "generateUploadUrl", "getMetadata".',
    });
    expect(await bad({ route: "store", error: { message: "x" } })).toEqual({
      code: "FaultInvalid",
      message:
        "[convex-storage-emulator] faults.next(): over HTTP, `error` must be a string (the message); an Error object cannot cross the wire.",
    });
    expect(await bad("{route")).toMatchObject({
      code: "AdminRequestInvalid",
      message: expect.stringMatching(
        /^\[convex-storage-emulator\] POST \/_emulator\/faults: the body must be JSON \(.+\)\.$/,
      ),
    });
    expect(await bad({ route: "serve", padding: "x".repeat(70_000) })).toEqual({
      code: "AdminRequestInvalid",
      message: "[convex-storage-emulator] POST /_emulator/faults: the JSON body is larger than 65536 bytes.",
    });
    expect(emulator.faults.pending()).toEqual([]);
  });
});
