// The ctx.storage views: what Convex functions see as `ctx.storage`.
//
// Fidelity: semantics follow convex-js src/server/storage.ts (types, 1.48) and
// the backend's storage syscalls: getUrl/get of a missing file is null, delete
// of a missing file throws, ids are `_storage` document ids or legacy UUIDs.
import type { StorageActionWriter, StorageReader, StorageWriter } from "convex/server";
import type { GenericId } from "convex/values";
import { errors, isStorageEmulatorError, type StorageMethod } from "./errors.js";
import { faultDelay, type Faults } from "./faults.js";
import type { FileStore, StoredFile } from "./file-store.js";
import type { IdScheme } from "./ids.js";
import type { Journal, StorageCallEntry, StorageOperation } from "./journal.js";
import type { UploadTokenBook } from "./tokens.js";

/** What the views need from their emulator. */
export interface StorageBackend {
  readonly files: FileStore;
  readonly tokens: UploadTokenBook;
  /** Swappable: convex-test interop puts convex-test's id format here while connected. */
  ids: IdScheme;
  readonly journal: Journal;
  /** Faults queued with `emulator.faults.next()`. */
  readonly faults: Faults;
  now(): number;
  /** The origin URLs are built on, e.g. "http://127.0.0.1:3210". */
  origin(): string;
}

export interface StorageViews {
  /** `ctx.storage` of an action or HTTP action. */
  storage: StorageActionWriter;
  /** `ctx.storage` of a mutation. */
  writer: StorageWriter;
  /** `ctx.storage` of a query. */
  reader: StorageReader;
}

/** getMetadata's result. Fidelity: sha256 is hex here (unlike `_storage` documents). */
export interface FileMetadata {
  storageId: string;
  sha256: string;
  size: number;
  contentType: string | null;
}

/** A SHA-256 digest in base64: 32 bytes are 43 characters and one "=". Shared with the upload's Digest header. */
export const SHA256_BASE64_PATTERN = "[A-Za-z0-9+/]{43}=";
const SHA256_BASE64 = new RegExp(`^${SHA256_BASE64_PATTERN}$`);
// Below this, reading a Blob whole is faster than streaming it; above, streaming keeps one copy.
const WHOLE_BLOB_MAX = 1024 * 1024;

export function fileUrl(origin: string, uuid: string): string {
  return `${origin}/api/storage/${uuid}`;
}

export function uploadUrl(origin: string, token: string): string {
  return `${origin}/api/storage/upload?token=${token}`;
}

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

export function createStorageViews(backend: StorageBackend): StorageViews {
  const { files, journal } = backend;

  /**
   * Runs one call, recording it in the journal with its outcome. Not an async
   * function: a call that finishes synchronously (getUrl, getMetadata, most
   * gets) is journaled at once and costs no extra promise turns.
   */
  function track<T>(
    operation: StorageOperation,
    storageId: unknown,
    call: () => Promise<T> | T,
    bytesOf?: (result: T) => number | undefined,
  ): Promise<T> {
    const at = backend.now();
    const started = performance.now();
    const id = typeof storageId === "string" ? storageId : undefined;
    const fault = backend.faults.take(operation);
    const succeeded = (result: T): T => {
      const bytes = bytesOf?.(result);
      const storedId = typeof result === "string" && operation === "store" ? result : id;
      const entry: Mutable<StorageCallEntry> = { type: "storage", operation, at, outcome: result === null ? "null" : "ok", durationMs: 0 };
      if (storedId !== undefined) entry.storageId = storedId;
      if (bytes !== undefined) entry.bytes = bytes;
      entry.durationMs = performance.now() - started;
      journal.record(entry);
      return result;
    };
    const failed = (error: unknown): never => {
      const entry: Mutable<StorageCallEntry> = { type: "storage", operation, at, outcome: "error", durationMs: 0 };
      if (id !== undefined) entry.storageId = id;
      if (error !== undefined && error === fault?.error) entry.errorCode = "InjectedFault";
      else if (isStorageEmulatorError(error)) entry.errorCode = error.code;
      entry.durationMs = performance.now() - started;
      journal.record(entry);
      throw error;
    };
    const run = (): Promise<T> => {
      try {
        const result = call();
        return result instanceof Promise ? result.then(succeeded, failed) : Promise.resolve(succeeded(result));
      } catch (error) {
        return Promise.reject(error).catch(failed);
      }
    };
    if (fault === undefined) return run();
    const injected = fault.error;
    return faultDelay(fault).then(() => (injected === undefined ? run() : failed(injected)));
  }

  function resolve(method: StorageMethod, id: unknown): StoredFile | null {
    if (typeof id !== "string") throw errors.invalidStorageId(method, id);
    switch (backend.ids.classify(id)) {
      case "storage":
        return files.byStorageId(id);
      case "uuid":
        return files.byUuid(id.toLowerCase());
      case "otherTable":
        throw errors.storageIdOfOtherTable(method);
      case "invalid":
        throw errors.invalidStorageId(method, id);
    }
  }

  const getUrl = (storageId: string) =>
    track("getUrl", storageId, () => {
      // Fidelity: convex-js validateArg(storageId, 1, "getUrl", "storageId").
      if (storageId === undefined) throw errors.missingArgument("getUrl");
      const file = resolve("getUrl", storageId);
      return file === null ? null : fileUrl(backend.origin(), file.uuid);
    });

  const getMetadata = (storageId: string) =>
    track("getMetadata", storageId, (): FileMetadata | null => {
      const file = resolve("getMetadata", storageId);
      if (file === null) return null;
      return {
        storageId: file.uuid,
        sha256: Buffer.from(file.sha256, "base64").toString("hex"),
        size: file.size,
        contentType: file.contentType,
      };
    });

  const generateUploadUrl = () =>
    track("generateUploadUrl", undefined, () => {
      const { token } = backend.tokens.issue();
      return uploadUrl(backend.origin(), token);
    });

  const deleteFile = (storageId: string) =>
    track("delete", storageId, async () => {
      const file = resolve("delete", storageId);
      if (file === null) throw errors.storageIdNotFound(storageId);
      await files.remove(file.uuid);
    });

  const get = (storageId: string) =>
    track(
      "get",
      storageId,
      () => {
        const file = resolve("get", storageId);
        if (file === null) return null;
        // The Blob copies the bytes, so they can be read into a reused buffer.
        const { bytes, release } = files.lend(file);
        try {
          return new Blob([bytes], { type: file.contentType ?? "" });
        } finally {
          release();
        }
      },
      (blob) => blob?.size,
    );

  const store = (blob: Blob, options?: { sha256?: string }) =>
    track(
      "store",
      undefined,
      async () => {
        if (!(blob instanceof Blob)) throw errors.storeExpectsBlob();
        const expectedSha256 = options?.sha256;
        if (expectedSha256 !== undefined && (typeof expectedSha256 !== "string" || !SHA256_BASE64.test(expectedSha256))) {
          throw errors.invalidSha256Option(expectedSha256);
        }
        // Fidelity: an empty Blob type means no content type (the backend filters "").
        const input = { contentType: blob.type === "" ? null : blob.type, source: "store" as const, expectedSha256 };
        const file =
          blob.size <= WHOLE_BLOB_MAX
            ? await files.put(new Uint8Array(await blob.arrayBuffer()), input)
            : await storeStreamed(files, blob, input);
        return file.storageId as GenericId<"_storage">;
      },
      () => blob instanceof Blob ? blob.size : undefined,
    );

  const reader: StorageReader = { getUrl, getMetadata };
  const writer: StorageWriter = { getUrl, getMetadata, generateUploadUrl, delete: deleteFile, get, store };
  const storage: StorageActionWriter = { ...writer };
  return { storage, writer, reader };
}

async function storeStreamed(
  files: FileStore,
  blob: Blob,
  input: Parameters<FileStore["put"]>[1],
): Promise<StoredFile> {
  const writer = files.begin(blob.size, input.expectedSha256 === undefined ? "when-read" : "while-writing");
  try {
    for await (const chunk of blob.stream()) writer.write(chunk);
  } catch (error) {
    writer.abort();
    throw error;
  }
  return writer.commit(input);
}
