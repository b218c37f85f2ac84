// Convex document IDs (the id_v6 format) for the `_storage` table, and file UUIDs.
//
// Fidelity: the binary layout, checksum and alphabet follow convex-backend's
// crates/value/src/id_v6.rs and crates/value/src/base32.rs:
//   varint(table number) ++ 16-byte internal id ++ fletcher16(...) ^ version (LE)
// encoded in Crockford base32 with a lowercase alphabet.
// The decoder here is stricter than the backend's in one way: it also rejects
// non-zero padding bits, so every ID has exactly one spelling.
import { randomBytes } from "node:crypto";
import type { GenericId } from "convex/values";
import { errors } from "./errors.js";

/** A `_storage` document ID, as `ctx.storage.store` and uploads return it. */
export type StorageId = GenericId<"_storage">;

const ALPHABET = "0123456789abcdefghjkmnpqrstvwxyz";
const ALPHABET_CODES = Array.from(ALPHABET, (char) => char.charCodeAt(0));
const CHAR_VALUE = new Int8Array(128).fill(-1);
for (let i = 0; i < ALPHABET.length; i++) CHAR_VALUE[ALPHABET.charCodeAt(i)] = i;

const INTERNAL_ID_BYTES = 16;
const FOOTER_BYTES = 2;
const ID_VERSION = 0;
const MIN_BINARY = 1 + INTERNAL_ID_BYTES + FOOTER_BYTES;
const MAX_BINARY = 5 + INTERNAL_ID_BYTES + FOOTER_BYTES;

/**
 * The table number this emulator gives `_storage`.
 * Fidelity: decoded from storage IDs returned by real Convex deployments
 * (e.g. "kg2c5640qnbqmayh7zzch6f1xn8e184r"); it takes two varint bytes, so
 * IDs are 32 characters long like the real ones.
 */
export const STORAGE_TABLE_NUMBER = 540;

export function base32Encode(bytes: Uint8Array): string {
  // Character codes, turned into one flat string at the end: `out += char` builds a rope of
  // one cons string per character, which a Map key keeps.
  const codes: number[] = [];
  let buffer = 0;
  let bits = 0;
  for (const byte of bytes) {
    buffer = (buffer << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      bits -= 5;
      codes.push(ALPHABET_CODES[(buffer >> bits) & 31]!);
    }
    buffer &= (1 << bits) - 1;
  }
  if (bits > 0) codes.push(ALPHABET_CODES[(buffer << (5 - bits)) & 31]!);
  return String.fromCharCode(...codes);
}

/** Strict decode: only the lowercase alphabet, and zero padding bits. Null when invalid. */
export function base32Decode(text: string): Uint8Array | null {
  const out = new Uint8Array(Math.floor((text.length * 5) / 8));
  let buffer = 0;
  let bits = 0;
  let pos = 0;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    const value = code < 128 ? CHAR_VALUE[code]! : -1;
    if (value < 0) return null;
    buffer = (buffer << 5) | value;
    bits += 5;
    if (bits >= 8) {
      bits -= 8;
      out[pos++] = (buffer >> bits) & 0xff;
      buffer &= (1 << bits) - 1;
    }
  }
  // Leftover bits must be padding zeros, and no more than a partial character.
  if (bits >= 5 || buffer !== 0) return null;
  return out;
}

function base32Length(byteLength: number): number {
  return Math.ceil((byteLength * 8) / 5);
}
const MIN_ID_LENGTH = base32Length(MIN_BINARY);
const MAX_ID_LENGTH = base32Length(MAX_BINARY);

export function fletcher16(bytes: Uint8Array): number {
  let c0 = 0;
  let c1 = 0;
  for (const byte of bytes) {
    c0 = (c0 + byte) & 0xff;
    c1 = (c1 + c0) & 0xff;
  }
  return (c1 << 8) | c0;
}

function varintEncode(n: number): number[] {
  const out: number[] = [];
  while (n >= 0x80) {
    out.push((n & 0x7f) | 0x80);
    n >>>= 7;
  }
  out.push(n);
  return out;
}

export interface DecodedDocumentId {
  tableNumber: number;
  internalId: Uint8Array;
}

export function encodeDocumentId(tableNumber: number, internalId: Uint8Array): string {
  if (!Number.isInteger(tableNumber) || tableNumber < 1 || tableNumber > 0xffffffff) {
    throw errors.encodeIdInvalid(`table number must be an integer from 1 to 2^32-1, got ${tableNumber}`);
  }
  if (internalId.length !== INTERNAL_ID_BYTES) {
    throw errors.encodeIdInvalid(`internal id must be ${INTERNAL_ID_BYTES} bytes, got ${internalId.length}`);
  }
  const head = varintEncode(tableNumber);
  const bytes = new Uint8Array(head.length + INTERNAL_ID_BYTES + FOOTER_BYTES);
  bytes.set(head, 0);
  bytes.set(internalId, head.length);
  const footer = fletcher16(bytes.subarray(0, head.length + INTERNAL_ID_BYTES)) ^ ID_VERSION;
  bytes[bytes.length - 2] = footer & 0xff;
  bytes[bytes.length - 1] = footer >> 8;
  return base32Encode(bytes);
}

/** Decodes any Convex document ID; null when `text` is not one. */
export function decodeDocumentId(text: string): DecodedDocumentId | null {
  // Length first, so that a huge string is rejected without decoding it.
  if (text.length < MIN_ID_LENGTH || text.length > MAX_ID_LENGTH) return null;
  const bytes = base32Decode(text);
  if (bytes === null) return null;
  let tableNumber = 0;
  let pos = 0;
  for (;;) {
    if (pos >= 5 || pos >= bytes.length) return null;
    const byte = bytes[pos]!;
    tableNumber += (byte & 0x7f) * 2 ** (7 * pos);
    pos++;
    if (byte < 0x80) {
      // A zero last byte after others is a padded, non-minimal varint: another spelling of a shorter one.
      if (byte === 0 && pos > 1) return null;
      break;
    }
  }
  if (tableNumber === 0 || tableNumber > 0xffffffff) return null;
  if (bytes.length !== pos + INTERNAL_ID_BYTES + FOOTER_BYTES) return null;
  const body = bytes.subarray(0, pos + INTERNAL_ID_BYTES);
  const footer = bytes[bytes.length - 2]! | (bytes[bytes.length - 1]! << 8);
  if ((fletcher16(body) ^ ID_VERSION) !== footer) return null;
  return { tableNumber, internalId: bytes.slice(pos, pos + INTERNAL_ID_BYTES) };
}

// Internal ids and file UUIDs come from a pool of crypto-random bytes refilled
// 4 KiB at a time: one randomBytes call per 256 ids instead of one per id.
const POOL_BYTES = 4096;
let pool = randomBytes(POOL_BYTES);
let poolOffset = 0;

function randomPoolBytes(count: number): Uint8Array {
  if (poolOffset + count > POOL_BYTES) {
    pool = randomBytes(POOL_BYTES);
    poolOffset = 0;
  }
  const bytes = pool.subarray(poolOffset, poolOffset + count);
  poolOffset += count;
  return bytes;
}

function randomInternalId(): Uint8Array {
  return randomPoolBytes(INTERNAL_ID_BYTES);
}

/** A fresh, random `_storage` ID. */
export function newStorageId(): StorageId {
  return encodeDocumentId(STORAGE_TABLE_NUMBER, randomInternalId()) as StorageId;
}

const UUID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** True for any UUID (the legacy storage-id form and the URL path of a file). */
export function isUuid(text: string): boolean {
  return UUID_PATTERN.test(text);
}

// Fidelity: uuid-rs/uuid src/parser.rs (try_parse, as the backend's `uuid.parse()` in
// crates/local_backend/src/storage.rs storage_get): 32 hex digits, hyphenated (36), braced
// hyphenated (38) or `urn:uuid:` hyphenated (45); hex in either case, the prefix exactly.
const SIMPLE_UUID = /^[0-9a-f]{32}$/i;
const URN_PREFIX = "urn:uuid:";

/** A file path's UUID in its canonical form (hyphenated, lower case), or null when it is none. */
export function parseFileUuid(text: string): string | null {
  if (text.length === 32) {
    if (!SIMPLE_UUID.test(text)) return null;
    const hex = text.toLowerCase();
    return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
  }
  let hyphenated = text;
  if (text.length === 38 && text.startsWith("{") && text.endsWith("}")) hyphenated = text.slice(1, -1);
  else if (text.length === 45 && text.startsWith(URN_PREFIX)) hyphenated = text.slice(URN_PREFIX.length);
  return isUuid(hyphenated) ? hyphenated.toLowerCase() : null;
}

const HEX_CODES = Array.from("0123456789abcdef", (char) => char.charCodeAt(0));
const DASH = "-".charCodeAt(0);

/**
 * A fresh random UUID v4, the name of a file in URLs and in the blob store. Built as one flat
 * string: node:crypto's randomUUID() concatenates it from pieces, a rope of 14 cons strings that
 * every stored file's index entry would keep.
 */
export function newFileUuid(): string {
  const bytes = randomPoolBytes(16);
  const codes: number[] = [];
  for (let i = 0; i < 16; i++) {
    if (i === 4 || i === 6 || i === 8 || i === 10) codes.push(DASH);
    // Fidelity (RFC 9562 §5.4): version 4 in the 7th byte, variant 10 in the 9th.
    const byte = i === 6 ? (bytes[i]! & 0x0f) | 0x40 : i === 8 ? (bytes[i]! & 0x3f) | 0x80 : bytes[i]!;
    codes.push(HEX_CODES[byte >> 4]!, HEX_CODES[byte & 15]!);
  }
  return String.fromCharCode(...codes);
}

/** How a string given as a storage id is understood. */
export type StorageIdKind = "storage" | "otherTable" | "uuid" | "invalid";

/** How Convex reads a storage id: a `_storage` document id, another table's, a legacy UUID, or nothing valid. */
export function classifyConvexId(id: string): StorageIdKind {
  const decoded = decodeDocumentId(id);
  if (decoded) return decoded.tableNumber === STORAGE_TABLE_NUMBER ? "storage" : "otherTable";
  // Fidelity: legacy storage ids are the file's UUID, still accepted everywhere.
  return isUuid(id) ? "uuid" : "invalid";
}
