// The ctx.storage views: what Convex functions see as `ctx.storage`.
//
// Fidelity: semantics follow convex-js src/server/storage.ts (types, 1.48) and
// the backend's storage syscalls: getUrl/get of a missing file is null, delete
// of a missing file throws, ids are `_storage` document ids or legacy UUIDs.
import type { StorageActionWriter, StorageReader, StorageWriter } from "convex/server";
import type { GenericId } from "convex/values";
import { errors } from "./errors.js";
import type { Gateway } from "./gateway.js";
import { decodeSha256Base64, parseMediaType } from "./wire-values.js";

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

export function createStorageViews(gateway: Gateway): StorageViews {
  const perform = gateway.perform.bind(gateway);
  const resolve = gateway.resolve.bind(gateway);

  const getUrl = (storageId: string) =>
    perform("getUrl", storageId, () => {
      // Fidelity: convex-js validateArg(storageId, 1, "getUrl", "storageId").
      if (storageId === undefined) throw errors.missingArgument("getUrl");
      const file = resolve("getUrl", storageId);
      return file === null ? null : gateway.fileUrl(file);
    });

  const getMetadata = (storageId: string) =>
    perform("getMetadata", storageId, (): FileMetadata | null => {
      const file = resolve("getMetadata", storageId);
      if (file === null) return null;
      return {
        storageId: file.uuid,
        sha256: Buffer.from(file.sha256, "base64").toString("hex"),
        size: file.size,
        contentType: file.contentType,
      };
    });

  const generateUploadUrl = () => perform("generateUploadUrl", undefined, () => gateway.issueUploadUrl().uploadUrl);

  const deleteFile = (storageId: string) =>
    perform("delete", storageId, async () => {
      const file = resolve("delete", storageId);
      if (file === null) throw errors.storageIdNotFound(storageId);
      // false: a concurrent delete of the same file got there first.
      if (!(await gateway.delete(file))) throw errors.storageIdNotFound(storageId);
    });

  const get = (storageId: string) =>
    perform(
      "get",
      storageId,
      () => {
        const file = resolve("get", storageId);
        return file === null ? null : gateway.blobOf(file);
      },
      (blob) => blob?.size,
    );

  const store = (blob: Blob, options?: { sha256?: string }) =>
    perform(
      "store",
      undefined,
      async () => {
        if (!(blob instanceof Blob)) throw errors.storeExpectsBlob();
        // Fidelity: run_storage_store parses the content type before the digest.
        const contentType = storedContentType(blob.type);
        const expectedSha256 = expectedDigest(options?.sha256);
        // Read into bytes the store owns (whole up to 1 MiB, streamed above: file-store/blob-read.ts).
        const file = await gateway.write(blob, {
          contentType,
          source: "store",
          expectedSha256,
          sizeHint: blob.size,
          deferSha256: true,
        });
        return file.storageId as GenericId<"_storage">;
      },
      () => (blob instanceof Blob ? blob.size : undefined),
    );

  const reader: StorageReader = { getUrl, getMetadata };
  const writer: StorageWriter = { getUrl, getMetadata, generateUploadUrl, delete: deleteFile, get, store };
  const storage: StorageActionWriter = { ...writer };
  return { storage, writer, reader };
}

/**
 * Fidelity: get-convex/convex-backend crates/isolate/src/ops/storage.rs filters an empty
 * blob.type (no content type); crates/isolate/src/environment/action/storage.rs
 * run_storage_store parses it with mime before anything is stored, refusing an unparseable
 * one with InvalidContentTypeHeader and the mime error as the message.
 */
function storedContentType(type: string): string | null {
  if (type === "") return null;
  const parsed = parseMediaType(type);
  if (!parsed.ok) throw errors.invalidContentType(parsed.message);
  return parsed.value;
}

/**
 * Fidelity: get-convex/convex-backend npm-packages/udf-runtime/src/storage.ts storeBlob sends
 * `sha-256=${options.sha256}` as a Digest header; run_storage_store decodes it as an upload's
 * (crates/common/src/sha256.rs DigestHeader::decode: base64 of exactly 32 bytes).
 */
function expectedDigest(option: unknown): string | undefined {
  if (option === undefined) return undefined;
  const text = String(option);
  const digest = decodeSha256Base64(text);
  // HeaderValue::from_str refuses control characters (HTAB aside); anything else not base64 of 32 bytes fails to decode.
  if (digest === null) throw errors.invalidSha256Option(/[\x00-\x08\x0a-\x1f\x7f]/.test(text));
  return digest;
}
