// Where a file store keeps its bytes: in memory (memory-volume.ts, a fresh
// store per emulator), or as files in a directory for `persist` (volume.ts).
import * as nodeFs from "node:fs";
import { resolve as resolvePath } from "node:path";
import { errors } from "../errors.js";
import type { LockOwner } from "./lock.js";
import type { BlobFs } from "./types.js";

/** Memory mode: each file's bytes in the buffers they arrived in. */
export interface MemoryLocation {
  readonly memory: true;
}

/** Blobs and their records as files in an fs (`persist`): node:fs, or memfs in tests. */
export interface FsLocation {
  fs: BlobFs;
  /** Root directory inside `fs`. */
  root: string;
  /** Persist: where start-up warnings go, one line each (default console.warn). */
  warn?: ((line: string) => void) | undefined;
  /** Persist: who takes the directory's lock (default this process). */
  lock?: LockOwner | undefined;
  /** Persist: hash every blob at start-up, not only the small ones (quarantine.ts). */
  verifySha256?: boolean | undefined;
}

export type StoreLocation = MemoryLocation | FsLocation;

export const MEMORY: MemoryLocation = Object.freeze({ memory: true });

/** The location for the `persist` option: undefined is memory (where `verifySha256` has nothing to check). */
export function storeLocation(persist: string | undefined, verifySha256 = false): StoreLocation {
  if (persist === undefined) return MEMORY;
  if (typeof persist !== "string" || persist.length === 0) {
    throw errors.optionInvalid("persist", "expected a directory path.");
  }
  return { fs: nodeFs as unknown as BlobFs, root: resolvePath(persist), verifySha256 };
}
