// Where a file store keeps its blobs: a fresh memfs volume per emulator (and
// per reset), or a directory on disk for `persist`.
import * as nodeFs from "node:fs";
import { resolve as resolvePath } from "node:path";
import { Volume } from "memfs";
import { errors } from "../errors.js";
import type { BlobFs } from "./types.js";

export interface StoreLocation {
  fs: BlobFs;
  /** Memory mode: a fresh, empty fs, so that clear() is O(1) and frees every byte at once. */
  freshFs?: () => BlobFs;
  /** Root directory inside `fs`. */
  root: string;
  /** Write a metadata file beside each blob, so a restart finds the files again. */
  durable: boolean;
}

// memfs asks process.getuid()/getgid() (system calls) on every open for its
// permission checks; a blob volume has one user, so answer them from here.
const VOLUME_PROCESS = { cwd: () => "/", platform: "linux", getuid: () => 0, getgid: () => 0, env: {}, emitWarning: () => {} };

function newMemoryVolume(): BlobFs {
  return Volume.fromJSON({}, "/", { process: VOLUME_PROCESS as never }) as unknown as BlobFs;
}

/** The location for the `persist` option: undefined is memory. */
export function storeLocation(persist: string | undefined): StoreLocation {
  if (persist === undefined) return { fs: newMemoryVolume(), freshFs: newMemoryVolume, root: "/store", durable: false };
  if (typeof persist !== "string" || persist.length === 0) {
    throw errors.optionInvalid("persist", "expected a directory path.");
  }
  return { fs: nodeFs as unknown as BlobFs, root: resolvePath(persist), durable: true };
}
