import { httpActionGeneric as httpAction, httpRouter } from "convex/server";
import { ConvexError } from "convex/values";
import { describe, expect, it } from "vitest";
import request from "supertest";
import { cleanupAfterEach } from "./support/cleanup.js";
import { createStorageEmulator, type StorageEmulatorOptions } from "../src/index.js";
import { HTTP_ACTION_RESPONSE_LIMIT } from "../src/http-actions.js";
import { fixtures } from "./support/fixtures.js";

const { defer } = cleanupAfterEach();

function router() {
  const http = httpRouter();
  http.route({
    path: "/echo",
    method: "POST",
    handler: httpAction(
      async (_ctx, req) =>
        new Response(await req.arrayBuffer(), {
          headers: {
            "Content-Type": req.headers.get("content-type") ?? "none",
            "X-Seen-Cookie": req.headers.get("x-multi") ?? "",
          },
        }),
    ),
  });
  http.route({
    path: "/cookies",
    method: "GET",
    handler: httpAction(async () => {
      const h = new Headers();
      h.append("Set-Cookie", "a=1");
      h.append("Set-Cookie", "b=2");
      h.append("X-List", "one");
      h.append("X-List", "two");
      return new Response("ok", { status: 201, headers: h });
    }),
  });
  http.route({
    pathPrefix: "/files/",
    method: "GET",
    handler: httpAction(async (_ctx, req) => new Response(`short prefix ${new URL(req.url).pathname}`)),
  });
  http.route({
    pathPrefix: "/files/images/",
    method: "GET",
    handler: httpAction(async (_ctx, req) => new Response(`long prefix ${new URL(req.url).pathname}`)),
  });
  http.route({
    path: "/throws",
    method: "GET",
    handler: httpAction(async () => {
      throw new Error("boom");
    }),
  });
  http.route({
    path: "/convex-error",
    method: "GET",
    handler: httpAction(async () => {
      throw new ConvexError({ reason: "quota" });
    }),
  });
  // One chunk over the limit (bytes: the backend declares its length).
  http.route({
    path: "/big",
    method: "GET",
    handler: httpAction(async () => new Response(new Uint8Array(HTTP_ACTION_RESPONSE_LIMIT + 1))),
  });
  // A stream: 20 MiB - 1, then a 2-byte chunk that would cross the limit, then 1 byte that still fits.
  http.route({
    path: "/big-stream",
    method: "GET",
    handler: httpAction(
      async () =>
        new Response(
          new ReadableStream({
            start(c) {
              c.enqueue(new Uint8Array(HTTP_ACTION_RESPONSE_LIMIT - 1).fill(1));
              c.enqueue(new Uint8Array([2, 2]));
              c.enqueue(new Uint8Array([3]));
              c.close();
            },
          }),
        ),
    ),
  });
  http.route({
    path: "/echo-size",
    method: "POST",
    handler: httpAction(async (_ctx, req) => new Response(String((await req.arrayBuffer()).byteLength))),
  });
  http.route({
    path: "/url",
    method: "GET",
    handler: httpAction(async (ctx, req) =>
      Response.json({ request: req.url, upload: await ctx.storage.generateUploadUrl() }),
    ),
  });
  http.route({ path: "/api/webhook", method: "POST", handler: httpAction(async () => new Response("webhook")) });
  http.route({
    path: "/who",
    method: "GET",
    handler: httpAction(async (ctx) => Response.json(await ctx.auth.getUserIdentity())),
  });
  http.route({
    path: "/store",
    method: "POST",
    handler: httpAction(async (ctx, req) => Response.json({ id: await ctx.storage.store(await req.blob()) })),
  });
  return http;
}

async function setup(options: StorageEmulatorOptions = {}) {
  const emulator = createStorageEmulator({ http: router(), ...options });
  const server = await emulator.listen({ port: 0 });
  defer(() => server.close());
  // HTTP actions are served on the site origin.
  return { emulator, server, url: server.siteUrl };
}

const HEX16 = "[0-9a-f]{16}";

describe("http actions", () => {
  it("routing: a binary body round-trips with its headers", async () => {
    const { url } = await setup();
    const res = await fetch(`${url}/echo`, {
      method: "POST",
      headers: { "Content-Type": "application/octet-stream", "X-Multi": "v" },
      body: fixtures.allBytes.bytes,
    });
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("application/octet-stream");
    expect(new Uint8Array(await res.arrayBuffer())).toEqual(fixtures.allBytes.bytes);
  });

  it("routing: status and multi-value headers are preserved, Set-Cookie included", async () => {
    const { url } = await setup();
    const res = await fetch(`${url}/cookies`);
    expect(res.status).toBe(201);
    expect(res.headers.getSetCookie()).toEqual(["a=1", "b=2"]);
    expect(res.headers.get("x-list")).toBe("one, two");
  });

  it("routing: the longest pathPrefix wins", async () => {
    const { url } = await setup();
    expect(await (await fetch(`${url}/files/images/cat.png`)).text()).toBe("long prefix /files/images/cat.png");
    expect(await (await fetch(`${url}/files/doc.pdf`)).text()).toBe("short prefix /files/doc.pdf");
  });

  it("routing: HEAD is served by the GET route, without a body", async () => {
    const { url } = await setup();
    const res = await fetch(`${url}/files/x`, { method: "HEAD" });
    expect(res.status).toBe(200);
    expect(await res.text()).toBe("");
  });

  it("origins: the site serves every path, /api included, with no CORS added; the cloud serves storage and admin only", async () => {
    const { server } = await setup();
    expect(server.siteUrl).not.toBe(server.url);
    const webhook = await fetch(`${server.siteUrl}/api/webhook`, {
      method: "POST",
      headers: { Origin: "http://app.example" },
    });
    expect(await webhook.text()).toBe("webhook");
    expect(webhook.headers.get("access-control-allow-origin")).toBeNull();
    expect(webhook.headers.get("vary")).toBeNull();
    // The storage routes are not on the site: there they are just unrouted paths.
    expect(await (await fetch(`${server.siteUrl}/api/storage/upload`)).text()).toBe(
      "No HttpAction routed for /api/storage/upload",
    );
    expect(await (await fetch(`${server.siteUrl}/_emulator/health`)).text()).toBe(
      "No HttpAction routed for /_emulator/health",
    );
    // And the actions are on the cloud origin only under /http/.
    expect((await fetch(`${server.url}/echo`, { method: "POST", body: "x" })).status).toBe(404);
    expect((await fetch(`${server.url}/_emulator/health`)).status).toBe(200);
  });

  // Fidelity: crates/local_backend/src/router.rs nests /http/ after the CORS layer; http_actions.rs builds request.url from Host and the nested path.
  it("origins: the cloud origin runs the HTTP actions under /http/<path>, on its own URL, without /api's CORS", async () => {
    const { emulator, server } = await setup();
    const webhook = await fetch(`${server.url}/http/api/webhook`, {
      method: "POST",
      headers: { Origin: "http://app.example" },
    });
    expect(await webhook.text()).toBe("webhook");
    expect(webhook.headers.get("access-control-allow-origin")).toBeNull();
    const { request } = (await (await fetch(`${server.url}/http/url?q=1`)).json()) as { request: string };
    expect(request).toBe(`${server.url}/url?q=1`);
    expect(await (await fetch(`${server.url}/http/files/doc.pdf`)).text()).toBe("short prefix /files/doc.pdf");
    expect(await (await fetch(`${server.url}/http/nothing`)).text()).toBe("No HttpAction routed for /nothing");
    await expect
      .poll(() => emulator.journal.httpRequests("action").at(-1))
      .toMatchObject({ path: "/http/nothing", status: 404 });
  });

  it("origins: upload and file URLs use the cloud origin, also inside an HTTP action; request.url is the site's", async () => {
    const { emulator, server } = await setup();
    const { request, upload } = (await (await fetch(`${server.siteUrl}/url?q=1`)).json()) as {
      request: string;
      upload: string;
    };
    expect(request).toBe(`${server.siteUrl}/url?q=1`);
    expect(upload.startsWith(`${server.url}/api/storage/upload?token=`)).toBe(true);
    expect(emulator.url).toBe(server.url);
    expect(emulator.siteUrl).toBe(server.siteUrl);
  });

  it("errors: a thrown handler error is the dev deployment's 500 JSON, journaled, and the server keeps serving", async () => {
    const { emulator, url } = await setup();
    const res = await fetch(`${url}/throws`);
    expect(res.status).toBe(500);
    expect(res.headers.get("content-type")).toBe("application/json");
    const text = await res.text();
    // Key order as the backend's serde_json (preserve_order): code, then trace.
    expect(text).toMatch(
      new RegExp(
        `^\\{"code":"\\[Request ID: ${HEX16}\\] Server Error: Uncaught Error: boom","trace":"Uncaught Error: boom\\\\n    at `,
      ),
    );
    const body = JSON.parse(text) as { code: string; trace: string };
    expect(body.trace.endsWith("\n")).toBe(true);
    expect(emulator.journal.httpRequests("action")[0]).toMatchObject({
      status: 500,
      errorCode: "HttpActionError",
      errorMessage: body.code,
    });
    // A fresh request id each time.
    const again = (await (await fetch(`${url}/throws`)).json()) as { code: string };
    expect(again.code).not.toBe(body.code);
    expect((await fetch(`${url}/files/a`)).status).toBe(200);
  });

  it("errors: a thrown ConvexError adds its data after code and trace", async () => {
    const { url } = await setup();
    const text = await (await fetch(`${url}/convex-error`)).text();
    const body = JSON.parse(text) as Record<string, unknown>;
    expect(Object.keys(body)).toEqual(["code", "trace", "data"]);
    expect(body.code).toMatch(
      new RegExp(`^\\[Request ID: ${HEX16}\\] Server Error: Uncaught ConvexError: \\{"reason":"quota"\\}$`),
    );
    expect(body.data).toEqual({ reason: "quota" });
  });

  it("errors: an unrouted path is the router's plain-text 404 with its content type", async () => {
    const { url } = await setup();
    const res = await fetch(`${url}/nowhere?x=1`);
    expect(res.status).toBe(404);
    expect(res.headers.get("content-type")).toBe("text/plain;charset=UTF-8");
    expect(res.headers.get("content-length")).toBe("33");
    expect(await res.text()).toBe("No HttpAction routed for /nowhere");
  });

  it("limits: a one-chunk response over 20 MiB is dropped whole: the transfer ends short of its Content-Length", async () => {
    const { emulator, url } = await setup();
    const res = await fetch(`${url}/big`);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-length")).toBe(String(HTTP_ACTION_RESPONSE_LIMIT + 1));
    await expect(res.arrayBuffer()).rejects.toThrow();
    await expect
      .poll(() => emulator.journal.httpRequests("action")[0])
      .toMatchObject({
        status: 0,
        bytesOut: 0,
        errorCode: "HttpResponseTooLarge",
        errorMessage: "HttpResponseTooLarge: HTTP actions support responses up to 20 MiB",
      });
  });

  it("limits: a streamed response drops the chunk that would cross 20 MiB and sends later ones that fit", async () => {
    const { emulator, url } = await setup();
    const res = await fetch(`${url}/big-stream`);
    const body = new Uint8Array(await res.arrayBuffer());
    expect(body.byteLength).toBe(HTTP_ACTION_RESPONSE_LIMIT);
    expect(body.at(-2)).toBe(1);
    expect(body.at(-1)).toBe(3);
    await expect
      .poll(() => emulator.journal.httpRequests("action")[0])
      .toMatchObject({ status: 200, bytesOut: HTTP_ACTION_RESPONSE_LIMIT, errorCode: "HttpResponseTooLarge" });
  });

  it("limits: a string, bytes, Blob or JSON body declares its Content-Length; a stream body has none", async () => {
    const http = httpRouter();
    const bodies: Record<string, () => Response> = {
      string: () => new Response("héllo"),
      bytes: () => new Response(new Uint8Array(7)),
      blob: () => new Response(new Blob(["abc"], { type: "text/plain" })),
      json: () => Response.json({ a: 1 }),
      stream: () =>
        new Response(
          new ReadableStream({
            start(c) {
              c.enqueue(new Uint8Array(4));
              c.close();
            },
          }),
        ),
    };
    for (const [kind, body] of Object.entries(bodies))
      http.route({ path: `/${kind}`, method: "GET", handler: httpAction(async () => body()) });
    const { emulator, url } = await setup({ http });
    const lengths: Record<string, (string | null)[]> = {};
    for (const kind of Object.keys(bodies)) {
      const [socket, inProcess] = [await fetch(`${url}/${kind}`), await emulator.fetch(`/${kind}`)];
      lengths[kind] = [socket.headers.get("content-length"), inProcess.headers.get("content-length")];
      await Promise.all([socket.arrayBuffer(), inProcess.arrayBuffer()]);
    }
    expect(lengths).toEqual({
      string: ["6", "6"],
      bytes: ["7", "7"],
      blob: ["3", "3"],
      json: ["7", "7"],
      stream: [null, null],
    });
  });

  it("limits: a request body over 20 MiB reaches the action (the backend does not refuse it)", async () => {
    const { url } = await setup();
    const res = await fetch(`${url}/echo-size`, {
      method: "POST",
      body: new Uint8Array(HTTP_ACTION_RESPONSE_LIMIT + 1),
    });
    expect(res.status).toBe(200);
    expect(await res.text()).toBe(String(HTTP_ACTION_RESPONSE_LIMIT + 1));
  });

  it("ctx.auth: null by default, the configured identity otherwise", async () => {
    expect(await (await fetch(`${(await setup()).url}/who`)).json()).toBeNull();
    const identity = { tokenIdentifier: "test|user1", subject: "user1", issuer: "test" };
    expect(await (await fetch(`${(await setup({ identity })).url}/who`)).json()).toEqual(identity);
  });

  it("ctx.storage: the action's storage is the emulator's", async () => {
    const { emulator, url } = await setup();
    const { id } = (await (
      await fetch(`${url}/store`, {
        method: "POST",
        headers: { "Content-Type": "text/plain" },
        body: "stored by an action",
      })
    ).json()) as { id: string };
    expect(emulator.text(id)).toBe("stored by an action");
    expect(emulator.file(id)?.contentType).toBe("text/plain");
  });

  it("listen: the cloud origin is a client's VITE_CONVEX_URL, the site origin its VITE_CONVEX_SITE_URL (docs/origins.md)", async () => {
    const emulator = createStorageEmulator({ http: router() });
    const saved = { url: process.env.VITE_CONVEX_URL, site: process.env.VITE_CONVEX_SITE_URL };
    defer(() =>
      Object.assign(process.env, { VITE_CONVEX_URL: saved.url ?? "", VITE_CONVEX_SITE_URL: saved.site ?? "" }),
    );
    // docs/origins.md: "Mapping a client's environment"
    const server = await emulator.listen({ port: 0 });
    process.env.VITE_CONVEX_URL = server.url; // = emulator.url
    process.env.VITE_CONVEX_SITE_URL = server.siteUrl; // = emulator.siteUrl
    defer(server);
    expect([process.env.VITE_CONVEX_URL, process.env.VITE_CONVEX_SITE_URL]).toEqual([emulator.url, emulator.siteUrl]);
    const echoed = await fetch(`${process.env.VITE_CONVEX_SITE_URL}/echo`, { method: "POST", body: "via the site" });
    expect(await echoed.text()).toBe("via the site");
    expect((await fetch(`${process.env.VITE_CONVEX_URL}/_emulator/health`)).status).toBe(200);
  });

  it("emulator.fetch: is the site in process, /api paths included; cloud URLs need a listening server, with a pinned message", async () => {
    const emulator = createStorageEmulator({ http: router() });
    expect(await (await emulator.fetch("/api/webhook", { method: "POST" })).text()).toBe("webhook");
    expect(await (await emulator.fetch("/api/storage/x")).text()).toBe("No HttpAction routed for /api/storage/x");
    expect(await (await emulator.fetch("/echo", { method: "POST", body: "hi" })).text()).toBe("hi");
    const id = await emulator.storage.store(new Blob(["file"]));
    const fileUrl = (await emulator.storage.getUrl(id))!;
    await expect(emulator.fetch(fileUrl)).rejects.toThrow(
      `[convex-storage-emulator] emulator.fetch("${fileUrl}") is a cloud-origin URL (storage, admin), which needs a listening server: await emulator.listen({ port: 0 }) first. Paths and site URLs run the HTTP actions in process.`,
    );
    const server = await emulator.listen({ port: 0 });
    defer(() => server.close());
    expect(await (await emulator.fetch((await emulator.storage.getUrl(id))!)).text()).toBe("file");
  });

  it("emulator.fetch: a one-chunk response over 20 MiB is dropped whole and the body fails short of its length, journaled", async () => {
    const emulator = createStorageEmulator({ http: router() });
    const res = await emulator.fetch("/big");
    expect(res.headers.get("content-length")).toBe(String(HTTP_ACTION_RESPONSE_LIMIT + 1));
    const reader = res.body!.getReader();
    let received = 0;
    const failure = await (async () => {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) return undefined;
        received += value.byteLength;
      }
    })().catch((error: unknown) => error);
    expect(received).toBe(0);
    expect(failure).toMatchObject({
      code: "HttpResponseTooLarge",
      message: "HttpResponseTooLarge: HTTP actions support responses up to 20 MiB",
    });
    expect(emulator.journal.httpRequests("action")).toMatchObject([
      { path: "/big", status: 0, bytesOut: 0, errorCode: "HttpResponseTooLarge" },
    ]);
  });

  it("emulator.fetch: a streamed response over 20 MiB ends after the chunks that fit, as on the socket", async () => {
    const emulator = createStorageEmulator({ http: router() });
    const res = await emulator.fetch("/big-stream");
    expect((await res.arrayBuffer()).byteLength).toBe(HTTP_ACTION_RESPONSE_LIMIT);
    await expect
      .poll(() => emulator.journal.httpRequests("action")[0])
      .toMatchObject({ status: 200, errorCode: "HttpResponseTooLarge" });
  });

  it("emulator.fetch: without a router, every path is the backend's 404 for a deployment without HTTP actions", async () => {
    const emulator = createStorageEmulator();
    const res = await emulator.fetch("/anything");
    expect(res.status).toBe(404);
    expect(res.headers.get("content-type")).toBe("text/plain; charset=utf-8");
    expect(await res.text()).toBe("This Convex deployment does not have HTTP actions enabled.");
  });

  it("listen: default ports are 3210 and 3211; port 0 picks two free ports; sitePort can be chosen", async () => {
    const emulator = createStorageEmulator();
    expect([emulator.url, emulator.siteUrl]).toEqual(["http://127.0.0.1:3210", "http://127.0.0.1:3211"]);
    const free = await emulator.listen({ port: 0 });
    expect(free.port).not.toBe(0);
    expect(free.sitePort).not.toBe(0);
    expect(free.sitePort).not.toBe(free.port);
    const chosen = free.sitePort;
    await free.close();
    const server = await emulator.listen({ port: 0, sitePort: chosen });
    defer(() => server.close());
    expect(server.siteUrl).toBe(`http://127.0.0.1:${chosen}`);
    expect(emulator.siteUrl).toBe(server.siteUrl);
  });

  it("listen: a taken site port fails with a pinned message and leaves the cloud port free", async () => {
    const first = createStorageEmulator();
    const taken = await first.listen({ port: 0 });
    defer(() => taken.close());
    const second = createStorageEmulator();
    await expect(second.listen({ port: 0, sitePort: taken.port })).rejects.toThrow(
      `[convex-storage-emulator] Port ${taken.port} on 127.0.0.1 is already in use. Stop what holds it, or pick another port (--site-port N, or listen({ port: 0 }) for a free one).`,
    );
    const retry = await second.listen({ port: 0 });
    defer(() => retry.close());
    expect(second.url).toBe(retry.url);
  });

  it("siteApp: the site origin for supertest; app is the cloud origin", async () => {
    const emulator = createStorageEmulator({ http: router() });
    const site = await request(emulator.siteApp).post("/api/webhook");
    expect(site.text).toBe("webhook");
    const cloud = await request(emulator.app).post("/api/webhook");
    expect(cloud.status).toBe(404);
  });
});
