// Security defaults: loopback unless told otherwise (and a warning when not),
// unguessable upload tokens bound to their expiry, admin routes that can be
// switched off, and request paths that never reach the filesystem outside
// the --persist directory.
import fs, { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { syncBuiltinESMExports } from "node:module";
import { join, relative, resolve } from "node:path";
import { describe, expect, it, vi } from "vitest";
import { createStorageEmulator } from "../../src/index.js";
import { cleanupAfterEach } from "../support/cleanup.js";
import { json, rawRequest, runCli, send } from "./helpers.js";

const { listening: setup, tempDir, defer } = cleanupAfterEach();

const BANNER = /listening on (http:\/\/\S+)\n[\s\S]*serve: {2}GET/;

describe("binding", () => {
  it("listen: binds 127.0.0.1 by default", async () => {
    const { server } = await setup();
    expect(server.server.address()).toMatchObject({ address: "127.0.0.1", family: "IPv4" });
    expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
  });

  it.each(["127.0.0.1", "127.0.0.2", "localhost"])("cli: --host %s (loopback) prints no warning", async (host) => {
    const cli = runCli(["--port", "0", "--quiet", "--host", host], defer);
    await cli.waitForOutput(BANNER);
    expect(cli.output()).not.toContain("warning");
    cli.child.kill("SIGTERM");
    expect(await cli.exited).toBe(0);
  });

  it("cli: without --host it listens on 127.0.0.1 and prints no warning", async () => {
    const cli = runCli(["--port", "0", "--quiet"], defer);
    const [, url] = await cli.waitForOutput(BANNER);
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(cli.output()).not.toContain("warning");
    cli.child.kill("SIGTERM");
    expect(await cli.exited).toBe(0);
  });

  it.each([
    [[], "  warning: bound to 0.0.0.0: stored files and admin routes are reachable from the network"],
    [["--no-admin"], "  warning: bound to 0.0.0.0: stored files are reachable from the network"],
  ])("cli: --host 0.0.0.0 %j warns that it is exposed", async (extra, warning) => {
    // Only the banner is read; the test sends no traffic to the exposed server.
    const cli = runCli(["--port", "0", "--quiet", "--host", "0.0.0.0", ...extra], defer);
    await cli.waitForOutput(/warning: .*\n/);
    expect(cli.output().split("\n")).toContain(warning);
    cli.child.kill("SIGTERM");
    expect(await cli.exited).toBe(0);
  });
});

describe("upload tokens", () => {
  it("generateUploadUrl: 2000 tokens are distinct, 32 url-safe characters, and uniformly spread (192 random bits each)", async () => {
    const emulator = createStorageEmulator();
    const tokens = await Promise.all(
      Array.from({ length: 2000 }, async () =>
        new URL(await emulator.storage.generateUploadUrl()).searchParams.get("token")!,
      ),
    );
    expect(new Set(tokens).size).toBe(2000);
    const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-";
    const counts = new Map<string, number>();
    for (const token of tokens) {
      expect(token).toMatch(/^[A-Za-z0-9_-]{32}$/);
      for (const ch of token) counts.set(ch, (counts.get(ch) ?? 0) + 1);
    }
    // 64 symbols x 6 bits x 32 characters = 192 bits, if every symbol is equally likely everywhere:
    // a chi-square test over the 64 000 characters (63 degrees of freedom; 150 is p < 1e-8).
    expect(counts.size).toBe(64);
    const expected = (2000 * 32) / 64;
    const chi2 = [...alphabet].reduce((sum, ch) => sum + ((counts.get(ch) ?? 0) - expected) ** 2 / expected, 0);
    expect(chi2).toBeLessThan(150);
    // And no position is stuck: every position takes many values.
    for (let pos = 0; pos < 32; pos++)
      expect(new Set(tokens.map((t) => t[pos])).size, `position ${pos}`).toBeGreaterThan(55);
  });

  it("upload: a token works until its own expiry, and issuing new tokens does not extend it", async () => {
    let clock = 0;
    const { emulator } = await setup({ now: () => clock, uploadUrlTtlMs: 10_000 });
    const first = await emulator.storage.generateUploadUrl();
    clock = 9_999;
    const second = await emulator.storage.generateUploadUrl();
    expect((await send(first, { method: "POST", body: "a" })).status).toBe(200);
    clock = 10_000;
    const expired = await send(first, { method: "POST", body: "b" });
    expect([expired.status, json(expired)]).toEqual([
      401,
      { code: "StorageTokenExpired", message: "Store File Authorization expired" },
    ]);
    // The later token has its own, later expiry.
    expect((await send(second, { method: "POST", body: "c" })).status).toBe(200);
    clock = 19_998;
    expect((await send(first, { method: "POST", body: "d" })).status).toBe(401);
    expect((await send(second, { method: "POST", body: "e" })).status).toBe(200);
    expect(emulator.files().map((f) => emulator.text(f.storageId))).toEqual(["a", "c", "e"]);
  });

  it("upload: a token is only good on the emulator that issued it", async () => {
    const a = await setup();
    const b = await setup();
    const url = new URL(await a.emulator.storage.generateUploadUrl());
    const res = await send(`${b.server.url}${url.pathname}${url.search}`, { method: "POST", body: "x" });
    expect(res.status).toBe(401);
    expect(b.emulator.files()).toEqual([]);
  });
});

describe("admin routes", () => {
  const adminRequests = (uuid: string) =>
    [
      ["GET", "/_emulator/"],
      ["GET", "/_emulator/page.js"],
      ["GET", "/_emulator/health"],
      ["GET", "/_emulator/files"],
      ["GET", `/_emulator/files/${uuid}`],
      ["GET", `/_emulator/files/${uuid}/bytes`],
      ["DELETE", `/_emulator/files/${uuid}`],
      ["POST", "/_emulator/reset"],
      ["POST", "/_emulator/upload-url"],
    ] as const;

  it("admin: false removes every /_emulator route, and the files stay", async () => {
    const { emulator, server } = await setup({ admin: false });
    const id = await emulator.seed({ bytes: "keep" });
    const { uuid } = emulator.file(id)!;
    for (const [method, path] of adminRequests(uuid)) {
      const res = await send(`${server.url}${path}`, { method });
      expect([method, path, res.status, json(res)]).toEqual([
        method,
        path,
        404,
        { code: "NotFound", message: `[convex-storage-emulator] No route for ${method} ${path}.` },
      ]);
    }
    expect(emulator.text(id)).toBe("keep");
  });

  it("cli: --no-admin serves no /_emulator route and does not print the admin URL", async () => {
    const cli = runCli(["--port", "0", "--quiet", "--no-admin"], defer);
    const [, url] = await cli.waitForOutput(BANNER);
    expect(cli.output()).not.toContain("admin:");
    for (const [method, path] of adminRequests("0b5c7e1e-6a57-4c3a-9d7e-1c2b3a4d5e6f")) {
      expect((await send(`${url}${path}`, { method })).status, `${method} ${path}`).toBe(404);
    }
    cli.child.kill("SIGTERM");
    expect(await cli.exited).toBe(0);
  });
});

describe("the filesystem", () => {
  /** Records the path argument of every node:fs call the emulator makes while `body` runs. */
  async function fsPathsDuring(body: () => Promise<void>): Promise<string[]> {
    const names = [
      "openSync",
      "readFileSync",
      "writeFileSync",
      "renameSync",
      "unlinkSync",
      "rmSync",
      "mkdirSync",
      "readdirSync",
      "createReadStream",
      "readFile",
      "open",
      "stat",
      "lstat",
      "readdir",
    ] as const;
    const real = new Map<string, unknown>();
    const touched: string[] = [];
    const target = fs as unknown as Record<string, (...args: unknown[]) => unknown>;
    for (const name of names) {
      const original = target[name]!;
      real.set(name, original);
      target[name] = function (this: unknown, ...args: unknown[]) {
        for (const arg of args.slice(0, name === "renameSync" ? 2 : 1))
          if (typeof arg === "string" && arg !== "") touched.push(arg);
        return original.apply(this, args);
      };
    }
    // The emulator imports node:fs as an ES module: its bindings follow the patched functions.
    syncBuiltinESMExports();
    try {
      await body();
    } finally {
      for (const [name, original] of real) target[name] = original as (...args: unknown[]) => unknown;
      syncBuiltinESMExports();
    }
    return touched;
  }

  it("persist: traversal attempts in requests neither read, write nor delete anything outside the directory", async () => {
    const parent = tempDir();
    const dir = join(parent, "store");
    mkdirSync(dir);
    const secret = "SENTINEL: this file is outside --persist";
    writeFileSync(join(parent, "sentinel.txt"), secret);
    // A name the blob layout would reach with one ../ too many.
    mkdirSync(join(parent, "blobs"));
    writeFileSync(join(parent, "blobs", "sentinel.txt"), secret);
    const { emulator, server } = await setup({ persist: dir });
    const id = await emulator.seed({ bytes: "inside" });
    const { uuid } = emulator.file(id)!;

    const targets = [
      "..%2Fsentinel.txt",
      "..%2F..%2Fsentinel.txt",
      "%2e%2e%2fsentinel.txt",
      "..%2Fblobs%2Fsentinel.txt",
      `${uuid}%2F..%2F..%2F..%2Fsentinel.txt`,
      "..%5Csentinel.txt",
      "sentinel.txt%00",
    ];
    const bodies: string[] = [];
    const touched = await fsPathsDuring(async () => {
      for (const t of targets) {
        for (const [method, path] of [
          ["GET", `/api/storage/${t}`],
          ["HEAD", `/api/storage/${t}`],
          ["GET", `/_emulator/files/${t}`],
          ["GET", `/_emulator/files/${t}/bytes`],
          ["DELETE", `/_emulator/files/${t}`],
          ["POST", `/api/storage/upload?token=${t}`],
        ] as const) {
          bodies.push(
            (await send(`${server.url}${path}`, { method, ...(method === "POST" ? { body: "x" } : {}) })).body.toString(
              "latin1",
            ),
          );
        }
        bodies.push(
          (
            await rawRequest(
              server.port,
              `GET /api/storage/${decodeURIComponent(t)} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`,
            )
          ).body.toString("latin1"),
        );
        bodies.push(
          (
            await rawRequest(
              server.port,
              `GET /api/storage/../../${decodeURIComponent(t)} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`,
            )
          ).body.toString("latin1"),
        );
      }
      for (const t of ["../sentinel.txt", "../../sentinel.txt", "../blobs/sentinel.txt"]) {
        expect(emulator.file(t)).toBeNull();
        expect(emulator.bytes(t)).toBeNull();
        await expect(emulator.storage.get(t as never)).rejects.toMatchObject({ code: "InvalidArgument" });
        await expect(emulator.storage.delete(t as never)).rejects.toMatchObject({ code: "InvalidArgument" });
      }
      // A real request in the same window, to show the recording sees what the emulator does touch.
      expect((await send(`${server.url}/api/storage/${uuid}`)).body.toString()).toBe("inside");
    });

    expect(bodies.filter((b) => b.includes("SENTINEL"))).toEqual([]);
    expect(readFileSync(join(parent, "sentinel.txt"), "utf8")).toBe(secret);
    expect(readFileSync(join(parent, "blobs", "sentinel.txt"), "utf8")).toBe(secret);
    expect(readdirSync(parent).sort()).toEqual(["blobs", "sentinel.txt", "store"]);
    expect(readdirSync(join(parent, "blobs"))).toEqual(["sentinel.txt"]);
    // Every path the emulator handed to node:fs lies inside the directory; and it did use some.
    expect(touched.length).toBeGreaterThan(0);
    expect(touched.filter((p) => relative(dir, resolve(p)).startsWith(".."))).toEqual([]);
    expect(emulator.files().map((f) => f.storageId)).toEqual([id]);
    expect(readdirSync(join(dir, "blobs"))).toEqual([uuid]);
  });

  it("persist: a restart loads only well-formed metadata named by UUID; planted files with traversal names are ignored", async () => {
    const parent = tempDir();
    const dir = join(parent, "store");
    const first = createStorageEmulator({ persist: dir });
    const id = await first.seed({ bytes: "kept" });
    writeFileSync(join(parent, "outside.txt"), "outside");
    // Metadata that points outside: a uuid that is a path, and a name that does not match its uuid.
    writeFileSync(
      join(dir, "meta", "evil.json"),
      JSON.stringify({ ...first.file(id), uuid: "../../outside.txt", storageId: "evil" }),
    );
    const other = crypto.randomUUID();
    writeFileSync(
      join(dir, "meta", `${other}.json`),
      JSON.stringify({ ...first.file(id), uuid: "../outside.txt", storageId: "evil2" }),
    );
    const warn = vi.spyOn(console, "warn").mockImplementation(() => {});
    const second = createStorageEmulator({ persist: dir });
    const warnings = warn.mock.calls.map(([line]) => String(line).replace(dir, "<dir>"));
    warn.mockRestore();
    expect(second.files().map((f) => f.storageId)).toEqual([id]);
    expect(second.text(id)).toBe("kept");
    expect(existsSync(join(parent, "outside.txt"))).toBe(true);
    // Both planted files are moved aside, each with its one warning line.
    expect(warnings.sort()).toEqual(
      [
        `[convex-storage-emulator] warning: --persist <dir>: moved meta/${other}.json to quarantine/meta-${other}.json: the metadata has an invalid storageId.`,
        "[convex-storage-emulator] warning: --persist <dir>: moved meta/evil.json to quarantine/meta-evil.json: the metadata has an invalid storageId.",
      ].sort(),
    );
  });
});
