// What seed() accepts (a file on disk, or bytes), read and checked, and the
// content type a fixture gets from its extension.
import { readFile } from "node:fs/promises";
import { errors } from "./errors.js";
import { isStorableContentType } from "./file-store/record.js";
import { parseMediaType } from "./wire-values.js";

/** What `seed()` accepts: a file on disk, or bytes. */
export type SeedInput =
  | { path: string; contentType?: string | null }
  | { bytes: Uint8Array | ArrayBuffer | string; contentType?: string | null };

/**
 * seed() input, read and checked: the bytes, their content type (lowercased), and whether the
 * bytes are new here (read from disk, encoded), so the store may keep them without a copy.
 */
export async function readSeedInput(
  input: SeedInput,
): Promise<{ bytes: Uint8Array; contentType: string | null; fresh: boolean }> {
  if (typeof input !== "object" || input === null) {
    throw errors.seedInvalid("expected { path } or { bytes, contentType? }.");
  }
  let bytes: Uint8Array;
  let contentType: string | null;
  let fresh = true;
  if ("path" in input && typeof input.path === "string") {
    try {
      bytes = await readFile(input.path);
    } catch (error) {
      throw errors.seedInvalid(
        `cannot read "${input.path}": ${(error as NodeJS.ErrnoException).code ?? String(error)}.`,
      );
    }
    contentType = input.contentType === undefined ? contentTypeForPath(input.path) : input.contentType;
  } else if ("bytes" in input) {
    const raw = input.bytes;
    fresh = typeof raw === "string";
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
  // It goes out as a header on every GET: CR/LF, NUL or non-ASCII would make each of them a 500.
  // Parsed and normalised as an upload's Content-Type is (wire-values.ts), so a seed stores what an upload would.
  const parsed = contentType === null ? null : parseMediaType(contentType);
  if (contentType !== null && (parsed?.ok !== true || !isStorableContentType(contentType))) {
    throw errors.seedInvalid(
      `\`contentType\` must be a media type like "image/png" (printable ASCII), got ${JSON.stringify(contentType.slice(0, 100))}.`,
    );
  }
  return { bytes, contentType: parsed?.ok === true ? parsed.value : null, fresh };
}

// Content types for seeded files, from their extension. A short table of the
// types apps store most; anything else is application/octet-stream.
const BY_EXTENSION: Readonly<Record<string, string>> = {
  avif: "image/avif",
  bmp: "image/bmp",
  gif: "image/gif",
  ico: "image/x-icon",
  jpeg: "image/jpeg",
  jpg: "image/jpeg",
  png: "image/png",
  svg: "image/svg+xml",
  webp: "image/webp",
  mp3: "audio/mpeg",
  ogg: "audio/ogg",
  wav: "audio/wav",
  mp4: "video/mp4",
  webm: "video/webm",
  pdf: "application/pdf",
  json: "application/json",
  zip: "application/zip",
  gz: "application/gzip",
  csv: "text/csv",
  htm: "text/html",
  html: "text/html",
  md: "text/markdown",
  txt: "text/plain",
  xml: "application/xml",
  js: "text/javascript",
  css: "text/css",
};

const DEFAULT_CONTENT_TYPE = "application/octet-stream";

export function contentTypeForPath(path: string): string {
  const name = path.slice(path.lastIndexOf("/") + 1);
  const dot = name.lastIndexOf(".");
  if (dot <= 0) return DEFAULT_CONTENT_TYPE;
  return BY_EXTENSION[name.slice(dot + 1).toLowerCase()] ?? DEFAULT_CONTENT_TYPE;
}
