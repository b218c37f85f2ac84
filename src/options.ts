// The options of createStorageEmulator() and their checks: every bad value
// becomes an OptionInvalid error naming it.
import type { HttpRouter, UserIdentity } from "convex/server";
import { errors } from "./errors.js";
import { MAX_TIMER_MS } from "./timer-limit.js";
import type { RunFunctions } from "./http-actions.js";

export interface StorageEmulatorOptions {
  /** Origin used in URLs. Default: the listening server's, else "http://127.0.0.1:3210". */
  url?: string;
  /** Clock in ms (default Date.now); drives `_creationTime` and upload-token expiry. */
  now?: () => number;
  /** How long an upload URL stays valid. Default 3_600_000 (one hour, like Convex). */
  uploadUrlTtlMs?: number;
  /** Largest file accepted, in bytes. Over it: 413 / FileTooLarge, nothing stored. Default unlimited. */
  maxFileBytes?: number;
  /** Memory budget for all files, in bytes. Over it: 507 / StorageFull, nothing stored. Default unlimited. */
  maxTotalBytes?: number;
  /** Keep files in this directory instead of memory, so a restart finds them again. */
  persist?: string;
  /**
   * With `persist`: check every blob's sha256 at start-up, quarantining a mismatch. Default false:
   * blobs up to 1 MiB are hashed, larger ones only size-checked (hashing reads every byte).
   */
  persistVerifySha256?: boolean;
  /** Serve the /_emulator admin routes and page. Default true. */
  admin?: boolean;
  /** Origins (e.g. "http://my-app.test:8080") whose pages may use the admin routes, besides loopback ones. */
  adminOrigins?: string[];
  /** Host names the admin routes answer besides loopback and the `url`'s (e.g. a LAN name with --host 0.0.0.0). */
  allowedHosts?: string[];
  /** An upload that sends no byte for this long is aborted (408), nothing stored. Default 120_000 (2 minutes). */
  uploadIdleTimeoutMs?: number;
  /** The app's HTTP router (the default export of convex/http.ts), served on every path of the site origin (`siteUrl`). */
  http?: HttpRouter;
  /** Where HTTP actions' ctx.runQuery / runMutation / runAction go, e.g. `{ query: t.query, mutation: t.mutation, action: t.action }`. */
  run?: RunFunctions;
  /** What HTTP actions' ctx.auth.getUserIdentity() returns. Default null. */
  identity?: UserIdentity | null;
}

export const DEFAULT_ORIGIN = "http://127.0.0.1:3210";
/** The site origin (HTTP actions) before one listens: the local backend's 3211. */
export const DEFAULT_SITE_ORIGIN = "http://127.0.0.1:3211";
export const DEFAULT_UPLOAD_URL_TTL_MS = 3_600_000;
// Fidelity: uploads time out after two minutes (fidelity.md, "Upload").
export const DEFAULT_UPLOAD_IDLE_TIMEOUT_MS = 120_000;

export function checkOrigin(url: unknown): string {
  let parsed: URL;
  try {
    parsed = new URL(String(url));
  } catch {
    throw errors.optionInvalid("url", `"${String(url)}" is not a URL; expected an origin like http://127.0.0.1:3210.`);
  }
  if (parsed.protocol !== "http:" && parsed.protocol !== "https:") {
    throw errors.optionInvalid("url", `"${String(url)}" must use http or https.`);
  }
  // A path prefix is kept (a proxy may mount the emulator under one); a trailing slash is not.
  return `${parsed.origin}${parsed.pathname.replace(/\/+$/, "")}`;
}

export function checkSwitch(name: string, value: unknown): boolean | undefined {
  if (value === undefined || typeof value === "boolean") return value;
  throw errors.optionInvalid(name, `expected true or false, got ${String(value)}.`);
}

export function checkCount(name: string, value: unknown): number | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== "number" || !Number.isSafeInteger(value) || value < 0) {
    throw errors.optionInvalid(name, `expected a whole number of at least 0, got ${String(value)}.`);
  }
  return value;
}

/** A delay a timer will honour: a whole number of ms from `min` to MAX_TIMER_MS (about 24.8 days). */
export function checkTimerMs(name: string, value: unknown, min = 0): number | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== "number" || !Number.isSafeInteger(value) || value < min || value > MAX_TIMER_MS) {
    throw errors.optionInvalid(
      name,
      `expected a whole number of ms from ${min} to ${MAX_TIMER_MS} (a timer's limit), got ${String(value)}.`,
    );
  }
  return value;
}
