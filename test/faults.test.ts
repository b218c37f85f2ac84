import { request as httpRequest } from "node:http";
import { describe, expect, it } from "vitest";
import type { StorageEmulatorOptions } from "../src/index.js";
import { cleanupAfterEach } from "./support/cleanup.js";
import { failure } from "./support/failure.js";
import { fixtures } from "./support/fixtures.js";
import { waitFor } from "./support/wait.js";

const { listening } = cleanupAfterEach();

/** An emulator listening on a free port, an upload helper and a stored file's URL maker. */
async function setup(options: StorageEmulatorOptions = {}) {
  const { emulator, server } = await listening(options);
  const upload = async (body: BodyInit, headers: Record<string, string> = {}) =>
    fetch(await emulator.storage.generateUploadUrl(), { method: "POST", headers, body });
  const storedUrl = async (bytes: Uint8Array | string = fixtures.allBytes.bytes) =>
    (await emulator.storage.getUrl(await emulator.seed({ bytes })))!;
  return { emulator, server, upload, storedUrl };
}

const defaultMessage = (route: string) =>
  `[convex-storage-emulator] Injected fault: faults.next({ route: "${route}" }) made this fail.`;

describe("upload faults", () => {
  it("upload: a status fault answers it with an InjectedFault body and stores nothing", async () => {
    const { emulator, upload } = await setup();
    emulator.faults.next({ route: "upload", status: 500 });
    const res = await upload(fixtures.png.bytes, { "Content-Type": "image/png" });
    expect(res.status).toBe(500);
    expect(res.headers.get("connection")).toBe("close");
    expect(await res.json()).toEqual({ code: "InjectedFault", message: defaultMessage("upload") });
    expect(emulator.files()).toEqual([]);
    await waitFor(() => emulator.journal.httpRequests("upload").length === 1);
    expect(emulator.journal.httpRequests("upload")[0]).toMatchObject({ status: 500, errorCode: "InjectedFault" });
  });

  it("upload: `error` is the body's message; without `status` it is a 500", async () => {
    const { emulator, upload } = await setup();
    emulator.faults.next({ route: "upload", error: "disk on fire" });
    const res = await upload("x");
    expect(res.status).toBe(500);
    expect(await res.json()).toEqual({ code: "InjectedFault", message: "disk on fire" });
  });

  it("upload: a fault with only a route fails with 500", async () => {
    const { emulator, upload } = await setup();
    emulator.faults.next({ route: "upload" });
    expect((await upload("x")).status).toBe(500);
    expect((await upload("x")).status).toBe(200);
  });

  it("upload: a status fault answers before the token is checked", async () => {
    const { emulator, server } = await setup();
    emulator.faults.next({ route: "upload", status: 503 });
    const res = await fetch(`${server.url}/api/storage/upload?token=forged`, { method: "POST", body: "x" });
    expect(res.status).toBe(503);
  });

  it("upload: abortAfterBytes cuts the connection after that many body bytes; nothing stored", async () => {
    const { emulator } = await setup();
    emulator.faults.next({ route: "upload", abortAfterBytes: 1000 });
    const url = new URL(await emulator.storage.generateUploadUrl());
    const outcome = await new Promise<string>((resolve) => {
      const req = httpRequest(url, { method: "POST", headers: { "Content-Length": String(200_000) } }, (res) =>
        resolve(`answered ${res.statusCode}`),
      );
      req.on("error", (error: NodeJS.ErrnoException) => resolve(error.code ?? error.message));
      req.end(new Uint8Array(200_000));
    });
    expect(outcome).toMatch(/^(ECONNRESET|EPIPE)$/);
    await waitFor(() => emulator.journal.httpRequests("upload").length === 1);
    expect(emulator.journal.httpRequests("upload")[0]).toMatchObject({
      status: 0,
      errorCode: "InjectedFault",
      bytesIn: 1000,
    });
    expect(emulator.files()).toEqual([]);
    expect(emulator.fileStore.totalBytes).toBe(0);
  });

  it("upload: abortAfterBytes fails fetch, and the next upload works", async () => {
    const { emulator, upload } = await setup();
    emulator.faults.next({ route: "upload", abortAfterBytes: 0 });
    await expect(upload(fixtures.png.bytes)).rejects.toThrow("fetch failed");
    expect(emulator.files()).toEqual([]);
    expect((await upload(fixtures.png.bytes)).status).toBe(200);
    expect(emulator.files()).toHaveLength(1);
  });

  it("upload: delayMs delays the answer, then the upload is stored", async () => {
    const { emulator, upload } = await setup();
    emulator.faults.next({ route: "upload", delayMs: 150 });
    const started = performance.now();
    const res = await upload("slow");
    // Timers fire on whole milliseconds: allow a little rounding.
    expect(performance.now() - started).toBeGreaterThanOrEqual(145);
    expect(res.status).toBe(200);
    expect(emulator.files().map((f) => emulator.text(f.storageId))).toEqual(["slow"]);
  });
});

describe("serve faults", () => {
  it("serve: delayMs delays the response", async () => {
    const { emulator, storedUrl } = await setup();
    const url = await storedUrl();
    emulator.faults.next({ route: "serve", delayMs: 150 });
    const started = performance.now();
    const res = await fetch(url);
    expect(new Uint8Array(await res.arrayBuffer())).toEqual(fixtures.allBytes.bytes);
    expect(performance.now() - started).toBeGreaterThanOrEqual(145);
  });

  it("serve: abortAfterBytes cuts the download mid-body; the next request is served whole", async () => {
    const { emulator, storedUrl } = await setup();
    const big = new Uint8Array(256 * 1024).map((_, i) => i & 0xff);
    const url = await storedUrl(big);
    emulator.faults.next({ route: "serve", abortAfterBytes: 1000 });
    const res = await fetch(url);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-length")).toBe(String(big.length));
    await expect(res.arrayBuffer()).rejects.toThrow("terminated");
    await waitFor(() => emulator.journal.httpRequests("serve").length === 1);
    expect(emulator.journal.httpRequests("serve")[0]).toMatchObject({
      status: 0,
      bytesOut: 1000,
      errorCode: "InjectedFault",
    });
    const again = await fetch(url);
    expect(Buffer.from(await again.arrayBuffer()).equals(big)).toBe(true);
  });

  it("serve: a status fault answers it instead of the file", async () => {
    const { emulator, storedUrl } = await setup();
    const url = await storedUrl();
    emulator.faults.next({ route: "serve", status: 503, error: "try later" });
    const res = await fetch(url);
    expect(res.status).toBe(503);
    expect(await res.json()).toEqual({ code: "InjectedFault", message: "try later" });
    expect((await fetch(url)).status).toBe(200);
  });
});

describe("storage faults", () => {
  it("store: `error` rejects with an InjectedFault error and stores nothing", async () => {
    const { emulator } = await setup();
    emulator.faults.next({ route: "store", error: "quota exceeded" });
    const error = await failure(emulator.storage.store(new Blob(["x"])));
    expect(error.code).toBe("InjectedFault");
    expect(error.message).toBe("quota exceeded");
    expect(emulator.files()).toEqual([]);
    expect(emulator.journal.storageCalls("store")).toMatchObject([{ outcome: "error", errorCode: "InjectedFault" }]);
  });

  it("store: an Error is thrown as it is", async () => {
    const { emulator } = await setup();
    const boom = new TypeError("boom");
    emulator.faults.next({ route: "store", error: boom });
    expect(await failure(emulator.storage.store(new Blob(["x"])))).toBe(boom);
    expect(emulator.journal.storageCalls("store")[0]?.errorCode).toBe("InjectedFault");
  });

  it("store: a fault with only a route rejects with the default message", async () => {
    const { emulator } = await setup();
    emulator.faults.next({ route: "store" });
    expect((await failure(emulator.storage.store(new Blob(["x"])))).message).toBe(defaultMessage("store"));
  });

  it("times: a fault applies `times` times, then calls are normal", async () => {
    const { emulator } = await setup();
    emulator.faults.next({ route: "store", error: "flaky", times: 2 });
    const results = await Promise.allSettled([1, 2, 3].map((n) => emulator.storage.store(new Blob([String(n)]))));
    expect(results.map((r) => r.status)).toEqual(["rejected", "rejected", "fulfilled"]);
    expect(emulator.files()).toHaveLength(1);
    expect(emulator.faults.pending()).toEqual([]);
  });

  it("getUrl: delayMs delays the call, which then succeeds", async () => {
    const { emulator } = await setup();
    const id = await emulator.seed({ bytes: "x" });
    emulator.faults.next({ route: "getUrl", delayMs: 100 });
    const started = performance.now();
    expect(await emulator.reader.getUrl(id)).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/api\/storage\//);
    expect(performance.now() - started).toBeGreaterThanOrEqual(95);
    expect(emulator.journal.storageCalls("getUrl")[0]).toMatchObject({ outcome: "ok" });
  });

  it.each(["get", "getUrl", "getMetadata", "delete", "generateUploadUrl"] as const)(
    "%s: a fault makes the call reject",
    async (route) => {
      const { emulator } = await setup();
      const id = await emulator.seed({ bytes: "x" });
      emulator.faults.next({ route, error: `${route} failed` });
      const call = route === "generateUploadUrl" ? emulator.storage.generateUploadUrl() : emulator.storage[route](id);
      expect((await failure(call)).message).toBe(`${route} failed`);
      expect(emulator.file(id)).not.toBeNull();
    },
  );
});

describe("faults", () => {
  it("faults: apply oldest first, only to their own route", async () => {
    const { emulator, upload } = await setup();
    emulator.faults
      .next({ route: "upload", status: 500 })
      .next({ route: "upload", status: 507 })
      .next({ route: "get", error: "x" });
    expect((await upload("a")).status).toBe(500);
    await emulator.storage.store(new Blob(["stored"]));
    expect((await upload("b")).status).toBe(507);
    expect((await upload("c")).status).toBe(200);
    expect(emulator.faults.pending()).toEqual([{ route: "get", error: "x", times: 1, remaining: 1 }]);
  });

  it("faults: pending() counts down; clear() drops every fault", async () => {
    const { emulator } = await setup();
    emulator.faults.next({ route: "store", error: "no", times: 3 });
    await failure(emulator.storage.store(new Blob(["x"])));
    expect(emulator.faults.pending()).toEqual([{ route: "store", error: "no", times: 3, remaining: 2 }]);
    emulator.faults.clear();
    expect(emulator.faults.pending()).toEqual([]);
    await emulator.storage.store(new Blob(["x"]));
  });

  it("faults: reset() drops every fault", async () => {
    const { emulator } = await setup();
    emulator.faults.next({ route: "store" });
    emulator.reset();
    expect(emulator.faults.pending()).toEqual([]);
    expect(await emulator.storage.store(new Blob(["x"]))).toMatch(/^[0-9a-z]{32}$/);
  });

  it.each([
    [{ route: "upload", status: 200 }, "`status` must be an HTTP error status from 400 to 599, got 200."],
    [
      { route: "serve", delayMs: -1 },
      "`delayMs` must be a number of ms from 0 to 2147483647 (a timer's limit), got -1.",
    ],
    // Node would fire a longer timer after 1 ms: the delay would not delay.
    [
      { route: "serve", delayMs: 2 ** 31 },
      "`delayMs` must be a number of ms from 0 to 2147483647 (a timer's limit), got 2147483648.",
    ],
    [{ route: "serve", abortAfterBytes: 1.5 }, "`abortAfterBytes` must be a whole number of at least 0, got 1.5."],
    [
      { route: "upload", abortAfterBytes: 10, status: 500 },
      "`abortAfterBytes` cuts the connection, so it cannot also answer a `status` or `error`; queue two faults instead.",
    ],
    [
      { route: "store", status: 500 },
      '`status` and `abortAfterBytes` apply to the HTTP routes "upload" and "serve" only; for "store" use `error` or `delayMs`.',
    ],
    [{ route: "store", times: 0 }, "`times` must be a whole number of at least 1, got 0."],
    [{ route: "store", error: 42 }, "`error` must be a string or an Error."],
    [
      { route: "download" },
      'unknown route "download"; expected one of "upload", "serve", "store", "get", "getUrl", "delete", "generateUploadUrl", "getMetadata".',
    ],
  ])("next: %j is a FaultInvalid error", async (spec, detail) => {
    const { emulator } = await setup();
    expect(() => emulator.faults.next(spec as never)).toThrow(`[convex-storage-emulator] faults.next(): ${detail}`);
    expect(emulator.faults.pending()).toEqual([]);
  });
});
