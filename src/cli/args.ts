// The command's options: each flag can also be set by an environment variable,
// CONVEX_STORAGE_EMULATOR_<FLAG> (as Azurite and LocalStack users expect in
// containers and CI); a flag on the command line wins over its variable.
import { resolve } from "node:path";
import { parseArgs } from "node:util";
import { errors, isStorageEmulatorError } from "../errors.js";
import { checkOrigin, type StorageEmulatorOptions } from "../options.js";
import { checkBrowserAccess } from "../server/cross-site.js";
import { DEFAULT_HOST, DEFAULT_PORT } from "../server/listen.js";
import { MAX_TIMER_MS } from "../timer-limit.js";

interface OptionSpec {
  readonly flag: string;
  /** What the flag takes, for --help; none for a switch. */
  readonly value?: string;
  readonly help: string;
  /** May be given more than once (its variable: a comma-separated list). */
  readonly multiple?: boolean;
}

/** Every option, in --help order. */
export const OPTIONS: readonly OptionSpec[] = [
  { flag: "port", value: "N", help: `port to listen on (default ${DEFAULT_PORT}; 0 picks a free one)` },
  {
    flag: "site-port",
    value: "N",
    help: "port of the HTTP actions' site origin (default: port + 1; 0 picks a free one)",
  },
  { flag: "host", value: "HOST", help: `address to bind (default ${DEFAULT_HOST}: this machine only)` },
  { flag: "url", value: "ORIGIN", help: "origin to put in file and upload URLs (default: the listening one)" },
  { flag: "persist", value: "DIR", help: "keep files in DIR instead of memory; a restart serves them again" },
  { flag: "verify-sha256", help: "with --persist: check every blob's sha256 at start (default: those up to 1 MiB)" },
  { flag: "seed", value: "DIR", help: "store every file of DIR at start, skipping files already stored" },
  {
    flag: "convex",
    value: "DIR",
    help: "run the Convex app in DIR (schema.ts, functions, http.ts) in convex-test for your clients",
  },
  { flag: "http", value: "FILE", help: "serve the HTTP actions of this convex/http.ts (TypeScript needs tsx)" },
  {
    flag: "functions",
    value: "FILE",
    help: "a module exporting query/mutation/action(ref, args) for ctx.runQuery & co.",
  },
  { flag: "max-file-bytes", value: "N", help: "refuse larger uploads with 413 (default: unlimited)" },
  { flag: "max-total-bytes", value: "N", help: "refuse uploads past this total with 507 (default: unlimited)" },
  { flag: "upload-ttl", value: "SECONDS", help: "how long an upload URL stays valid (default 3600, like Convex)" },
  {
    flag: "upload-timeout",
    value: "SECONDS",
    help: "abort an upload that sends nothing this long (default 120; 0 never)",
  },
  {
    flag: "cors-origin",
    value: "ORIGIN",
    help: "let pages of ORIGIN use the admin routes (repeatable; loopback always can)",
    multiple: true,
  },
  {
    flag: "allow-host",
    value: "HOST",
    help: "answer admin requests for HOST too (repeatable; loopback and --url always)",
    multiple: true,
  },
  // Spelled out rather than parseArgs' allowNegative, which Node 20 before 20.16 lacks.
  { flag: "no-admin", help: "do not serve the /_emulator admin routes and page" },
  { flag: "quiet", help: "do not log one line per request" },
];

/** The environment variable of a flag: --max-file-bytes is CONVEX_STORAGE_EMULATOR_MAX_FILE_BYTES. */
export function envName(flag: string): string {
  return `CONVEX_STORAGE_EMULATOR_${flag.toUpperCase().replaceAll("-", "_")}`;
}

export interface CliOptions {
  port: number;
  /** The site origin's port (HTTP actions), like the local backend's 3211 beside 3210. */
  sitePort: number;
  host: string;
  seed: string | undefined;
  /** The app's convex/ directory: its functions run in convex-test, served to Convex's clients. */
  convex: string | undefined;
  http: string | undefined;
  functions: string | undefined;
  quiet: boolean;
  emulator: StorageEmulatorOptions;
}

type Values = Record<string, string | boolean | string[] | undefined>;

export function parseCli(argv: string[], env: NodeJS.ProcessEnv = {}): CliOptions | "help" | "version" {
  let values: Values;
  try {
    values = parseArgs({
      args: argv,
      strict: true,
      allowPositionals: false,
      options: {
        ...Object.fromEntries(
          OPTIONS.map((o) => [
            o.flag,
            { type: o.value === undefined ? "boolean" : "string", multiple: o.multiple === true } as const,
          ]),
        ),
        help: { type: "boolean", short: "h" },
        version: { type: "boolean", short: "v" },
      },
    }).values;
  } catch (error) {
    // parseArgs' messages are one line, e.g. "Unknown option '--prot'".
    throw errors.cliUsage(String((error as Error).message).split("\n")[0] ?? "");
  }
  if (values.help) return "help";
  if (values.version) return "version";
  const option = (flag: string) => valueOf(values, env, flag);
  const emulator: StorageEmulatorOptions = { admin: !switchOf(values, env, "no-admin") };
  const url = option("url");
  if (url !== undefined) emulator.url = asFlag(url.source, () => checkOrigin(url.value));
  const persist = option("persist");
  // resolve("") is the working directory: an empty --persist must not quietly mean "here".
  if (persist !== undefined && persist.value.trim() === "") throw errors.cliEmpty(persist.source);
  if (persist !== undefined) emulator.persist = resolve(persist.value);
  if (switchOf(values, env, "verify-sha256")) emulator.persistVerifySha256 = true;
  const maxFile = wholeNumber(option("max-file-bytes"));
  if (maxFile !== undefined) emulator.maxFileBytes = maxFile;
  const maxTotal = wholeNumber(option("max-total-bytes"));
  if (maxTotal !== undefined) emulator.maxTotalBytes = maxTotal;
  // Seconds on the command line, ms in the library: the range is checked here, naming the flag.
  const ttlSeconds = seconds(option("upload-ttl"), MAX_TTL_SECONDS, "an expiry the clock can hold");
  if (ttlSeconds !== undefined) emulator.uploadUrlTtlMs = ttlSeconds * 1000;
  const idleSeconds = seconds(option("upload-timeout"), Math.floor(MAX_TIMER_MS / 1000), "a timer's limit");
  if (idleSeconds !== undefined) emulator.uploadIdleTimeoutMs = idleSeconds * 1000;
  const origins = listOf(values, env, "cors-origin");
  if (origins !== undefined)
    emulator.adminOrigins = asFlag(listSource(values, "cors-origin"), () => [
      ...checkBrowserAccess(origins, undefined).origins,
    ]);
  const hosts = listOf(values, env, "allow-host");
  if (hosts !== undefined)
    emulator.allowedHosts = asFlag(
      listSource(values, "allow-host"),
      () => (checkBrowserAccess(undefined, hosts), hosts),
    );
  const portOption = option("port");
  const port = wholeNumber(portOption) ?? DEFAULT_PORT;
  if (port > 65535) throw errors.cliPortRange(portOption!.source, port);
  const sitePortOption = option("site-port");
  const sitePort = wholeNumber(sitePortOption) ?? (port === 0 ? 0 : port + 1);
  if (sitePort > 65535) throw errors.cliPortRange(sitePortOption?.source ?? "--port + 1", sitePort);
  const host = option("host");
  if (host !== undefined && host.value.trim() === "") throw errors.cliEmpty(host.source);
  const http = option("http")?.value;
  const functions = option("functions")?.value;
  const convex = option("convex");
  if (convex !== undefined && convex.value.trim() === "") throw errors.cliEmpty(convex.source);
  if (convex !== undefined && (http !== undefined || functions !== undefined)) throw errors.cliConvexWithHttp();
  if (convex !== undefined && persist !== undefined) throw errors.cliConvexWithPersist();
  if (functions !== undefined && http === undefined) throw errors.cliFunctionsNeedHttp();
  return {
    port,
    sitePort,
    host: host?.value ?? DEFAULT_HOST,
    seed: option("seed")?.value,
    convex: convex?.value,
    http,
    functions,
    quiet: switchOf(values, env, "quiet"),
    emulator,
  };
}

/** A flag's value, else its variable's (an empty variable counts as unset), with where it came from. */
function valueOf(values: Values, env: NodeJS.ProcessEnv, flag: string): { value: string; source: string } | undefined {
  const given = values[flag];
  if (typeof given === "string") return { value: given, source: `--${flag}` };
  const fromEnv = env[envName(flag)];
  return fromEnv ? { value: fromEnv, source: envName(flag) } : undefined;
}

/** A repeatable flag's values, else its variable's comma-separated ones. */
function listOf(values: Values, env: NodeJS.ProcessEnv, flag: string): string[] | undefined {
  const given = values[flag];
  if (Array.isArray(given)) return given;
  const fromEnv = env[envName(flag)];
  return fromEnv
    ? fromEnv
        .split(",")
        .map((v) => v.trim())
        .filter((v) => v !== "")
    : undefined;
}

/** A switch: the flag, else its variable as 1/true or 0/false. */
function switchOf(values: Values, env: NodeJS.ProcessEnv, flag: string): boolean {
  if (values[flag] === true) return true;
  const fromEnv = env[envName(flag)]?.trim().toLowerCase();
  if (fromEnv === undefined || fromEnv === "" || fromEnv === "0" || fromEnv === "false") return false;
  if (fromEnv === "1" || fromEnv === "true") return true;
  throw errors.cliBoolean(envName(flag), env[envName(flag)]!);
}

/** Where a repeatable flag's values came from: the flag, else its variable. */
function listSource(values: Values, flag: string): string {
  return Array.isArray(values[flag]) ? `--${flag}` : envName(flag);
}

/** A library check of a flag's value; its OptionInvalid is told with the flag or variable (exit 2), not the option. */
function asFlag<T>(source: string, check: () => T): T {
  try {
    return check();
  } catch (error) {
    if (!isStorageEmulatorError(error) || error.code !== "OptionInvalid") throw error;
    throw errors.cliInvalid(
      source,
      error.message.replace(/^\[convex-storage-emulator\] Invalid option `[^`]*`: /, "").replace(/\.$/, ""),
    );
  }
}

/** Ten years: an upload URL's expiry stays far inside the clock's range. */
const MAX_TTL_SECONDS = 10 * 366 * 24 * 3600;

function seconds(option: { value: string; source: string } | undefined, max: number, why: string): number | undefined {
  const value = wholeNumber(option);
  if (value !== undefined && value > max) throw errors.cliSecondsRange(option!.source, max, option!.value, why);
  return value;
}

function wholeNumber(option: { value: string; source: string } | undefined): number | undefined {
  if (option === undefined) return undefined;
  if (!/^\d+$/.test(option.value) || !Number.isSafeInteger(Number(option.value))) {
    throw errors.cliWholeNumber(option.source, option.value);
  }
  return Number(option.value);
}
