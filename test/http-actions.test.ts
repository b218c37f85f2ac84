import { httpActionGeneric as httpAction, httpRouter } from "convex/server";
import { describe, expect, it } from "vitest";
import { cleanupAfterEach } from "./cleanup.js";
import { createStorageEmulator, type StorageEmulatorOptions } from "../src/index.js";
import { HTTP_ACTION_RESPONSE_LIMIT } from "../src/http-actions.js";
import { fixtures } from "./fixtures.js";

const { defer } = cleanupAfterEach();

function router() {
  const http = httpRouter();
  http.route({ path: "/echo", method: "POST", handler: httpAction(async (_ctx, req) => new Response(await req.arrayBuffer(), { headers: { "Content-Type": req.headers.get("content-type") ?? "none", "X-Seen-Cookie": req.headers.get("x-multi") ?? "" } })) });
  http.route({ path: "/cookies", method: "GET", handler: httpAction(async () => { const h = new Headers(); h.append("Set-Cookie", "a=1"); h.append("Set-Cookie", "b=2"); h.append("X-List", "one"); h.append("X-List", "two"); return new Response("ok", { status: 201, headers: h }); }) });
  http.route({ pathPrefix: "/files/", method: "GET", handler: httpAction(async (_ctx, req) => new Response(`short prefix ${new URL(req.url).pathname}`)) });
  http.route({ pathPrefix: "/files/images/", method: "GET", handler: httpAction(async (_ctx, req) => new Response(`long prefix ${new URL(req.url).pathname}`)) });
  http.route({ path: "/throws", method: "GET", handler: httpAction(async () => { throw new Error("boom"); }) });
  http.route({ path: "/big", method: "GET", handler: httpAction(async () => new Response(new Uint8Array(HTTP_ACTION_RESPONSE_LIMIT + 1))) });
  http.route({ path: "/big-declared", method: "GET", handler: httpAction(async () => new Response("x", { headers: { "Content-Length": String(HTTP_ACTION_RESPONSE_LIMIT + 1) } })) });
  http.route({ path: "/who", method: "GET", handler: httpAction(async (ctx) => Response.json(await ctx.auth.getUserIdentity())) });
  http.route({ path: "/store", method: "POST", handler: httpAction(async (ctx, req) => Response.json({ id: await ctx.storage.store(await req.blob()) })) });
  http.route({ path: "/api/shadowed", method: "GET", handler: httpAction(async () => new Response("never")) });
  return http;
}

async function setup(options: StorageEmulatorOptions = {}) {
  const emulator = createStorageEmulator({ http: router(), ...options });
  const server = await emulator.listen({ port: 0 });
  defer(() => server.close());
  return { emulator, url: server.url };
}

describe("http actions", () => {
  it("routing: a binary body round-trips with its headers", async () => {
    const { url } = await setup();
    const res = await fetch(`${url}/echo`, { method: "POST", headers: { "Content-Type": "application/octet-stream", "X-Multi": "v" }, body: fixtures.allBytes.bytes });
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

  it("routing: /api and /_emulator take precedence over HTTP actions", async () => {
    const { url } = await setup();
    expect((await fetch(`${url}/api/shadowed`)).status).toBe(404);
    expect((await fetch(`${url}/_emulator/health`)).status).toBe(200);
  });

  it("errors: a thrown handler error is a 500, journaled, and the server keeps serving", async () => {
    const { emulator, url } = await setup();
    const res = await fetch(`${url}/throws`);
    expect(res.status).toBe(500);
    expect(await res.json()).toEqual({ code: "HttpActionError", message: "Uncaught error in HTTP action GET /throws: boom" });
    expect(emulator.journal.httpRequests("action")[0]).toMatchObject({ status: 500, errorCode: "HttpActionError", errorMessage: "Uncaught error in HTTP action GET /throws: boom" });
    expect((await fetch(`${url}/files/a`)).status).toBe(200);
  });

  it("limits: a response over 20 MiB is cut, never delivered whole", async () => {
    const { emulator, url } = await setup();
    await expect(fetch(`${url}/big`).then((r) => r.arrayBuffer())).rejects.toThrow();
    await expect.poll(() => emulator.journal.httpRequests("action")[0]?.errorCode).toBe("HttpResponseTooLarge");
  });

  it("limits: a response declaring over 20 MiB is a 500 with the limit's message", async () => {
    const { url } = await setup();
    const res = await fetch(`${url}/big-declared`);
    expect(res.status).toBe(500);
    expect(await res.json()).toEqual({
      code: "HttpResponseTooLarge",
      message: "HTTP action response is larger than the limit of 20971520 bytes (20 MiB). Serve large files through ctx.storage.getUrl() instead.",
    });
  });

  it("ctx.auth: null by default, the configured identity otherwise", async () => {
    expect(await (await fetch(`${(await setup()).url}/who`)).json()).toBeNull();
    const identity = { tokenIdentifier: "test|user1", subject: "user1", issuer: "test" };
    expect(await (await fetch(`${(await setup({ identity })).url}/who`)).json()).toEqual(identity);
  });

  it("ctx.storage: the action's storage is the emulator's", async () => {
    const { emulator, url } = await setup();
    const { id } = (await (await fetch(`${url}/store`, { method: "POST", headers: { "Content-Type": "text/plain" }, body: "stored by an action" })).json()) as { id: string };
    expect(emulator.text(id)).toBe("stored by an action");
    expect(emulator.file(id)?.contentType).toBe("text/plain");
  });

  it("emulator.fetch: storage routes need a listening server, with a pinned message", async () => {
    const emulator = createStorageEmulator({ http: router() });
    await expect(emulator.fetch("/api/storage/x")).rejects.toThrow(
      '[convex-storage-emulator] emulator.fetch("/api/storage/x") needs a listening server for the storage and admin routes: await emulator.listen({ port: 0 }) first.',
    );
    const res = await emulator.fetch("/echo", { method: "POST", body: "hi" });
    expect(await res.text()).toBe("hi");
  });

  it("emulator.fetch: a response over 20 MiB delivers exactly the limit, then fails, and is journaled", async () => {
    const emulator = createStorageEmulator({ http: router() });
    const res = await emulator.fetch("/big");
    const reader = res.body!.getReader();
    let received = 0;
    const failure = await (async () => {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) return undefined;
        received += value.byteLength;
      }
    })().catch((error: unknown) => error);
    expect(received).toBe(HTTP_ACTION_RESPONSE_LIMIT);
    expect(failure).toMatchObject({
      code: "HttpResponseTooLarge",
      message: "HTTP action response is larger than the limit of 20971520 bytes (20 MiB). Serve large files through ctx.storage.getUrl() instead.",
    });
    expect(emulator.journal.httpRequests("action")).toMatchObject([
      { path: "/big", status: 0, bytesOut: HTTP_ACTION_RESPONSE_LIMIT, errorCode: "HttpResponseTooLarge" },
    ]);
  });

  it("emulator.fetch: a response declaring over 20 MiB is a 500, as on the socket", async () => {
    const emulator = createStorageEmulator({ http: router() });
    const res = await emulator.fetch("/big-declared");
    expect(res.status).toBe(500);
    expect(await res.json()).toMatchObject({ code: "HttpResponseTooLarge" });
  });

  it("emulator.fetch: without a router, every action path is 404", async () => {
    const emulator = createStorageEmulator();
    const res = await emulator.fetch("/anything");
    expect(res.status).toBe(404);
  });
});
