// What a well-formed file record is, for records that come from outside the
// running store: a snapshot given to restore(), a metadata file found in a
// --persist directory. Every field is checked for type and range, so a bad
// record is refused whole instead of poisoning the index (a size "8" would
// turn the byte budget into a string; a content type with CR/LF would make
// every GET of the file a 500).
import type { StorageIdKind } from "../ids.js";
import { isUuid } from "../ids.js";
import type { FileSource, StoredFile } from "./types.js";

/**
 * No file is larger than this, whatever the limits: bytes(), ctx.storage.get() and snapshot()
 * hold a file in one buffer, and Node 20 allocates at most 4 GiB in one. A declared length past
 * it is refused at once (413), never reserved.
 */
export const MAX_FILE_BYTES_CEILING = 2 ** 32;

const SOURCES: readonly FileSource[] = ["upload", "store", "seed"];
const UUID_LOWER = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const SHA256_BASE64 = /^[A-Za-z0-9+/]{43}=$/;
/** Longest content type accepted from outside (headers are limited to a few KiB anyway). */
const MAX_CONTENT_TYPE = 1024;

/**
 * A stored content type: what an upload's header or a Blob's `type` can
 * give (a Blob's type is any printable ASCII, lowercased). Nothing that
 * cannot go back out as a header.
 */
export function isStorableContentType(value: unknown): value is string | null {
  return value === null || (typeof value === "string" && value.length <= MAX_CONTENT_TYPE && isPrintableAscii(value));
}

function isPrintableAscii(value: string): boolean {
  return /^[\x20-\x7e]*$/.test(value);
}

/** The record, or the name of the first field that is wrong. */
export function checkRecord(
  raw: unknown,
  classify: (id: string) => StorageIdKind,
  maxSize: number,
): StoredFile | { invalid: string } {
  const f = raw as Partial<Record<keyof StoredFile, unknown>> | null;
  if (typeof f !== "object" || f === null || Array.isArray(f)) return { invalid: "entry" };
  if (typeof f.storageId !== "string" || f.storageId.length > 128 || classify(f.storageId) !== "storage")
    return { invalid: "storageId" };
  if (typeof f.uuid !== "string" || !UUID_LOWER.test(f.uuid) || !isUuid(f.uuid)) return { invalid: "uuid" };
  if (typeof f.size !== "number" || !Number.isSafeInteger(f.size) || f.size < 0 || f.size > maxSize)
    return { invalid: "size" };
  if (typeof f.sha256 !== "string" || !SHA256_BASE64.test(f.sha256)) return { invalid: "sha256" };
  if (!isStorableContentType(f.contentType)) return { invalid: "contentType" };
  if (typeof f.creationTime !== "number" || !Number.isFinite(f.creationTime) || f.creationTime < 0)
    return { invalid: "creationTime" };
  if (typeof f.source !== "string" || !SOURCES.includes(f.source as FileSource)) return { invalid: "source" };
  return Object.freeze({
    storageId: f.storageId,
    uuid: f.uuid,
    size: f.size,
    sha256: f.sha256,
    contentType: f.contentType,
    creationTime: f.creationTime,
    source: f.source as FileSource,
  });
}
