// The command's options from flags and CONVEX_STORAGE_EMULATOR_* variables, in process.
import { resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { envName, OPTIONS, parseCli } from "../../src/cli/args.js";
import { failure } from "../support/failure.js";

/** parseCli's options for these flags and variables (never "help" or "version" here). */
function setup(argv: string[], env: NodeJS.ProcessEnv = {}) {
  const options = parseCli(argv, env);
  if (typeof options === "string") throw new Error(`unexpected ${options}`);
  return options;
}

/** The usage error parseCli throws, as the command prints it. */
function usageError(argv: string[], env: NodeJS.ProcessEnv = {}) {
  const error = failure(() => parseCli(argv, env));
  return { code: error.code, message: error.message };
}

const EVERY_VARIABLE = {
  CONVEX_STORAGE_EMULATOR_PORT: "4000",
  CONVEX_STORAGE_EMULATOR_SITE_PORT: "4100",
  CONVEX_STORAGE_EMULATOR_HOST: "0.0.0.0",
  CONVEX_STORAGE_EMULATOR_URL: "https://files.test",
  CONVEX_STORAGE_EMULATOR_PERSIST: "store",
  CONVEX_STORAGE_EMULATOR_VERIFY_SHA256: "1",
  CONVEX_STORAGE_EMULATOR_SEED: "fixtures",
  CONVEX_STORAGE_EMULATOR_CONVEX: "app/convex",
  CONVEX_STORAGE_EMULATOR_HTTP: "convex/http.ts",
  CONVEX_STORAGE_EMULATOR_FUNCTIONS: "dev-functions.ts",
  CONVEX_STORAGE_EMULATOR_MAX_FILE_BYTES: "10",
  CONVEX_STORAGE_EMULATOR_MAX_TOTAL_BYTES: "20",
  CONVEX_STORAGE_EMULATOR_UPLOAD_TTL: "30",
  CONVEX_STORAGE_EMULATOR_UPLOAD_TIMEOUT: "5",
  CONVEX_STORAGE_EMULATOR_CORS_ORIGIN: "https://a.test, https://b.test",
  CONVEX_STORAGE_EMULATOR_ALLOW_HOST: "laptop.lan",
  CONVEX_STORAGE_EMULATOR_NO_ADMIN: "1",
  CONVEX_STORAGE_EMULATOR_QUIET: "true",
};

// --convex excludes --http and --functions (its own test is below): every other variable.
const { CONVEX_STORAGE_EMULATOR_CONVEX: _convex, ...WITH_HTTP } = EVERY_VARIABLE;

describe("parseCli", () => {
  it("envName: the flag in upper case with underscores, after CONVEX_STORAGE_EMULATOR_", () => {
    expect(OPTIONS.map((o) => envName(o.flag))).toEqual(Object.keys(EVERY_VARIABLE));
  });

  it("parseCli: every option can come from its variable", () => {
    expect(setup([], WITH_HTTP)).toEqual({
      port: 4000,
      sitePort: 4100,
      host: "0.0.0.0",
      seed: "fixtures",
      convex: undefined,
      http: "convex/http.ts",
      functions: "dev-functions.ts",
      quiet: true,
      emulator: {
        admin: false,
        url: "https://files.test",
        persist: resolve("store"),
        persistVerifySha256: true,
        maxFileBytes: 10,
        maxTotalBytes: 20,
        uploadUrlTtlMs: 30_000,
        uploadIdleTimeoutMs: 5000,
        adminOrigins: ["https://a.test", "https://b.test"],
        allowedHosts: ["laptop.lan"],
      },
    });
  });

  it("parseCli: --cors-origin and --allow-host repeat; given as flags they replace their variable's list", () => {
    const argv = [
      "--cors-origin",
      "https://c.test",
      "--cors-origin",
      "https://d.test",
      "--allow-host",
      "a.lan",
      "--allow-host",
      "b.lan",
    ];
    expect(setup(argv, WITH_HTTP).emulator).toMatchObject({
      adminOrigins: ["https://c.test", "https://d.test"],
      allowedHosts: ["a.lan", "b.lan"],
    });
  });

  it("parseCli: a flag wins over its variable", () => {
    const argv = ["--port", "5000", "--url", "https://flag.test", "--max-file-bytes", "11", "--seed", "other"];
    expect(setup(argv, WITH_HTTP)).toMatchObject({
      port: 5000,
      seed: "other",
      emulator: { url: "https://flag.test", maxFileBytes: 11, maxTotalBytes: 20 },
    });
  });

  it("parseCli: without flags or variables, the defaults", () => {
    expect(setup([], {})).toEqual({
      port: 3210,
      sitePort: 3211,
      host: "127.0.0.1",
      seed: undefined,
      convex: undefined,
      http: undefined,
      functions: undefined,
      quiet: false,
      emulator: { admin: true },
    });
  });

  it("parseCli: --site-port defaults to the port after --port, and to 0 (free) with --port 0", () => {
    expect(setup(["--port", "4000"], {}).sitePort).toBe(4001);
    expect(setup(["--port", "0"], {}).sitePort).toBe(0);
    expect(setup(["--port", "4000", "--site-port", "0"], {}).sitePort).toBe(0);
    expect(() => setup(["--site-port", "70000"], {})).toThrow("--site-port must be from 0 to 65535, got 70000");
  });

  it("parseCli: an empty variable is unset", () => {
    expect(
      setup([], {
        CONVEX_STORAGE_EMULATOR_PERSIST: "",
        CONVEX_STORAGE_EMULATOR_PORT: "",
        CONVEX_STORAGE_EMULATOR_QUIET: "",
      }),
    ).toMatchObject({
      port: 3210,
      quiet: false,
      emulator: { admin: true },
    });
  });

  it("parseCli: a switch variable takes 1, true, 0 or false, in any case", () => {
    expect(setup([], { CONVEX_STORAGE_EMULATOR_NO_ADMIN: "TRUE" }).emulator.admin).toBe(false);
    expect(setup([], { CONVEX_STORAGE_EMULATOR_NO_ADMIN: "0" }).emulator.admin).toBe(true);
    expect(setup([], { CONVEX_STORAGE_EMULATOR_QUIET: "false" }).quiet).toBe(false);
    expect(setup(["--quiet"], { CONVEX_STORAGE_EMULATOR_QUIET: "0" }).quiet).toBe(true);
    expect(setup(["--verify-sha256"], {}).emulator.persistVerifySha256).toBe(true);
    expect(setup([], { CONVEX_STORAGE_EMULATOR_VERIFY_SHA256: "0" }).emulator).not.toHaveProperty(
      "persistVerifySha256",
    );
  });

  it("parseCli: a bad variable names the variable", () => {
    expect(usageError([], { CONVEX_STORAGE_EMULATOR_QUIET: "yes" })).toEqual({
      code: "CliUsage",
      message:
        '[convex-storage-emulator] CONVEX_STORAGE_EMULATOR_QUIET expects 1, true, 0 or false, got "yes". Run convex-storage-emulator --help for usage.',
    });
    expect(usageError([], { CONVEX_STORAGE_EMULATOR_PORT: "70000" }).message).toBe(
      "[convex-storage-emulator] CONVEX_STORAGE_EMULATOR_PORT must be from 0 to 65535, got 70000. Run convex-storage-emulator --help for usage.",
    );
    expect(usageError([], { CONVEX_STORAGE_EMULATOR_HOST: " " }).message).toBe(
      "[convex-storage-emulator] CONVEX_STORAGE_EMULATOR_HOST must not be empty. Run convex-storage-emulator --help for usage.",
    );
  });

  it("parseCli: a bad flag names the flag", () => {
    expect(usageError(["--upload-ttl", "1h"])).toEqual({
      code: "CliUsage",
      message:
        '[convex-storage-emulator] --upload-ttl expects a whole number, got "1h". Run convex-storage-emulator --help for usage.',
    });
    expect(usageError(["--persist", ""]).message).toBe(
      "[convex-storage-emulator] --persist must not be empty. Run convex-storage-emulator --help for usage.",
    );
    expect(usageError(["--functions", "f.js"]).message).toBe(
      "[convex-storage-emulator] --functions needs --http. Run convex-storage-emulator --help for usage.",
    );
    expect(usageError(["extra"]).message).toBe(
      "[convex-storage-emulator] Unexpected argument 'extra'. This command does not take positional arguments. Run convex-storage-emulator --help for usage.",
    );
  });

  it("parseCli: --convex from its flag or variable; it excludes --http and --functions", () => {
    expect(setup(["--convex", "convex"]).convex).toBe("convex");
    expect(setup([], { CONVEX_STORAGE_EMULATOR_CONVEX: "app/convex" }).convex).toBe("app/convex");
    expect(usageError(["--convex", " "]).message).toBe(
      "[convex-storage-emulator] --convex must not be empty. Run convex-storage-emulator --help for usage.",
    );
    const both =
      "[convex-storage-emulator] --convex serves DIR/http.ts and runs DIR's functions itself: drop --http and --functions. Run convex-storage-emulator --help for usage.";
    expect(usageError(["--convex", "convex", "--http", "convex/http.ts"])).toEqual({ code: "CliUsage", message: both });
    expect(usageError(["--functions", "f.js"], { CONVEX_STORAGE_EMULATOR_CONVEX: "convex" })).toEqual({
      code: "CliUsage",
      message: both,
    });
    expect(usageError(["--convex", "convex", "--persist", "files"]).message).toBe(
      "[convex-storage-emulator] --convex keeps the app's documents in memory, so its files cannot outlive them: drop --persist. Run convex-storage-emulator --help for usage.",
    );
  });

  it("parseCli: --functions from a variable still needs --http", () => {
    expect(usageError([], { CONVEX_STORAGE_EMULATOR_FUNCTIONS: "f.js" }).code).toBe("CliUsage");
  });

  it("parseCli: --help and --version win over everything else", () => {
    expect(parseCli(["--port", "1", "--help"], { CONVEX_STORAGE_EMULATOR_PORT: "x" })).toBe("help");
    expect(parseCli(["-v"])).toBe("version");
  });
});
