// Which Chromium the browser tests drive: CHROMIUM_PATH, else a system
// Chromium, else the one @sparticuz/chromium ships inside its npm package, so
// `npm ci && npm test` needs no apt-get and no browser download.
//
// Only the packaged binary is used, never the package's `args`: they include
// --disable-web-security, which would switch off the CORS these tests check.
import { execFile } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";

/**
 * The flags the tests launch Chromium with (never @sparticuz/chromium's `args`, see above).
 * No sandbox as root in CI; no background networking on a machine without internet.
 */
export const CHROMIUM_FLAGS = [
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

const SYSTEM_CHROMIUMS = [
  "/usr/bin/chromium",
  "/usr/bin/chromium-browser",
  "/usr/bin/google-chrome",
  "/usr/bin/google-chrome-stable",
];

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const PACKAGE = join(ROOT, "node_modules/@sparticuz/chromium");

export interface ChromiumSources {
  env?: NodeJS.ProcessEnv;
  system?: readonly string[];
  /** Unpacks the packaged Chromium and returns its path. */
  packaged?: () => Promise<string>;
}

/** The Chromium binary to launch, first found of CHROMIUM_PATH, a system one, the packaged one. */
export async function chromiumPath(sources: ChromiumSources = {}): Promise<string> {
  const { env = process.env, system = SYSTEM_CHROMIUMS, packaged = packagedChromium } = sources;
  const fromEnv = env.CHROMIUM_PATH;
  if (fromEnv) {
    if (!existsSync(fromEnv)) throw new Error(`CHROMIUM_PATH=${fromEnv} does not exist.`);
    return fromEnv;
  }
  return system.find((path) => existsSync(path)) ?? (await packaged());
}

/**
 * The packaged Chromium, unpacked once per package version into node_modules/.cache
 * (about 2 s the first time). The package unpacks into os.tmpdir(), shared by every
 * project on the machine and skipped if a half-written file is already there, so it
 * runs in a child process whose TMPDIR is a fresh staging directory, renamed into
 * place when complete: a concurrent or interrupted unpack never leaves a partial binary.
 */
export async function packagedChromium(): Promise<string> {
  if (!existsSync(PACKAGE)) {
    throw new Error(
      "Chromium not found for the browser tests: run `npm ci` (it installs @sparticuz/chromium), or set CHROMIUM_PATH to a Chromium or Chrome binary.",
    );
  }
  const { version } = JSON.parse(readFileSync(join(PACKAGE, "package.json"), "utf8")) as { version: string };
  const cache = join(ROOT, "node_modules/.cache");
  const dir = join(cache, `sparticuz-chromium-${version}`);
  const binary = join(dir, "chromium");
  if (existsSync(binary)) return binary;
  mkdirSync(cache, { recursive: true });
  const staging = mkdtempSync(`${dir}.staging-`);
  try {
    const unpack = 'import c from "@sparticuz/chromium"; process.stdout.write(await c.executablePath());';
    const { stdout } = await promisify(execFile)(process.execPath, ["--input-type=module", "-e", unpack], {
      cwd: ROOT,
      env: { ...process.env, TMPDIR: staging },
    });
    if (stdout !== join(staging, "chromium"))
      throw new Error(`@sparticuz/chromium unpacked to ${stdout}, not into ${staging}`);
    renameSync(staging, dir);
  } catch (error) {
    rmSync(staging, { recursive: true, force: true });
    // Another test run renamed its complete copy into place first: use it.
    if (!existsSync(binary)) throw error;
  }
  return binary;
}
