// snapshot() / restore(): every stored file, bytes and metadata, as one
// binary value that round-trips byte-exact.
//
// Format, version 2:
//   "CSEMSNAP" (8 bytes) | version u32 BE | header length u32 BE
//   | header: UTF-8 JSON { files: StoredFile[] } | the files' bytes, in header order
//   | SHA-256 of everything before it (32 bytes)
// The trailing checksum makes any changed bit SnapshotInvalid; before it,
// every field could still be silently wrong (version 1 had per-file sha256s
// only: 167 of 510 single-bit flips went through). Version 1 is still read,
// with every field checked.
import { createHash } from "node:crypto";
import { errors } from "./errors.js";
import { MAX_FILE_BYTES_CEILING, type FileStore, type StoredFile } from "./file-store.js";
import { checkRecord } from "./file-store/record.js";

const MAGIC = new TextEncoder().encode("CSEMSNAP");
const VERSION = 2;
const CHECKSUM_BYTES = 32;
const PREAMBLE = MAGIC.length + 8;

export function takeSnapshot(store: FileStore): Uint8Array {
  const files = store.list();
  const header = new TextEncoder().encode(JSON.stringify({ files }));
  const total = PREAMBLE + header.length + files.reduce((sum, f) => sum + f.size, 0) + CHECKSUM_BYTES;
  const out = new Uint8Array(total);
  const view = new DataView(out.buffer);
  out.set(MAGIC, 0);
  view.setUint32(MAGIC.length, VERSION);
  view.setUint32(MAGIC.length + 4, header.length);
  out.set(header, PREAMBLE);
  let offset = PREAMBLE + header.length;
  for (const file of files) {
    store.reader.readInto(file, out, offset);
    offset += file.size;
  }
  out.set(createHash("sha256").update(out.subarray(0, offset)).digest(), offset);
  return out;
}

/** Replaces every file with the snapshot's. Validates all of it first: on error nothing changes. */
export function restoreSnapshot(store: FileStore, snapshot: unknown): void {
  const entries = parseSnapshot(store, snapshot);
  store.assertFitsWhenEmpty(entries.map((e) => e.file.size));
  store.replaceAll(entries);
}

function parseSnapshot(store: FileStore, snapshot: unknown): { file: StoredFile; bytes: Uint8Array }[] {
  if (!(snapshot instanceof Uint8Array))
    throw errors.snapshotInvalid(`expected a Uint8Array, got ${typeName(snapshot)}`);
  if (snapshot.length < PREAMBLE || !MAGIC.every((byte, i) => snapshot[i] === byte)) {
    throw errors.snapshotInvalid("it does not start with the snapshot marker");
  }
  const view = new DataView(snapshot.buffer, snapshot.byteOffset, snapshot.byteLength);
  const version = view.getUint32(MAGIC.length);
  if (version !== VERSION && version !== 1)
    throw errors.snapshotInvalid(`version ${version} is not supported (expected ${VERSION})`);
  const end = version === 1 ? snapshot.length : snapshot.length - CHECKSUM_BYTES;
  if (version !== 1) {
    // Checked first: after it, nothing below can be a silently altered value.
    const actual = end < PREAMBLE ? null : createHash("sha256").update(snapshot.subarray(0, end)).digest();
    if (actual === null || !actual.equals(snapshot.subarray(end)))
      throw errors.snapshotInvalid("its checksum does not match (it was cut short or altered)");
  }
  const headerLength = view.getUint32(MAGIC.length + 4);
  if (PREAMBLE + headerLength > end) throw errors.snapshotInvalid("it is truncated");
  let header: unknown;
  try {
    header = JSON.parse(
      new TextDecoder("utf-8", { fatal: true }).decode(snapshot.subarray(PREAMBLE, PREAMBLE + headerLength)),
    );
  } catch {
    throw errors.snapshotInvalid("its header is not valid JSON");
  }
  const list = (header as { files?: unknown } | null)?.files;
  if (!Array.isArray(list)) throw errors.snapshotInvalid("its header has no file list");
  const classify = store.naming.classify.bind(store.naming);
  const seen = new Set<string>();
  let offset = PREAMBLE + headerLength;
  const entries = list.map((raw: unknown, index) => {
    const file = checkRecord(raw, classify, MAX_FILE_BYTES_CEILING);
    if ("invalid" in file) throw errors.snapshotInvalid(`file ${index} has an invalid ${file.invalid}`);
    if (seen.has(file.uuid) || seen.has(file.storageId)) throw errors.snapshotInvalid(`file ${index} is listed twice`);
    seen.add(file.uuid).add(file.storageId);
    if (offset + file.size > end) throw errors.snapshotInvalid("it is truncated");
    const bytes = snapshot.subarray(offset, offset + file.size);
    offset += file.size;
    if (createHash("sha256").update(bytes).digest("base64") !== file.sha256) {
      throw errors.snapshotInvalid(`the bytes of file ${index} do not match its sha256`);
    }
    return { file, bytes };
  });
  if (offset !== end) throw errors.snapshotInvalid("it has bytes after the last file");
  return entries;
}

function typeName(value: unknown): string {
  if (value === null) return "null";
  if (typeof value === "object") return value.constructor?.name ?? "object";
  return typeof value;
}
