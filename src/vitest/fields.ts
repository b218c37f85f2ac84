// Checking the fields a matcher is given, and matching a stored file against
// them: shared by toHaveStoredFile and toHaveStoredImage.
import type { MatcherState } from "./matcher-state.js";
import { errors } from "../errors.js";
import type { StoredFile } from "../file-store.js";
import { imageInfo } from "../image.js";
import type { Inspection } from "./inspection.js";
import { describeValue, type Field } from "./messages.js";

export const FILE_FIELDS = ["storageId", "uuid", "contentType", "size", "sha256", "source", "text", "bytes"] as const;
export const IMAGE_FIELDS = ["format", "width", "height"] as const;
const HEX_SHA256 = /^[0-9a-f]{64}$/i;

/** The given fields, undefined ones dropped; a MatcherUsage error for anything else than an object of `allowed` keys. */
export function checkFields(matcher: string, expected: unknown, allowed: readonly string[]): Field[] {
  if (typeof expected !== "object" || expected === null || Array.isArray(expected)) {
    throw errors.matcherUsage(matcher, `expected an object of fields, got ${describeValue(expected)}.`);
  }
  const fields = Object.entries(expected).filter(([, value]) => value !== undefined);
  for (const [key] of fields) {
    if (!allowed.includes(key)) {
      throw errors.matcherUsage(matcher, `unknown field "${key}"; expected some of ${allowed.join(", ")}.`);
    }
  }
  return fields;
}

/** Whether `file` has every field (asymmetric matchers allowed; image fields read from its header). */
export function fileMatches(
  state: MatcherState,
  view: Inspection,
  file: StoredFile,
  fields: readonly Field[],
): boolean {
  return fields.every(([key, value]) => {
    switch (key) {
      case "text":
        return state.equals(new TextDecoder().decode(view.bytes(file) ?? new Uint8Array()), value);
      case "bytes": {
        const bytes = view.bytes(file) ?? new Uint8Array();
        if (value instanceof Uint8Array || value instanceof ArrayBuffer)
          return Buffer.from(bytes).equals(new Uint8Array(value));
        return state.equals(bytes, value);
      }
      case "sha256":
        if (typeof value === "string" && HEX_SHA256.test(value)) {
          return Buffer.from(file.sha256, "base64").toString("hex") === value.toLowerCase();
        }
        return state.equals(file.sha256, value);
      case "format":
      case "width":
      case "height": {
        const image = imageOf(view, file);
        return image !== null && state.equals(image[key], value);
      }
      default:
        return state.equals(file[key as keyof StoredFile], value);
    }
  });
}

/** A stored file's image facts, from its bytes (which the inspection must have fetched). */
export function imageOf(view: Inspection, file: StoredFile) {
  const bytes = view.bytes(file);
  return bytes === null ? null : imageInfo(bytes);
}
