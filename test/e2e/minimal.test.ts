// The same Serving Files flows without convex-test: the app's convex/http.ts
// with hand-written `run` functions, the smallest setup that works.
import { afterEach, describe, expect, it, vi } from "vitest";
import { cleanupAfterEach } from "../support/cleanup.js";
import { createStorageEmulator } from "convex-storage-emulator";
import { fixtures } from "../support/fixtures.js";
import { http } from "./chat-app.js";

const { defer } = cleanupAfterEach();
afterEach(() => {
  vi.unstubAllEnvs();
});

async function setup() {
  vi.stubEnv("CLIENT_ORIGIN", "http://localhost:5173");
  const saved: { name: string; args: unknown }[] = [];
  const emulator = createStorageEmulator({
    http,
    run: {
      // Stands in for api.messages.sendImage: remember what it was called with.
      mutation: async (ref, args) => {
        saved.push({ name: (ref as Record<symbol, string>)[Symbol.for("functionName")]!, args });
        return null;
      },
    },
  });
  const server = await emulator.listen({ port: 0 });
  defer(() => server.close());
  // The app's HTTP actions live on the site origin (a client's VITE_CONVEX_SITE_URL).
  return { emulator, saved, url: server.siteUrl };
}

describe("minimal setup", () => {
  it("sendImage: the HTTP action stores the body and calls the mutation with its id", async () => {
    const { emulator, saved, url } = await setup();
    const res = await fetch(`${url}/sendImage?author=User+123`, {
      method: "POST",
      headers: { "Content-Type": "image/png" },
      body: fixtures.png.bytes,
    });
    expect(res.status).toBe(200);
    const [file] = emulator.files();
    expect(file).toMatchObject({ contentType: "image/png", sha256: fixtures.png.sha256, source: "store" });
    expect(saved).toEqual([{ name: "messages:sendImage", args: { storageId: file!.storageId, author: "User 123" } }]);
    const image = await fetch(`${url}/getImage?storageId=${file!.storageId}`);
    expect(new Uint8Array(await image.arrayBuffer())).toEqual(fixtures.png.bytes);
  });

  it("upload flow: generateUploadUrl, POST, getUrl, with the emulator's views as ctx.storage", async () => {
    const { emulator } = await setup();
    const mutationCtx = { storage: emulator.writer };
    const queryCtx = { storage: emulator.reader };
    const postUrl = await mutationCtx.storage.generateUploadUrl();
    const { storageId } = (await (
      await fetch(postUrl, { method: "POST", headers: { "Content-Type": "image/jpeg" }, body: fixtures.jpeg.bytes })
    ).json()) as { storageId: string };
    const url = await queryCtx.storage.getUrl(storageId as never);
    const image = await fetch(url!);
    expect(image.headers.get("content-type")).toBe("image/jpeg");
    expect(new Uint8Array(await image.arrayBuffer())).toEqual(fixtures.jpeg.bytes);
  });

  it("runQuery without a run.query: a clear error, as a 500", async () => {
    const emulator = createStorageEmulator({ http });
    const server = await emulator.listen({ port: 0 });
    defer(() => server.close());
    const res = await fetch(`${server.siteUrl}/sendImage?author=X`, { method: "POST", body: "x" });
    expect(res.status).toBe(500);
    const message =
      "Uncaught StorageEmulatorError: [convex-storage-emulator] ctx.runMutation(messages:sendImage) was called, but no `run.mutation` was given. Pass createStorageEmulator({ http, run: { mutation: t.mutation } }) (convex-test's t, or your own function).";
    const body = (await res.json()) as { code: string; trace: string };
    expect(body.code).toMatch(/^\[Request ID: [0-9a-f]{16}\] Server Error: /);
    expect(body.code.slice("[Request ID: 0123456789abcdef] Server Error: ".length)).toBe(message);
    expect(body.trace.startsWith(`${message}\n    at `)).toBe(true);
    expect(emulator.journal.httpRequests("action")[0]).toMatchObject({
      status: 500,
      errorCode: "HttpActionError",
      errorMessage: body.code,
    });
  });

  it("createStorageEmulator: http that is not a router is a clear error", () => {
    expect(() => createStorageEmulator({ http: {} as never })).toThrow(
      "[convex-storage-emulator] Invalid option `http`: expected the HttpRouter your convex/http.ts exports (httpRouter()).",
    );
  });
});
