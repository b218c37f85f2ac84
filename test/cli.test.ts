import { spawn, type ChildProcess } from "node:child_process";
import { createServer } from "node:net";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { cleanupAfterEach } from "./cleanup.js";
import { FIXTURES_DIR, fixtures } from "./fixtures.js";
import { waitFor, type WaitOptions } from "./wait.js";

// The real bin, as npm installs it (it runs the compiled dist/: `npm test` builds first).
const BIN = fileURLToPath(new URL("../bin/convex-storage-emulator.js", import.meta.url));
const { defer, tempDir } = cleanupAfterEach();

interface Run {
  child: ChildProcess;
  output: () => string;
  errors: () => string;
  exited: Promise<number | null>;
}

function run(args: string[]): Run {
  const child = spawn(process.execPath, [BIN, ...args], { stdio: ["ignore", "pipe", "pipe"] });
  defer(() => child.kill("SIGKILL"));
  let out = "";
  let err = "";
  child.stdout!.setEncoding("utf8").on("data", (c: string) => (out += c));
  child.stderr!.setEncoding("utf8").on("data", (c: string) => (err += c));
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  return { child, output: () => out, errors: () => err, exited };
}

/** Starts the server on a free port and waits for its banner. */
async function start(args: string[] = []) {
  const cli = run(["--port", "0", ...args]);
  const url = await waitFor(() => /listening on (http:\/\/\S+)/.exec(cli.output())?.[1], onOutput(cli));
  // The HTTP actions' site origin, from its banner line.
  const site = await waitFor(() => /site: +(http:\/\/\S+)/.exec(cli.output())?.[1], onOutput(cli));
  return { ...cli, url, site };
}

/** waitFor options for the CLI's output: a start can take seconds; a timeout shows what it printed. */
const onOutput = (cli: Run): WaitOptions => ({
  timeoutMs: 10_000,
  what: () => `the CLI's output; stdout: ${cli.output()} stderr: ${cli.errors()}`,
});

describe("cli", () => {
  it("--help: prints usage and exits 0", async () => {
    const cli = run(["--help"]);
    expect(await cli.exited).toBe(0);
    expect(cli.output()).toContain("Usage: convex-storage-emulator [options]");
    expect(cli.output()).toContain("--seed DIR");
  });

  it("--version: prints the version and exits 0", async () => {
    const cli = run(["--version"]);
    expect(await cli.exited).toBe(0);
    expect(cli.output()).toBe("0.1.0\n");
  });

  it("start: serves uploads and prints URL patterns and one line per request", async () => {
    const cli = await start();
    await waitFor(() => cli.output().includes(`serve:  GET  ${cli.url}/api/storage/<uuid>`), onOutput(cli));
    const { uploadUrl } = (await (await fetch(`${cli.url}/_emulator/upload-url`, { method: "POST" })).json()) as { uploadUrl: string };
    const res = await fetch(uploadUrl, { method: "POST", headers: { "Content-Type": "image/png" }, body: fixtures.png.bytes });
    expect(res.status).toBe(200);
    await waitFor(() => /POST \/api\/storage\/upload 200 \d+B [\d.]+ms/.test(cli.output()), onOutput(cli));
  });

  it("--seed: stores every file of the directory and serves them", async () => {
    const cli = await start(["--seed", FIXTURES_DIR]);
    await waitFor(() => cli.output().includes("image.png"), onOutput(cli));
    const line = cli.output().split("\n").find((l) => l.includes("image.png"))!;
    expect(line).toMatch(/seeded [0-9a-z]{32} {2}image\.png {2}image\/png {2}475 B/);
    const { files } = (await (await fetch(`${cli.url}/_emulator/files`)).json()) as { files: { url: string; contentType: string; sha256: string }[] };
    const png = files.find((f) => f.sha256 === fixtures.png.sha256)!;
    const served = await fetch(png.url);
    expect(served.headers.get("content-type")).toBe("image/png");
    expect(new Uint8Array(await served.arrayBuffer())).toEqual(fixtures.png.bytes);
  });

  it("--persist: a restart on the same directory serves the same files", async () => {
    const dir = tempDir("cse-cli-");
    const first = await start(["--persist", dir, "--seed", FIXTURES_DIR]);
    const { files } = (await (await fetch(`${first.url}/_emulator/files`)).json()) as { files: { uuid: string }[] };
    first.child.kill("SIGTERM");
    expect(await first.exited).toBe(0);
    const second = await start(["--persist", dir]);
    await waitFor(() => second.output().includes(`(${files.length} found)`), onOutput(second));
    const res = await fetch(`${second.url}/api/storage/${files[0]!.uuid}`);
    expect(res.status).toBe(200);
  });

  it("SIGTERM and SIGINT: close and exit 0", async () => {
    for (const signal of ["SIGTERM", "SIGINT"] as const) {
      const cli = await start();
      cli.child.kill(signal);
      expect(await cli.exited).toBe(0);
    }
  });

  it("a bad flag: one line on stderr, exit 2", async () => {
    const cli = run(["--prot", "1"]);
    expect(await cli.exited).toBe(2);
    expect(cli.errors()).toBe("convex-storage-emulator: Unknown option '--prot'. Run convex-storage-emulator --help for usage.\n");
  });

  it("a bad value: one line on stderr, exit 2", async () => {
    const cli = run(["--max-file-bytes", "lots"]);
    expect(await cli.exited).toBe(2);
    expect(cli.errors()).toBe('convex-storage-emulator: --max-file-bytes expects a whole number, got "lots". Run convex-storage-emulator --help for usage.\n');
  });

  it("--site-port: the HTTP actions' origin listens there and the banner prints it", async () => {
    const probe = createServer();
    await new Promise<void>((r) => probe.listen(0, "127.0.0.1", r));
    const sitePort = (probe.address() as { port: number }).port;
    await new Promise<void>((r) => probe.close(() => r()));
    const cli = await start(["--site-port", String(sitePort)]);
    expect(cli.site).toBe(`http://127.0.0.1:${sitePort}`);
    expect(cli.output()).toContain(`  site:   http://127.0.0.1:${sitePort}   (HTTP actions, every path)`);
    const res = await fetch(`${cli.site}/anything`);
    expect(await res.text()).toBe("This Convex deployment does not have HTTP actions enabled.");
  });

  it("a taken port: one line on stderr, exit 1", async () => {
    const blocker = createServer();
    await new Promise<void>((r) => blocker.listen(0, "127.0.0.1", r));
    const port = (blocker.address() as { port: number }).port;
    try {
      const cli = run(["--port", String(port)]);
      expect(await cli.exited).toBe(1);
      expect(cli.errors()).toBe(
        `convex-storage-emulator: Port ${port} on 127.0.0.1 is already in use. Stop what holds it, or pick another port (--port N, or listen({ port: 0 }) for a free one).\n`,
      );
    } finally {
      blocker.close();
    }
  });

  it("--http: serves the app's convex/http.ts, with --functions for ctx.runMutation", async () => {
    const root = fileURLToPath(new URL("../", import.meta.url));
    const cli = await start(["--http", join(root, "examples/chat/convex/http.ts"), "--functions", join(root, "examples/chat/dev-functions.ts")]);
    const sent = await fetch(`${cli.site}/sendImage?author=cli`, { method: "POST", headers: { "Content-Type": "image/png" }, body: fixtures.png.bytes });
    expect(sent.status).toBe(200);
    const { files } = (await (await fetch(`${cli.url}/_emulator/files`)).json()) as { files: { storageId: string }[] };
    const image = await fetch(`${cli.site}/getImage?storageId=${files[0]!.storageId}`);
    expect(new Uint8Array(await image.arrayBuffer())).toEqual(fixtures.png.bytes);
  });

  it("--http without --functions: ctx.runMutation fails with a clear message, logged", async () => {
    const root = fileURLToPath(new URL("../", import.meta.url));
    const cli = await start(["--http", join(root, "examples/chat/convex/http.ts")]);
    const res = await fetch(`${cli.site}/sendImage?author=cli`, { method: "POST", body: "x" });
    expect(res.status).toBe(500);
    await waitFor(() => cli.output().includes("ctx.runMutation(messages:sendImage) was called, but no `run.mutation` was given"), onOutput(cli));
  });

  it("--http with a missing file: one line on stderr, exit 1", async () => {
    const cli = run(["--port", "0", "--http", "/no/such/http.js"]);
    expect(await cli.exited).toBe(1);
    expect(cli.errors()).toMatch(/^convex-storage-emulator: --http: cannot load "\/no\/such\/http\.js": Cannot find module .*\n$/);
  });

  it("--seed with a missing directory: one line on stderr, exit 1", async () => {
    const cli = run(["--port", "0", "--seed", "/no/such/dir"]);
    expect(await cli.exited).toBe(1);
    expect(cli.errors()).toBe('convex-storage-emulator: --seed: cannot read directory "/no/such/dir": ENOENT\n');
  });
});
