// The options of createStorageEmulator() and seed(), and their checks: every
// bad value becomes an OptionInvalid / SeedInvalid error naming it.
import * as nodeFs from "node:fs";
import { readFile } from "node:fs/promises";
import { resolve as resolvePath } from "node:path";
import type { HttpRouter, UserIdentity } from "convex/server";
import { Volume } from "memfs";
import { contentTypeForPath } from "./content-types.js";
import { errors } from "./errors.js";
import type { BlobFs } from "./file-store.js";
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
  /** Serve the /_emulator admin routes and page. Default true. */
  admin?: boolean;
  /** The app's HTTP router (the default export of convex/http.ts), served on every path but /api and /_emulator. */
  http?: HttpRouter;
  /** Where HTTP actions' ctx.runQuery / runMutation / runAction go, e.g. `{ query: t.query, mutation: t.mutation, action: t.action }`. */
  run?: RunFunctions;
  /** What HTTP actions' ctx.auth.getUserIdentity() returns. Default null. */
  identity?: UserIdentity | null;
}

/** What `seed()` accepts: a file on disk, or bytes. */
export type SeedInput =
  | { path: string; contentType?: string | null }
  | { bytes: Uint8Array | ArrayBuffer | string; contentType?: string | null };

export const DEFAULT_ORIGIN = "http://127.0.0.1:3210";
export const DEFAULT_UPLOAD_URL_TTL_MS = 3_600_000;

/** seed() input, read and checked: the bytes and their content type (lowercased). */
export async function readSeedInput(input: SeedInput): Promise<{ bytes: Uint8Array; contentType: string | null }> {
  if (typeof input !== "object" || input === null) {
    throw errors.seedInvalid("expected { path } or { bytes, contentType? }.");
  }
  let bytes: Uint8Array;
  let contentType: string | null;
  if ("path" in input && typeof input.path === "string") {
    try {
      bytes = await readFile(input.path);
    } catch (error) {
      throw errors.seedInvalid(`cannot read "${input.path}": ${(error as NodeJS.ErrnoException).code ?? String(error)}.`);
    }
    contentType = input.contentType === undefined ? contentTypeForPath(input.path) : input.contentType;
  } else if ("bytes" in input) {
    const raw = input.bytes;
    if (typeof raw === "string") bytes = new TextEncoder().encode(raw);
    else if (raw instanceof Uint8Array) bytes = raw;
    else if (raw instanceof ArrayBuffer) bytes = new Uint8Array(raw);
    else throw errors.seedInvalid("`bytes` must be a Uint8Array, an ArrayBuffer or a string.");
    contentType = input.contentType ?? null;
  } else {
    throw errors.seedInvalid("expected { path } or { bytes, contentType? }.");
  }
  if (contentType !== null && typeof contentType !== "string") {
    throw errors.seedInvalid("`contentType` must be a string or null.");
  }
  return { bytes, contentType: contentType?.toLowerCase() ?? null };
}

// memfs asks process.getuid()/getgid() (system calls) on every open for its
// permission checks; a blob volume has one user, so answer them from here.
const VOLUME_PROCESS = { cwd: () => "/", platform: "linux", getuid: () => 0, getgid: () => 0, env: {}, emitWarning: () => {} };

function newMemoryVolume(): BlobFs {
  return Volume.fromJSON({}, "/", { process: VOLUME_PROCESS as never }) as unknown as BlobFs;
}

export function storageLocation(persist: string | undefined): { fs: BlobFs; freshFs?: () => BlobFs; root: string; durable: boolean } {
  if (persist === undefined) return { fs: newMemoryVolume(), freshFs: newMemoryVolume, root: "/store", durable: false };
  if (typeof persist !== "string" || persist.length === 0) {
    throw errors.optionInvalid("persist", "expected a directory path.");
  }
  return { fs: nodeFs as unknown as BlobFs, root: resolvePath(persist), durable: true };
}

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

export function checkCount(name: string, value: unknown): number | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== "number" || !Number.isSafeInteger(value) || value < 0) {
    throw errors.optionInvalid(name, `expected a whole number of at least 0, got ${String(value)}.`);
  }
  return value;
}
