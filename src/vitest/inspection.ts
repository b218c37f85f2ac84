// What a matcher looks at, taken from either kind of handle: an in-process
// emulator (read synchronously) or a remote one (fetched first, so the
// matcher becomes async). The matchers build their result from this alone,
// so both kinds pass and fail alike, with the same messages.
import type { StorageEmulator } from "../emulator.js";
import { errors } from "../errors.js";
import type { StoredFile } from "../file-store.js";
import type { HttpRequestEntry } from "../journal.js";
import { RemoteStorageEmulator } from "../remote.js";
import { describeValue } from "./messages.js";

/** The parts of an in-process emulator the matchers read. */
type Inspectable = Pick<StorageEmulator, "files" | "file" | "bytes" | "journal">;

/** What the matchers accept: an emulator, or a remote handle from connectStorageEmulator(). */
export type MatcherTarget = Inspectable | RemoteStorageEmulator;

/** The stored files and upload requests of one emulator, at one moment. */
export interface Inspection {
  readonly files: readonly StoredFile[];
  /** A file among `files` by storage id or UUID, or null. */
  file(id: unknown): StoredFile | null;
  /** A file's bytes; only when they were asked for. */
  bytes(file: StoredFile): Uint8Array | null;
  /** The HTTP requests to the upload route; only when asked for. */
  readonly uploads: readonly HttpRequestEntry[];
}

/** What a matcher needs besides the file list. */
export interface Needs {
  bytes?: boolean;
  uploads?: boolean;
}

/** The handle a matcher was given, or a MatcherUsage error naming what it got. */
export function targetOf(matcher: string, what: string, value: unknown): MatcherTarget {
  if (value instanceof RemoteStorageEmulator) return value;
  const candidate = value as Partial<Inspectable> | null;
  const ok =
    typeof candidate === "object" &&
    candidate !== null &&
    typeof candidate.files === "function" &&
    typeof candidate.file === "function" &&
    typeof candidate.bytes === "function" &&
    typeof candidate.journal?.httpRequests === "function";
  if (!ok) {
    throw errors.matcherUsage(
      matcher,
      `${what} must be a storage emulator (from createStorageEmulator() or connectStorageEmulator()), got ${describeValue(value)}.`,
    );
  }
  return candidate as Inspectable;
}

/**
 * Calls `build` with an inspection of `target`: at once for an in-process
 * emulator, once fetched for a remote one (then the result is a promise).
 */
export function inspect<R>(target: MatcherTarget, needs: Needs, build: (inspection: Inspection) => R): R | Promise<R> {
  if (target instanceof RemoteStorageEmulator) return inspectRemote(target, needs).then(build);
  const files = target.files();
  return build({
    files,
    file: (id) => find(files, id),
    bytes: (file) => target.bytes(file.storageId),
    uploads: needs.uploads ? target.journal.httpRequests("upload") : [],
  });
}

async function inspectRemote(remote: RemoteStorageEmulator, needs: Needs): Promise<Inspection> {
  const [files, uploads] = await Promise.all([
    remote.files(),
    needs.uploads ? remote.journal.httpRequests("upload") : [],
  ]);
  const contents = needs.bytes ? await Promise.all(files.map((file) => remote.bytes(file.storageId))) : [];
  const bytes = new Map(files.map((file, i) => [file.storageId, contents[i] ?? null]));
  return { files, file: (id) => find(files, id), bytes: (file) => bytes.get(file.storageId) ?? null, uploads };
}

/** By storage id, or by UUID in any case: as `emulator.file(id)` finds files. */
function find(files: readonly StoredFile[], id: unknown): StoredFile | null {
  if (typeof id !== "string") return null;
  const uuid = id.toLowerCase();
  return files.find((file) => file.storageId === id) ?? files.find((file) => file.uuid === uuid) ?? null;
}
