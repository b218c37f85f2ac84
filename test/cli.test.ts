import { spawn, type ChildProcess } from "node:child_process";
import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { envName, OPTIONS, parseCli } from "../src/cli/args.js";
import { helpText } from "../src/cli/help.js";
import { failure } from "./support/failure.js";
import { cleanupAfterEach } from "./support/cleanup.js";
import { FIXTURES_DIR, fixtures } from "./support/fixtures.js";
import { waitFor, type WaitOptions } from "./support/wait.js";

// The real bin, as npm installs it (it runs the compiled dist/: `npm test` builds first).
const ROOT = fileURLToPath(new URL("../", import.meta.url));
const BIN = join(ROOT, "bin/convex-storage-emulator.js");
const { defer, tempDir } = cleanupAfterEach();

interface Run {
  child: ChildProcess;
  output: () => string;
  errors: () => string;
  exited: Promise<number | null>;
}

function run(args: string[], env: NodeJS.ProcessEnv = {}, cwd?: string): Run {
  const child = spawn(process.execPath, [BIN, ...args], {
    cwd,
    env: { ...process.env, ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  defer(() => child.kill("SIGKILL"));
  let out = "";
  let err = "";
  child.stdout!.setEncoding("utf8").on("data", (c: string) => (out += c));
  child.stderr!.setEncoding("utf8").on("data", (c: string) => (err += c));
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  return { child, output: () => out, errors: () => err, exited };
}

/** Starts the server on a free port and waits for the last line of its banner. */
async function start(args: string[] = [], env: NodeJS.ProcessEnv = {}, cwd?: string) {
  const cli = run(["--port", "0", ...args], env, cwd);
  const url = await waitFor(() => /^ready on (http:\/\/\S+)$/m.exec(cli.output())?.[1], onOutput(cli));
  // The HTTP actions' site origin, from its banner line.
  const site = /site: +(http:\/\/\S+)/.exec(cli.output())?.[1] ?? "";
  return { ...cli, url, site };
}

/** The banner's seeded and skipped lines, once there is one for each file of FIXTURES_DIR. */
function seedLines(cli: Run): Promise<string[]> {
  const lines = () =>
    cli
      .output()
      .split("\n")
      .filter((line) => /^ {2}(seeded|skipped) /.test(line));
  return waitFor(() => lines().length === readdirSync(FIXTURES_DIR).length && lines(), onOutput(cli));
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

  it("--help: every option's text starts in one column, apart from its flag, in lines of at most 80", () => {
    const text = helpText();
    const options = text.split("\nOptions:\n")[1]!.split("\n\n")[0]!.split("\n");
    const starts = options.map(
      (line) => /^ {2}(-\S+(?:,? \S+)?) {2,}/.exec(line)?.[0].length ?? /^ +/.exec(line)![0].length,
    );
    expect(new Set(starts).size).toBe(1);
    expect(text.split("\n").filter((line) => line.length > 80)).toEqual([]);
  });

  it("--help: lists the environment variable of every option", async () => {
    const cli = run(["--help"]);
    expect(await cli.exited).toBe(0);
    for (const option of OPTIONS) {
      const variable = envName(option.flag);
      expect(cli.output()).toMatch(new RegExp(`^  ${variable}(=1)? +--${option.flag}\\b`, "m"));
    }
    expect(cli.output()).toContain("  CONVEX_STORAGE_EMULATOR_MAX_FILE_BYTES     --max-file-bytes N\n");
  });

  it("--version: prints the version and exits 0", async () => {
    const cli = run(["--version"]);
    expect(await cli.exited).toBe(0);
    expect(cli.output()).toBe("0.1.0\n");
  });

  it("start: serves uploads and prints URL patterns and one line per request", async () => {
    const cli = await start();
    await waitFor(() => cli.output().includes(`serve:  GET  ${cli.url}/api/storage/<uuid>`), onOutput(cli));
    const { uploadUrl } = (await (await fetch(`${cli.url}/_emulator/upload-url`, { method: "POST" })).json()) as {
      uploadUrl: string;
    };
    const res = await fetch(uploadUrl, {
      method: "POST",
      headers: { "Content-Type": "image/png" },
      body: fixtures.png.bytes,
    });
    expect(res.status).toBe(200);
    await waitFor(() => /POST \/api\/storage\/upload 200 \d+B [\d.]+ms/.test(cli.output()), onOutput(cli));
  });

  it("--port 0: the banner ends with 'ready on <url>', naming the port it chose", async () => {
    const cli = await start(["--seed", FIXTURES_DIR]);
    const lines = cli.output().split("\n");
    const ready = lines.findIndex((line) => line.startsWith("ready on "));
    expect(lines[0]).toBe(`convex-storage-emulator 0.1.0 listening on ${cli.url}`);
    // Every banner line (seeded files included) comes before it.
    expect(lines.slice(0, ready).filter((line) => line.includes("seeded"))).toHaveLength(
      readdirSync(FIXTURES_DIR).length,
    );
    expect(cli.url).toMatch(/^http:\/\/127\.0\.0\.1:(\d+)$/);
    expect(cli.url).not.toBe("http://127.0.0.1:0");
    expect((await fetch(`${cli.url}/_emulator/health`)).status).toBe(200);
  });

  it("--seed: stores every file of the directory and serves them", async () => {
    const cli = await start(["--seed", FIXTURES_DIR]);
    await waitFor(() => cli.output().includes("image.png"), onOutput(cli));
    const line = cli
      .output()
      .split("\n")
      .find((l) => l.includes("image.png"))!;
    expect(line).toMatch(/seeded [0-9a-z]{32} {2}image\.png {2}image\/png {2}475 B/);
    const { files } = (await (await fetch(`${cli.url}/_emulator/files`)).json()) as {
      files: { url: string; contentType: string; sha256: string }[];
    };
    const png = files.find((f) => f.sha256 === fixtures.png.sha256)!;
    const served = await fetch(png.url);
    expect(served.headers.get("content-type")).toBe("image/png");
    expect(new Uint8Array(await served.arrayBuffer())).toEqual(fixtures.png.bytes);
  });

  it("npm start: the server with every fixture seeded, as the README says, and nothing else (no notes as a file)", async () => {
    expect(
      readdirSync(FIXTURES_DIR).filter((name) => /\.(md|txt)$/i.test(name) && name !== fixtures.text.name),
    ).toEqual([]);
    const { scripts } = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as { scripts: { start: string } };
    const [node, bin, ...args] = scripts.start.split(" ");
    expect([node, bin]).toEqual(["node", "bin/convex-storage-emulator.js"]);
    const cli = await start(args, {}, ROOT);
    await seedLines(cli);
    for (const name of readdirSync(FIXTURES_DIR))
      expect(cli.output()).toMatch(new RegExp(`seeded [0-9a-z]{32} {2}${name.replace(".", "\\.")} `));
  });

  it("--persist with --seed: a restart skips the fixtures already stored, and says so", async () => {
    const dir = tempDir("cse-cli-");
    const first = await start(["--persist", dir, "--seed", FIXTURES_DIR]);
    const seededCount = (await seedLines(first)).filter((line) => line.startsWith("  seeded ")).length;
    expect(seededCount).toBe(readdirSync(FIXTURES_DIR).length);
    first.child.kill("SIGTERM");
    expect(await first.exited).toBe(0);
    const second = await start(["--persist", dir, "--seed", FIXTURES_DIR]);
    await seedLines(second);
    expect(second.output()).not.toMatch(/^ {2}seeded /m);
    expect(second.output()).toMatch(/^ {2}skipped [0-9a-z]{32} {2}image\.png {2}image\/png {2}475 B: already stored$/m);
    expect((second.output().match(/^ {2}skipped /gm) ?? []).length).toBe(seededCount);
    expect(second.output()).toContain(`(${seededCount} found)`);
    const { files } = (await (await fetch(`${second.url}/_emulator/files`)).json()) as { files: unknown[] };
    expect(files).toHaveLength(seededCount);
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

  it("SIGTERM and SIGINT: close, print a stopped line and exit 0", async () => {
    for (const signal of ["SIGTERM", "SIGINT"] as const) {
      const cli = await start();
      cli.child.kill(signal);
      expect(await cli.exited).toBe(0);
      expect(cli.output()).toMatch(new RegExp(`\\nstopped \\(${signal}\\)\\n$`));
    }
  });

  it("environment: CONVEX_STORAGE_EMULATOR_* variables set the options", async () => {
    const dir = tempDir("cse-cli-");
    const seed = tempDir("cse-cli-seed-");
    writeFileSync(join(seed, "hello.txt"), "hello");
    const cli = run([], {
      CONVEX_STORAGE_EMULATOR_PORT: "0",
      CONVEX_STORAGE_EMULATOR_URL: "http://files.test:9999",
      CONVEX_STORAGE_EMULATOR_PERSIST: dir,
      CONVEX_STORAGE_EMULATOR_SEED: seed,
      CONVEX_STORAGE_EMULATOR_MAX_FILE_BYTES: "2000",
      CONVEX_STORAGE_EMULATOR_QUIET: "true",
    });
    const url = await waitFor(() => /listening on (http:\/\/\S+)/.exec(cli.output())?.[1], onOutput(cli));
    await waitFor(() => cli.output().includes("hello.txt"), onOutput(cli));
    expect(cli.output()).toContain("  serve:  GET  http://files.test:9999/api/storage/<uuid>");
    expect(cli.output()).toContain(`  files kept in ${dir} (0 found)`);
    expect(cli.output()).toMatch(/seeded [0-9a-z]{32} {2}hello\.txt/);
    const { uploadUrl } = (await (await fetch(`${url}/_emulator/upload-url`, { method: "POST" })).json()) as {
      uploadUrl: string;
    };
    const upload = await fetch(uploadUrl.replace("http://files.test:9999", url), {
      method: "POST",
      body: "x".repeat(2001),
    });
    expect(upload.status).toBe(413);
    expect(cli.output()).not.toContain("POST /api/storage/upload"); // quiet
  });

  it("environment: a flag wins over its variable", async () => {
    const cli = await start(["--url", "http://from-flag.test"], {
      CONVEX_STORAGE_EMULATOR_PORT: "1",
      CONVEX_STORAGE_EMULATOR_URL: "http://from-env.test",
    });
    await waitFor(() => cli.output().includes("serve:"), onOutput(cli));
    expect(cli.url).not.toBe("http://127.0.0.1:1");
    expect(cli.output()).toContain("  serve:  GET  http://from-flag.test/api/storage/<uuid>");
  });

  it("environment: a bad value names the variable, exit 2", async () => {
    const cli = run([], { CONVEX_STORAGE_EMULATOR_MAX_FILE_BYTES: "lots" });
    expect(await cli.exited).toBe(2);
    expect(cli.errors()).toBe(
      'convex-storage-emulator: CONVEX_STORAGE_EMULATOR_MAX_FILE_BYTES expects a whole number, got "lots". Run convex-storage-emulator --help for usage.\n',
    );
  });

  it("environment: a bad CONVEX_STORAGE_EMULATOR_URL exits 2 naming the variable, not the library option", async () => {
    const cli = run([], { CONVEX_STORAGE_EMULATOR_URL: "localhost:3210" });
    expect(await cli.exited).toBe(2);
    expect(cli.errors()).toBe(
      'convex-storage-emulator: CONVEX_STORAGE_EMULATOR_URL: "localhost:3210" must use http or https. Run convex-storage-emulator --help for usage.\n',
    );
  });

  it.each([
    [
      [],
      { CONVEX_STORAGE_EMULATOR_CORS_ORIGIN: "http://ok.test,not an origin" },
      'CONVEX_STORAGE_EMULATOR_CORS_ORIGIN: "not an origin" is not an origin; expected e.g. http://localhost:5173 (scheme, host, port; no path)',
    ],
    [
      ["--cors-origin", "http://a.test/path"],
      {},
      '--cors-origin: "http://a.test/path" is not an origin; expected e.g. http://localhost:5173 (scheme, host, port; no path)',
    ],
    [
      [],
      { CONVEX_STORAGE_EMULATOR_ALLOW_HOST: "bad host!" },
      'CONVEX_STORAGE_EMULATOR_ALLOW_HOST: "bad host!" is not a host name; expected e.g. storage.test or 192.168.1.5',
    ],
    [["--url", "ftp://x"], {}, '--url: "ftp://x" must use http or https'],
    [
      [],
      { CONVEX_STORAGE_EMULATOR_UPLOAD_TTL: "9007199254741" },
      "CONVEX_STORAGE_EMULATOR_UPLOAD_TTL must be from 0 to 316224000 seconds (an expiry the clock can hold), got 9007199254741",
    ],
    // Past 2^31 - 1 ms Node fires a timer after 1 ms: every upload would fail with 408 at once.
    [
      ["--upload-timeout", "2147484"],
      {},
      "--upload-timeout must be from 0 to 2147483 seconds (a timer's limit), got 2147484",
    ],
  ] as const)("parseCli: %j %j is a usage error (exit 2) naming the flag or variable", (argv, env, message) => {
    const error = failure(() => parseCli([...argv], env));
    expect([error.code, error.message]).toEqual([
      "CliUsage",
      `[convex-storage-emulator] ${message}. Run convex-storage-emulator --help for usage.`,
    ]);
  });

  it("parseCli: the largest --upload-timeout a timer holds is taken", () => {
    expect(parseCli(["--upload-timeout", "2147483"])).toMatchObject({
      emulator: { uploadIdleTimeoutMs: 2_147_483_000 },
    });
  });

  it("a bad flag: one line on stderr, exit 2", async () => {
    const cli = run(["--prot", "1"]);
    expect(await cli.exited).toBe(2);
    expect(cli.errors()).toBe(
      "convex-storage-emulator: Unknown option '--prot'. Run convex-storage-emulator --help for usage.\n",
    );
  });

  it("a bad value: one line on stderr, exit 2", async () => {
    const cli = run(["--max-file-bytes", "lots"]);
    expect(await cli.exited).toBe(2);
    expect(cli.errors()).toBe(
      'convex-storage-emulator: --max-file-bytes expects a whole number, got "lots". Run convex-storage-emulator --help for usage.\n',
    );
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
    const cli = await start([
      "--http",
      join(ROOT, "examples/chat/convex/http.ts"),
      "--functions",
      join(ROOT, "examples/chat/dev-functions.ts"),
    ]);
    const sent = await fetch(`${cli.site}/sendImage?author=cli`, {
      method: "POST",
      headers: { "Content-Type": "image/png" },
      body: fixtures.png.bytes,
    });
    expect(sent.status).toBe(200);
    const { files } = (await (await fetch(`${cli.url}/_emulator/files`)).json()) as { files: { storageId: string }[] };
    const image = await fetch(`${cli.site}/getImage?storageId=${files[0]!.storageId}`);
    expect(new Uint8Array(await image.arrayBuffer())).toEqual(fixtures.png.bytes);
  });

  it("--http without --functions: ctx.runMutation fails with a message pointing at --functions, logged", async () => {
    const cli = await start(["--http", join(ROOT, "examples/chat/convex/http.ts")]);
    const res = await fetch(`${cli.site}/sendImage?author=cli`, { method: "POST", body: "x" });
    expect(res.status).toBe(500);
    const message =
      "[convex-storage-emulator] ctx.runMutation(messages:sendImage) was called, but the server was started without --functions. Restart it with --functions FILE, a module exporting query, mutation and action(ref, args) stand-ins (an example: node_modules/convex-storage-emulator/examples/chat/dev-functions.ts).";
    // Fidelity: a dev deployment's 500 names the uncaught error in `code` (redaction.rs).
    const { code } = (await res.json()) as { code: string };
    expect(code).toMatch(/^\[Request ID: [0-9a-f]{16}\] Server Error: Uncaught StorageEmulatorError: /);
    expect(code.replace(/^\[Request ID: [0-9a-f]{16}\] Server Error: Uncaught StorageEmulatorError: /, "")).toBe(
      message,
    );
    await waitFor(() => cli.output().includes(message), onOutput(cli));
  });

  it("--functions without the kind called: the message names the module and the missing export", async () => {
    const dir = tempDir("cse-cli-");
    const functions = join(dir, "functions.mjs");
    writeFileSync(functions, "export async function query() { return []; }\n");
    const cli = await start(["--http", join(ROOT, "examples/chat/convex/http.ts"), "--functions", functions]);
    const res = await fetch(`${cli.site}/sendImage?author=cli`, { method: "POST", body: "x" });
    expect(
      ((await res.json()) as { code: string }).code.replace(
        /^\[Request ID: [0-9a-f]{16}\] Server Error: Uncaught StorageEmulatorError: /,
        "",
      ),
    ).toBe(
      `[convex-storage-emulator] ctx.runMutation(messages:sendImage) was called, but --functions ${functions} exports no \`mutation\`. Export a mutation(ref, args) function from it.`,
    );
  });

  it("--http with a module that exports no router: one line on stderr, exit 1", async () => {
    const dir = tempDir("cse-cli-");
    const http = join(dir, "http.mjs");
    writeFileSync(http, "export default {};\n");
    const cli = run(["--port", "0", "--http", http]);
    expect(await cli.exited).toBe(1);
    expect(cli.errors()).toBe(
      `convex-storage-emulator: --http: "${http}" has no default export that is an HttpRouter; export default the httpRouter() of your convex/http.ts\n`,
    );
  });

  it("--http with a missing file: one line on stderr, exit 1", async () => {
    const cli = run(["--port", "0", "--http", "/no/such/http.js"]);
    expect(await cli.exited).toBe(1);
    expect(cli.errors()).toMatch(
      /^convex-storage-emulator: --http: cannot load "\/no\/such\/http\.js": Cannot find module .*\n$/,
    );
  });

  it("--seed with a missing directory: one line on stderr, exit 1", async () => {
    const cli = run(["--port", "0", "--seed", "/no/such/dir"]);
    expect(await cli.exited).toBe(1);
    expect(cli.errors()).toBe('convex-storage-emulator: --seed: cannot read directory "/no/such/dir": ENOENT\n');
  });
});
