// snapshot() / restore(): every stored file, bytes and metadata, as one
// binary value that round-trips byte-exact.
//
// Format, version 1:
//   "CSEMSNAP" (8 bytes) | version u32 BE | header length u32 BE
//   | header: UTF-8 JSON { files: StoredFile[] } | the files' bytes, in header order
import { createHash } from "node:crypto";
import { errors } from "./errors.js";
import type { FileSource, FileStore, StoredFile } from "./file-store.js";
import { isUuid } from "./ids.js";

const MAGIC = new TextEncoder().encode("CSEMSNAP");
const VERSION = 1;
const PREAMBLE = MAGIC.length + 8;
const SOURCES: readonly FileSource[] = ["upload", "store", "seed"];

export function takeSnapshot(store: FileStore): Uint8Array {
  const files = store.list();
  const header = new TextEncoder().encode(JSON.stringify({ files }));
  const total = PREAMBLE + header.length + files.reduce((sum, f) => sum + f.size, 0);
  const out = new Uint8Array(total);
  const view = new DataView(out.buffer);
  out.set(MAGIC, 0);
  view.setUint32(MAGIC.length, VERSION);
  view.setUint32(MAGIC.length + 4, header.length);
  out.set(header, PREAMBLE);
  let offset = PREAMBLE + header.length;
  for (const file of files) {
    store.readInto(file, out, offset);
    offset += file.size;
  }
  return out;
}

/** Replaces every file with the snapshot's. Validates all of it first: on error nothing changes. */
export function restoreSnapshot(store: FileStore, snapshot: unknown): void {
  const entries = parseSnapshot(snapshot);
  store.assertFitsWhenEmpty(entries.map((e) => e.file.size));
  store.clear();
  for (const { file, bytes } of entries) store.putExact(bytes, file);
}

function parseSnapshot(snapshot: unknown): { file: StoredFile; bytes: Uint8Array }[] {
  if (!(snapshot instanceof Uint8Array)) throw errors.snapshotInvalid(`expected a Uint8Array, got ${typeName(snapshot)}`);
  if (snapshot.length < PREAMBLE || !MAGIC.every((byte, i) => snapshot[i] === byte)) {
    throw errors.snapshotInvalid("it does not start with the snapshot marker");
  }
  const view = new DataView(snapshot.buffer, snapshot.byteOffset, snapshot.byteLength);
  const version = view.getUint32(MAGIC.length);
  if (version !== VERSION) throw errors.snapshotInvalid(`version ${version} is not supported (expected ${VERSION})`);
  const headerLength = view.getUint32(MAGIC.length + 4);
  if (PREAMBLE + headerLength > snapshot.length) throw errors.snapshotInvalid("it is truncated");
  let header: unknown;
  try {
    header = JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(snapshot.subarray(PREAMBLE, PREAMBLE + headerLength)));
  } catch {
    throw errors.snapshotInvalid("its header is not valid JSON");
  }
  const list = (header as { files?: unknown } | null)?.files;
  if (!Array.isArray(list)) throw errors.snapshotInvalid("its header has no file list");
  const seen = new Set<string>();
  let offset = PREAMBLE + headerLength;
  const entries = list.map((raw: unknown, index) => {
    const file = checkFile(raw, index);
    if (seen.has(file.uuid) || seen.has(file.storageId)) throw errors.snapshotInvalid(`file ${index} is listed twice`);
    seen.add(file.uuid).add(file.storageId);
    if (offset + file.size > snapshot.length) throw errors.snapshotInvalid("it is truncated");
    const bytes = snapshot.subarray(offset, offset + file.size);
    offset += file.size;
    if (createHash("sha256").update(bytes).digest("base64") !== file.sha256) {
      throw errors.snapshotInvalid(`the bytes of file ${index} do not match its sha256`);
    }
    return { file, bytes };
  });
  if (offset !== snapshot.length) throw errors.snapshotInvalid("it has bytes after the last file");
  return entries;
}

function checkFile(raw: unknown, index: number): StoredFile {
  const f = raw as Partial<Record<keyof StoredFile, unknown>> | null;
  const bad = (field: string) => errors.snapshotInvalid(`file ${index} has an invalid ${field}`);
  if (typeof f !== "object" || f === null) throw bad("entry");
  if (typeof f.storageId !== "string" || f.storageId.length === 0 || f.storageId.length > 128) throw bad("storageId");
  if (typeof f.uuid !== "string" || !isUuid(f.uuid)) throw bad("uuid");
  if (typeof f.size !== "number" || !Number.isSafeInteger(f.size) || f.size < 0) throw bad("size");
  if (typeof f.sha256 !== "string") throw bad("sha256");
  if (f.contentType !== null && typeof f.contentType !== "string") throw bad("contentType");
  if (typeof f.creationTime !== "number" || !Number.isFinite(f.creationTime)) throw bad("creationTime");
  if (!SOURCES.includes(f.source as FileSource)) throw bad("source");
  return Object.freeze({
    storageId: f.storageId,
    uuid: f.uuid.toLowerCase(),
    size: f.size,
    sha256: f.sha256,
    contentType: f.contentType,
    creationTime: f.creationTime,
    source: f.source as FileSource,
  });
}

function typeName(value: unknown): string {
  if (value === null) return "null";
  if (typeof value === "object") return value.constructor?.name ?? "object";
  return typeof value;
}
