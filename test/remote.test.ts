// connectStorageEmulator(): the in-process API over HTTP, with the same shapes and errors.
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { describe, expect, it } from "vitest";
import { connectStorageEmulator } from "convex-storage-emulator";
import { StorageEmulatorError } from "../src/index.js";
import { cleanupAfterEach } from "./support/cleanup.js";
import { failure } from "./support/failure.js";
import { fixtures } from "./support/fixtures.js";

const { defer, listening } = cleanupAfterEach();

/** An emulator listening on a free port, a PNG seeded in process, and a remote handle on it. */
async function setup() {
  const { emulator, server } = await listening();
  const png = await emulator.seed({ path: fixtures.png.path });
  return { emulator, png, remote: connectStorageEmulator(server.url), url: server.url };
}

describe("remote", () => {
  it("connectStorageEmulator: takes the origin without a trailing slash; a bad URL is OptionInvalid", () => {
    expect(connectStorageEmulator("http://127.0.0.1:3210/").url).toBe("http://127.0.0.1:3210");
    expect(() => connectStorageEmulator("localhost:3210")).toThrow(
      '[convex-storage-emulator] Invalid option `url`: "localhost:3210" must use http or https.',
    );
  });

  it("docs/admin-api.md: the example runs", async () => {
    const { emulator, url } = await setup();
    // docs/admin-api.md: "From another process"
    const remote = connectStorageEmulator(url); // the CLI's "ready on" URL
    await remote.reset();
    const id = await remote.seed({ path: "fixtures/image.png" }); // or { bytes, contentType? }
    await remote.files(); // StoredFile[]
    await remote.file(id); // StoredFile | null
    await remote.bytes(id); // Uint8Array | null
    await remote.text(id); // string | null
    await remote.image(id); // { format, width, height } | null
    await remote.generateUploadUrl(); // string
    await remote.database(); // { connected: false } here; with an app, its tables (see GET /_emulator/database)
    await remote.journal.entries({ route: "upload" }); // also storageCalls(op?), httpRequests(route?), functionCalls(path?), clear()
    await remote.faults.next({ route: "serve", status: 503 }); // also pending(), clear()
    // docs end
    expect(emulator.files().map((file) => file.storageId)).toEqual([id]);
    expect(emulator.faults.pending()).toMatchObject([{ route: "serve", status: 503 }]);
  });

  it("files, file, bytes, text: the in-process values; null for an unknown id", async () => {
    const { emulator, png, remote } = await setup();
    const text = await emulator.seed({ bytes: "héllo", contentType: "text/plain" });
    expect(await remote.files()).toEqual(emulator.files());
    expect(await remote.file(png)).toEqual(emulator.file(png));
    expect(await remote.file(emulator.file(png)!.uuid)).toEqual(emulator.file(png));
    expect(await remote.bytes(png)).toEqual(fixtures.png.bytes);
    expect(await remote.text(text)).toBe("héllo");
    for (const id of ["nope", "a/b", ""]) {
      expect([await remote.file(id), await remote.bytes(id), await remote.text(id)]).toEqual([null, null, null]);
    }
  });

  it("image: the in-process image(), read by the emulator; null for a non-image or an unknown id", async () => {
    const { emulator, png, remote } = await setup();
    const text = await emulator.seed({ bytes: "not an image", contentType: "image/png" });
    expect(await remote.image(png)).toEqual({ format: "png", width: 16, height: 16 });
    expect(await remote.image(png)).toEqual(emulator.image(png));
    expect(await remote.image(text)).toBeNull();
    expect(await remote.image("nope")).toBeNull();
  });

  it("seed: bytes with a content type, or a file whose extension gives it, like in process", async () => {
    const { emulator, remote } = await setup();
    const fromBytes = await remote.seed({ bytes: fixtures.allBytes.bytes, contentType: "Application/X-Test" });
    const fromPath = await remote.seed({ path: fixtures.jpeg.path });
    const untyped = await remote.seed({ bytes: "plain" });
    expect(emulator.file(fromBytes)).toMatchObject({
      contentType: "application/x-test",
      source: "seed",
      sha256: fixtures.allBytes.sha256,
    });
    expect(emulator.bytes(fromBytes)).toEqual(fixtures.allBytes.bytes);
    expect(emulator.file(fromPath)).toMatchObject({ contentType: "image/jpeg", size: fixtures.jpeg.size });
    expect(emulator.file(untyped)!.contentType).toBeNull();
    const error = await failure(remote.seed({ path: "/nowhere/x.png" }));
    expect([error.code, error.message]).toEqual([
      "SeedInvalid",
      '[convex-storage-emulator] seed(): cannot read "/nowhere/x.png": ENOENT.',
    ]);
  });

  it("reset: forgets files and the journal; generateUploadUrl: a URL an upload succeeds on", async () => {
    const { emulator, remote } = await setup();
    await remote.reset();
    expect(emulator.files()).toEqual([]);
    const res = await fetch(await remote.generateUploadUrl(), { method: "POST", body: "hi" });
    const { storageId } = (await res.json()) as { storageId: string };
    expect(emulator.text(storageId)).toBe("hi");
  });

  it("journal: entries (filtered), storageCalls and httpRequests as in process, without the handle's own requests; clear", async () => {
    const { emulator, png, remote } = await setup();
    await emulator.storage.getUrl(png as never);
    await emulator.storage.getMetadata(png as never);
    await fetch(`${remote.url}/api/storage/${emulator.file(png)!.uuid}`).then((r) => r.arrayBuffer());
    await remote.files();
    expect(await remote.journal.entries()).toEqual(
      [...emulator.journal.entries].filter((e) => e.type !== "http" || e.route !== "admin"),
    );
    expect(await remote.journal.entries({ operation: "getMetadata" })).toEqual(
      emulator.journal.storageCalls("getMetadata"),
    );
    expect(await remote.journal.storageCalls()).toEqual(emulator.journal.storageCalls());
    expect(await remote.journal.httpRequests("serve")).toEqual(emulator.journal.httpRequests("serve"));
    expect((await remote.journal.httpRequests("admin")).map((e) => e.path)).toContain("/_emulator/files");
    await remote.journal.clear();
    expect(await remote.journal.storageCalls()).toEqual([]);
  });

  it("faults: next queues a fault that applies, pending lists it, clear drops it", async () => {
    const { emulator, png, remote } = await setup();
    await remote.faults.next({ route: "serve", status: 503, error: "down" });
    await remote.faults.next({ route: "get", delayMs: 1, times: 2 });
    expect(await remote.faults.pending()).toEqual(emulator.faults.pending());
    const served = await fetch(`${remote.url}/api/storage/${emulator.file(png)!.uuid}`);
    expect([served.status, await served.json()]).toEqual([503, { code: "InjectedFault", message: "down" }]);
    expect(await remote.faults.pending()).toEqual([{ route: "get", delayMs: 1, times: 2, remaining: 2 }]);
    await remote.faults.clear();
    expect(emulator.faults.pending()).toEqual([]);
  });

  it("errors: the emulator's own, rebuilt with code, status and message", async () => {
    const { remote } = await setup();
    const error = await failure(remote.faults.next({ route: "serve", status: 200 }));
    expect(error).toBeInstanceOf(StorageEmulatorError);
    expect(error).toMatchObject({ code: "FaultInvalid", status: 400 });
    expect(error.message).toBe(
      "[convex-storage-emulator] faults.next(): `status` must be an HTTP error status from 400 to 599, got 200.",
    );
    const notString = await failure(remote.faults.next({ route: "store", error: new Error("x") as never }));
    expect(notString.message).toBe(
      "[convex-storage-emulator] faults.next(): over HTTP, `error` must be a string (the message); an Error object cannot cross the wire.",
    );
  });

  it("errors: nothing answering is EmulatorUnreachable, naming the URL", async () => {
    const { server } = await listening();
    await server.close();
    const error = await failure(connectStorageEmulator(server.url).files());
    expect(error).toMatchObject({ code: "EmulatorUnreachable", status: 503 });
    expect(error.message).toBe(
      `[convex-storage-emulator] Nothing answers at ${server.url} (ECONNREFUSED). Start the emulator there (npx convex-storage-emulator --port N), or connect to the URL its "ready on" line prints.`,
    );
  });

  it("errors: a server that is not the emulator is RemoteResponseInvalid", async () => {
    const other = createServer((_req, res) =>
      res.writeHead(404, { "Content-Type": "text/html" }).end("<h1>Not Found</h1>"),
    );
    await new Promise<void>((resolve) => other.listen(0, "127.0.0.1", resolve));
    defer(() => new Promise((resolve) => other.close(resolve)));
    const url = `http://127.0.0.1:${(other.address() as AddressInfo).port}`;
    const error = await failure(connectStorageEmulator(url).reset());
    expect(error.message).toBe(
      `[convex-storage-emulator] ${url}/_emulator/reset answered 404 with the body "<h1>Not Found</h1>", not the emulator's JSON. Is a storage emulator (with its admin routes, no --no-admin) listening there?`,
    );
  });

  /** A server on a free port answering every request with `answer`. */
  async function impostor(answer: (req: IncomingMessage, res: ServerResponse) => void) {
    const other = createServer(answer);
    await new Promise<void>((resolve) => other.listen(0, "127.0.0.1", resolve));
    defer(() => new Promise((resolve) => other.close(resolve)));
    defer(() => other.closeAllConnections());
    return `http://127.0.0.1:${(other.address() as AddressInfo).port}`;
  }

  it("errors: a 200 HTML page (an SPA fallback at the wrong URL) is RemoteResponseInvalid for every call, bytes() included", async () => {
    const url = await impostor((_req, res) =>
      res.writeHead(200, { "Content-Type": "text/html" }).end("<!doctype html><div id=app></div>"),
    );
    const remote = connectStorageEmulator(url);
    const calls = {
      reset: () => remote.reset(),
      "journal.clear": () => remote.journal.clear(),
      "faults.next": () => remote.faults.next({ route: "upload", status: 503 }),
      "faults.clear": () => remote.faults.clear(),
      files: () => remote.files(),
      bytes: () => remote.bytes("x"),
    };
    for (const [name, call] of Object.entries(calls)) {
      const error = await failure(call());
      expect([name, error.code, error.message]).toEqual([
        name,
        "RemoteResponseInvalid",
        expect.stringMatching(
          new RegExp(
            `^\\[convex-storage-emulator\\] ${url}/_emulator/\\S+ answered 200 with no x-convex-storage-emulator header \\(the body "<!doctype html><div id=app></div>"\\), not the emulator's JSON\\.`,
          ),
        ),
      ]);
    }
  });

  it("errors: the emulator's header on an answer of another shape is RemoteResponseInvalid, never undefined", async () => {
    let body = "{}";
    let type = "application/json";
    const url = await impostor((_req, res) =>
      res.writeHead(200, { "Content-Type": type, "X-Convex-Storage-Emulator": "0.0.0" }).end(body),
    );
    const remote = connectStorageEmulator(url);
    expect((await failure(remote.files())).message).toBe(
      `[convex-storage-emulator] ${url}/_emulator/files answered 200 with JSON that is not { files: stored file[] } (the body "{}"), not the emulator's JSON. Is a storage emulator (with its admin routes, no --no-admin) listening there?`,
    );
    expect((await failure(remote.generateUploadUrl())).code).toBe("RemoteResponseInvalid");
    expect((await failure(remote.faults.pending())).code).toBe("RemoteResponseInvalid");
    expect((await failure(remote.database())).message).toMatch(
      /database answered 200 with JSON that is not \{ connected, tables\? \}/,
    );
    body = '{"connected":true,"limit":100,"tables":[{"name":"messages","count":1}]}';
    expect((await failure(remote.database())).code).toBe("RemoteResponseInvalid");
    body = '{"files":[{"storageId":1}]}';
    expect((await failure(remote.files())).code).toBe("RemoteResponseInvalid");
    [type, body] = ["text/plain", '{"ok":true}'];
    expect((await failure(remote.reset())).message).toMatch(
      /answered 200 with text\/plain \(the body "\{\\"ok\\":true\}"\)/,
    );
  });

  it("errors: a server that never answers, or trickles its answer, is RemoteTimeout after timeoutMs, naming the URL", async () => {
    const silent = await impostor(() => {});
    const error = await failure(connectStorageEmulator(silent, { timeoutMs: 100 }).files());
    expect([error.code, error.message]).toEqual([
      "RemoteTimeout",
      `[convex-storage-emulator] GET ${silent}/_emulator/files did not answer within 100 ms. Is the emulator there stuck, or something else listening? On a slow machine raise it: connectStorageEmulator(url, { timeoutMs }).`,
    ]);
    const trickle = await impostor((_req, res) => {
      res.writeHead(200, { "Content-Type": "application/json", "X-Convex-Storage-Emulator": "0.0.0" });
      const timer = setInterval(() => res.write(" "), 20);
      res.on("close", () => clearInterval(timer));
    });
    const started = performance.now();
    expect((await failure(connectStorageEmulator(trickle, { timeoutMs: 150 }).reset())).code).toBe("RemoteTimeout");
    expect(performance.now() - started).toBeLessThan(2000);
  });

  it.each([0, -1, 1.5, 2 ** 31, Infinity])(
    "connectStorageEmulator: timeoutMs %s is OptionInvalid (a timer cannot hold it)",
    (timeoutMs) => {
      expect(() => connectStorageEmulator("http://127.0.0.1:3210", { timeoutMs })).toThrow(
        `[convex-storage-emulator] Invalid option \`timeoutMs\`: expected a whole number of ms from 1 to 2147483647 (a timer's limit), got ${timeoutMs}.`,
      );
    },
  );

  it("errors: an emulator without admin routes answers NotFound", async () => {
    const { server } = await listening({ admin: false });
    const error = await failure(connectStorageEmulator(server.url).files());
    expect([error.code, error.message]).toEqual([
      "NotFound",
      "[convex-storage-emulator] No route for GET /_emulator/files.",
    ]);
  });
});
