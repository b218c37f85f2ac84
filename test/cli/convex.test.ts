// `convex-storage-emulator --convex DIR`, the real bin (compiled dist/: `npm test` builds first):
// the chat example's convex/ directory served, and the one-line errors of a bad DIR.
import { spawn } from "node:child_process";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { ConvexHttpClient } from "convex/browser";
import { makeFunctionReference } from "convex/server";
import { describe, expect, it } from "vitest";
import { cleanupAfterEach } from "../support/cleanup.js";
import { fixtures } from "../support/fixtures.js";
import { waitFor } from "../support/wait.js";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const BIN = join(ROOT, "bin/convex-storage-emulator.js");
const CHAT = "examples/chat/convex";
const list = makeFunctionReference<"query", Record<string, never>, { author: string; format: string; body: string }[]>(
  "messages:list",
);
const { defer, tempDir } = cleanupAfterEach();

function run(args: string[], env: NodeJS.ProcessEnv = {}) {
  const child = spawn(process.execPath, [BIN, "--port", "0", ...args], {
    cwd: ROOT,
    env: { ...process.env, ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  defer(() => child.kill("SIGKILL"));
  let out = "";
  let err = "";
  child.stdout.setEncoding("utf8").on("data", (c: string) => (out += c));
  child.stderr.setEncoding("utf8").on("data", (c: string) => (err += c));
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  return { output: () => out, errors: () => err, exited };
}

async function start(args: string[], env: NodeJS.ProcessEnv = {}) {
  const cli = run(args, env);
  const url = await waitFor(() => /^ready on (http:\/\/\S+)$/m.exec(cli.output())?.[1], {
    timeoutMs: 15_000,
    what: () => `the CLI's output; stdout: ${cli.output()} stderr: ${cli.errors()}`,
  });
  const site = /site: +(http:\/\/\S+)/.exec(cli.output())?.[1] ?? "";
  return { ...cli, url, site };
}

describe("cli --convex", () => {
  it("--convex: the banner names the app, its http.ts answers on the site origin, reset empties the files and the database", async () => {
    const cli = await start(["--convex", CHAT], { CLIENT_ORIGIN: "http://localhost:5173" });
    expect(cli.output()).toContain(
      `  convex: ${CHAT} (messages.ts) in convex-test; clients: VITE_CONVEX_URL=${cli.url}\n`,
    );
    expect(cli.output()).toContain(`  http actions of ${CHAT}/http.ts on ${cli.site} (VITE_CONVEX_SITE_URL)\n`);
    const sent = await fetch(`${cli.site}/sendImage?author=cli`, {
      method: "POST",
      headers: { "Content-Type": "image/png" },
      body: fixtures.png.bytes,
    });
    expect(sent.status).toBe(200);
    const { files } = (await (await fetch(`${cli.url}/_emulator/files`)).json()) as { files: { storageId: string }[] };
    expect(files).toHaveLength(1);
    // The storage id is convex-test's: the file has its _storage document there.
    expect(files[0]!.storageId).toMatch(/^\d+_storage$/);
    // The mutation the HTTP action ran is in the app's database, which Convex's own client reads.
    const client = new ConvexHttpClient(cli.url);
    expect(await client.query(list, {})).toMatchObject([{ author: "cli", format: "image", body: files[0]!.storageId }]);
    expect(await (await fetch(`${cli.url}/_emulator/reset`, { method: "POST" })).json()).toEqual({ ok: true });
    expect(await (await fetch(`${cli.url}/_emulator/files`)).json()).toEqual({ files: [] });
    expect(await client.query(list, {})).toEqual([]);
  }, 30_000);

  it("CONVEX_STORAGE_EMULATOR_CONVEX: the same as the flag", async () => {
    const cli = await start([], { CONVEX_STORAGE_EMULATOR_CONVEX: CHAT });
    expect(cli.output()).toContain(`  convex: ${CHAT} (messages.ts) in convex-test;`);
  }, 30_000);

  it("--convex with a missing directory: one line on stderr, exit 2", async () => {
    const cli = run(["--convex", "/no/such/convex"]);
    expect(await cli.exited).toBe(2);
    expect(cli.errors()).toBe(
      'convex-storage-emulator: --convex: "/no/such/convex" is not a directory. Run convex-storage-emulator --help for usage.\n',
    );
  });

  it("--convex with a directory without functions: one line on stderr, exit 2", async () => {
    const dir = tempDir("cse-cli-");
    writeFileSync(join(dir, "schema.ts"), "export default {};\n");
    const cli = run(["--convex", dir]);
    expect(await cli.exited).toBe(2);
    expect(cli.errors()).toBe(
      `convex-storage-emulator: --convex: "${dir}" holds no function modules (.ts or .js files besides schema and _generated/); point it at your app's convex/ directory. Run convex-storage-emulator --help for usage.\n`,
    );
  });

  it("--convex with a module that fails to load: one line on stderr, exit 1", async () => {
    const dir = tempDir("cse-cli-");
    writeFileSync(join(dir, "broken.ts"), "export const x = ;\n");
    const cli = run(["--convex", dir]);
    expect(await cli.exited).toBe(1);
    expect(cli.errors()).toMatch(
      new RegExp(`^convex-storage-emulator: --convex: cannot load "${join(dir, "broken.ts")}": .+\\n$`),
    );
  });
});
