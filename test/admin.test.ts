import request from "supertest";
import { describe, expect, it } from "vitest";
import { createStorageEmulator, type StorageEmulatorOptions } from "../src/index.js";
import { fixtures } from "./fixtures.js";

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
    expect(res.body).toEqual({ ok: true, version: "0.1.0", url: "http://127.0.0.1:3210", files: 1, totalBytes: 475 });
  });

  it("GET /_emulator/files: lists files with their URL", async () => {
    const { app, emulator, png } = await setup();
    const res = await request(app).get("/_emulator/files");
    expect(res.status).toBe(200);
    const uuid = emulator.file(png)!.uuid;
    expect(res.body.files).toEqual([
      { ...emulator.file(png), url: `http://127.0.0.1:3210/api/storage/${uuid}` },
    ]);
  });

  it("GET /_emulator/files/:id: one file by storage id or UUID", async () => {
    const { app, emulator, png } = await setup();
    expect((await request(app).get(`/_emulator/files/${png}`)).body.storageId).toBe(png);
    expect((await request(app).get(`/_emulator/files/${emulator.file(png)!.uuid}`)).body.storageId).toBe(png);
  });

  it("GET /_emulator/files/:id/bytes: the raw bytes with the content type", async () => {
    const { app, png } = await setup();
    const res = await request(app).get(`/_emulator/files/${png}/bytes`).buffer(true).parse((r, cb) => {
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
    for (const req of [request(app).get("/_emulator/files/nope"), request(app).delete("/_emulator/files/nope"), request(app).get("/_emulator/files/nope/bytes")]) {
      const res = await req;
      expect(res.status).toBe(404);
      expect(res.body).toEqual({ code: "NotFound", message: '[convex-storage-emulator] No stored file has the id "nope".' });
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
    const res = await request(app).post(url.pathname + url.search).set("Content-Type", "text/plain").send("hello");
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

  it("admin: answers CORS like /api, so a page on another origin can use it", async () => {
    const { app } = await setup();
    const res = await request(app).post("/_emulator/upload-url").set("Origin", "http://localhost:5173");
    expect(res.headers["access-control-allow-origin"]).toBe("http://localhost:5173");
    const preflight = await request(app).options("/_emulator/files").set("Origin", "http://localhost:5173").set("Access-Control-Request-Method", "DELETE");
    expect(preflight.status).toBe(200);
    expect(preflight.headers["access-control-allow-methods"]).toBe("GET,POST,OPTIONS,PATCH,DELETE,PUT");
  });

  it("admin: an unknown route is 404 JSON", async () => {
    const { app } = await setup();
    const res = await request(app).get("/nowhere");
    expect(res.status).toBe(404);
    expect(res.body).toEqual({ code: "NotFound", message: "[convex-storage-emulator] No route for GET /nowhere." });
  });

  it("admin: with admin: false the routes do not exist", async () => {
    const { app } = await setup({ admin: false });
    expect((await request(app).get("/_emulator/health")).status).toBe(404);
    expect((await request(app).post("/_emulator/reset")).status).toBe(404);
  });

  it("admin: requests are journaled with their full path", async () => {
    const { app, emulator } = await setup();
    await request(app).get("/_emulator/health");
    expect(emulator.journal.httpRequests("admin")).toMatchObject([{ method: "GET", path: "/_emulator/health", status: 200 }]);
  });
});
