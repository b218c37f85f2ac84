// The `convex-storage-emulator` command: the fake storage server on a port.
import { readdir, stat } from "node:fs/promises";
import { join, resolve } from "node:path";
import { parseArgs } from "node:util";
import { createStorageEmulator, type StorageEmulatorOptions } from "./emulator.js";
import { isStorageEmulatorError } from "./errors.js";
import type { RunFunctions } from "./http-actions.js";
import { loadUserModule } from "./module-loader.js";
import { DEFAULT_HOST, DEFAULT_PORT } from "./server/listen.js";
import { VERSION } from "./version.js";

const NAME = "convex-storage-emulator";

const HELP = `${NAME} ${VERSION}: a fake Convex file storage server, in memory.

Usage: ${NAME} [options]

Options:
  --port N               port to listen on (default ${DEFAULT_PORT}; 0 picks a free one)
  --site-port N          port of the HTTP actions' site origin (default: port + 1; 0 picks a free one)
  --host HOST            address to bind (default ${DEFAULT_HOST}: this machine only)
  --url ORIGIN           origin to put in file and upload URLs (default: the listening one)
  --persist DIR          keep files in DIR instead of memory; a restart serves them again
  --seed DIR             store every file of DIR at start (content type from the extension)
  --http FILE            serve the HTTP actions of this convex/http.ts (TypeScript needs tsx)
  --functions FILE       a module exporting query/mutation/action(ref, args) for ctx.runQuery & co.
  --max-file-bytes N     refuse larger uploads with 413 (default: unlimited)
  --max-total-bytes N    refuse uploads past this total with 507 (default: unlimited)
  --upload-ttl SECONDS   how long an upload URL stays valid (default 3600, like Convex)
  --no-admin             do not serve the /_emulator admin routes and page
  --quiet                do not log one line per request
  -h, --help             show this help
  -v, --version          show the version

Routes (like a local Convex backend):
  POST /api/storage/upload?token=…   upload a file (raw body) -> {"storageId"}
  GET  /api/storage/<uuid>           serve a file (Range supported)
  POST /_emulator/upload-url         get an upload URL without a Convex function
  GET  /_emulator/files              list stored files (JSON); /_emulator/ shows them

Stop with Ctrl-C (SIGINT) or SIGTERM.`;

class UsageError extends Error {}

interface CliOptions {
  port: number;
  sitePort: number;
  host: string;
  seed: string | undefined;
  http: string | undefined;
  functions: string | undefined;
  quiet: boolean;
  emulator: StorageEmulatorOptions;
}

export function parseCli(argv: string[]): CliOptions | "help" | "version" {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      strict: true,
      allowPositionals: false,
      options: {
        port: { type: "string" },
        "site-port": { type: "string" },
        host: { type: "string" },
        url: { type: "string" },
        persist: { type: "string" },
        seed: { type: "string" },
        http: { type: "string" },
        functions: { type: "string" },
        "max-file-bytes": { type: "string" },
        "max-total-bytes": { type: "string" },
        "upload-ttl": { type: "string" },
        // Spelled out rather than parseArgs' allowNegative, which Node 20 before 20.16 lacks.
        "no-admin": { type: "boolean", default: false },
        quiet: { type: "boolean", default: false },
        help: { type: "boolean", short: "h", default: false },
        version: { type: "boolean", short: "v", default: false },
      },
    });
  } catch (error) {
    // parseArgs' messages are one line, e.g. "Unknown option '--prot'".
    throw new UsageError(String((error as Error).message).split("\n")[0]);
  }
  const v = parsed.values;
  if (v.help) return "help";
  if (v.version) return "version";
  const ttlSeconds = wholeNumber("--upload-ttl", v["upload-ttl"]);
  const emulator: StorageEmulatorOptions = { admin: !v["no-admin"] };
  if (v.url !== undefined) emulator.url = v.url;
  // resolve("") is the working directory: an empty --persist must not quietly mean "here".
  if (v.persist !== undefined && v.persist.trim() === "") throw new UsageError("--persist must not be empty");
  if (v.persist !== undefined) emulator.persist = resolve(v.persist);
  const maxFile = wholeNumber("--max-file-bytes", v["max-file-bytes"]);
  if (maxFile !== undefined) emulator.maxFileBytes = maxFile;
  const maxTotal = wholeNumber("--max-total-bytes", v["max-total-bytes"]);
  if (maxTotal !== undefined) emulator.maxTotalBytes = maxTotal;
  if (ttlSeconds !== undefined) emulator.uploadUrlTtlMs = ttlSeconds * 1000;
  const port = wholeNumber("--port", v.port) ?? DEFAULT_PORT;
  if (port > 65535) throw new UsageError(`--port must be from 0 to 65535, got ${port}`);
  const sitePort = wholeNumber("--site-port", v["site-port"]) ?? (port === 0 ? 0 : port + 1);
  if (sitePort > 65535) throw new UsageError(`--site-port must be from 0 to 65535, got ${sitePort}`);
  if (v.host !== undefined && v.host.trim() === "") throw new UsageError("--host must not be empty");
  if (v.functions !== undefined && v.http === undefined) throw new UsageError("--functions needs --http");
  return { port, sitePort, host: v.host ?? DEFAULT_HOST, seed: v.seed, http: v.http, functions: v.functions, quiet: v.quiet, emulator };
}

function wholeNumber(flag: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  if (!/^\d+$/.test(value) || !Number.isSafeInteger(Number(value))) {
    throw new UsageError(`${flag} expects a whole number, got "${value}"`);
  }
  return Number(value);
}

export async function main(argv: string[]): Promise<number> {
  const out = (line: string) => process.stdout.write(`${line}\n`);
  let options;
  try {
    options = parseCli(argv);
  } catch (error) {
    process.stderr.write(`${NAME}: ${(error as Error).message}. Run ${NAME} --help for usage.\n`);
    return 2;
  }
  if (options === "help") return (out(HELP), 0);
  if (options === "version") return (out(VERSION), 0);

  try {
    if (options.http !== undefined) {
      const router = (await loadUserModule("--http", options.http)).default;
      options.emulator.http = router as StorageEmulatorOptions["http"] & object;
      if (options.functions !== undefined) options.emulator.run = runFunctionsOf(await loadUserModule("--functions", options.functions));
    }
    const emulator = createStorageEmulator(options.emulator);
    const seeded = options.seed === undefined ? [] : await seedDirectory(emulator, options.seed);
    const server = await emulator.listen({ port: options.port, sitePort: options.sitePort, host: options.host });
    // Listen for signals before the banner: whoever reads it may stop us at once, and must get a clean exit.
    const stopped = new Promise<void>((done) => {
      const stop = () => done();
      process.once("SIGINT", stop);
      process.once("SIGTERM", stop);
    });
    const url = emulator.url;
    out(`${NAME} ${VERSION} listening on ${server.url}`);
    out(`  upload: POST ${url}/api/storage/upload?token=<token>   (a token: POST ${url}/_emulator/upload-url)`);
    out(`  serve:  GET  ${url}/api/storage/<uuid>`);
    if (options.emulator.admin !== false) out(`  admin:  ${url}/_emulator/`);
    out(`  site:   ${server.siteUrl}   (HTTP actions, every path)`);
    if (options.http !== undefined) {
      out(`  http actions of ${options.http} on ${server.siteUrl}${options.functions === undefined ? " (no --functions: ctx.runQuery & co. fail)" : `, functions from ${options.functions}`}`);
    }
    if (options.emulator.persist !== undefined) out(`  files kept in ${options.emulator.persist} (${emulator.files().length} found)`);
    if (!isLoopback(options.host)) {
      out(`  warning: bound to ${options.host}: stored files${options.emulator.admin !== false ? " and admin routes" : ""} are reachable from the network`);
    }
    for (const file of seeded) out(`  seeded ${file.storageId}  ${file.name}  ${file.contentType}  ${file.size} B`);
    if (!options.quiet) {
      emulator.journal.subscribe((entry) => {
        if (entry.type !== "http") return;
        out(`${entry.method} ${entry.path} ${entry.status || "aborted"} ${entry.bytesIn + entry.bytesOut}B ${entry.durationMs.toFixed(1)}ms`);
        if (entry.route === "action" && entry.errorMessage !== undefined) out(`  ${entry.errorMessage}`);
      });
    }
    await stopped;
    await server.close();
    return 0;
  } catch (error) {
    const message = isStorageEmulatorError(error) ? error.message.replace(/^\[convex-storage-emulator\] /, "") : String((error as Error)?.message ?? error);
    process.stderr.write(`${NAME}: ${message}\n`);
    return 1;
  }
}

/** `query`/`mutation`/`action` exports (named, or on the default export) of a --functions module. */
function runFunctionsOf(module: Record<string, unknown>): RunFunctions {
  const source = (typeof module.default === "object" && module.default !== null ? module.default : module) as Record<string, unknown>;
  const run: RunFunctions = {};
  for (const kind of ["query", "mutation", "action"] as const) {
    const fn = source[kind];
    if (typeof fn === "function") run[kind] = fn as RunFunctions[typeof kind];
  }
  if (Object.keys(run).length === 0) throw new Error("--functions: the module exports none of query, mutation, action");
  return run;
}

async function seedDirectory(
  emulator: ReturnType<typeof createStorageEmulator>,
  dir: string,
): Promise<{ storageId: string; name: string; contentType: string | null; size: number }[]> {
  let names: string[];
  try {
    names = (await readdir(dir)).sort();
  } catch (error) {
    throw new Error(`--seed: cannot read directory "${dir}": ${(error as NodeJS.ErrnoException).code ?? String(error)}`);
  }
  const seeded = [];
  for (const name of names) {
    const path = join(dir, name);
    if (!(await stat(path)).isFile()) continue;
    const storageId = await emulator.seed({ path });
    const file = emulator.file(storageId)!;
    seeded.push({ storageId, name, contentType: file.contentType, size: file.size });
  }
  return seeded;
}

function isLoopback(host: string): boolean {
  return host === "localhost" || host === "::1" || host.startsWith("127.");
}
