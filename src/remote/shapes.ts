// The shapes of the admin routes' JSON answers, as a remote handle checks
// them: an answer of another shape (a proxy's, another server's `{}`) is
// RemoteResponseInvalid naming the URL, never undefined or a TypeError later.
import type { DatabaseView } from "../database-view.js";
import type { PendingFault } from "../faults.js";
import type { StoredFile } from "../file-store.js";
import type { ImageInfo } from "../image.js";
import type { FunctionCallEntry, JournalEntry } from "../journal.js";
import type { Shape } from "./admin-client.js";

/** A file as the admin routes describe it: with its URL and image facts, which a StoredFile has not. */
export type AdminFile = StoredFile & { url: string; image: ImageInfo | null };

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === "object" && value !== null && !Array.isArray(value);

function isImage(value: unknown): value is ImageInfo | null {
  if (value === null) return true;
  return isObject(value) && typeof value.format === "string" && isDimension(value.width) && isDimension(value.height);
}

// An SVG's width may be fractional ("10.5"): finite and positive is all a dimension promises.
const isDimension = (value: unknown) => typeof value === "number" && Number.isFinite(value) && value > 0;
const isSize = (value: unknown) => typeof value === "number" && Number.isSafeInteger(value) && value >= 0;

function isAdminFile(value: unknown): value is AdminFile {
  return (
    isObject(value) &&
    typeof value.storageId === "string" &&
    typeof value.uuid === "string" &&
    isSize(value.size) &&
    typeof value.sha256 === "string" &&
    (value.contentType === null || typeof value.contentType === "string") &&
    typeof value.creationTime === "number" &&
    typeof value.source === "string" &&
    typeof value.url === "string" &&
    isImage(value.image)
  );
}

/** `{ key: T }` where `test` holds for T. */
function field<K extends string, T>(key: K, test: (value: unknown) => boolean, what: string): Shape<Record<K, T>> {
  return { what: `{ ${key}: ${what} }`, test: (value): value is Record<K, T> => isObject(value) && test(value[key]) };
}

const everyOf = (test: (value: unknown) => boolean) => (value: unknown) => Array.isArray(value) && value.every(test);
const isEntry = (value: unknown) =>
  isObject(value) && (value.type === "http" || value.type === "storage" || value.type === "function");
const isCall = (value: unknown) => isObject(value) && value.type === "function" && typeof value.path === "string";

const isTable = (value: unknown) =>
  isObject(value) &&
  typeof value.name === "string" &&
  isSize(value.count) &&
  everyOf(isObject)(value.documents) &&
  (value.files === undefined || isObject(value.files));
const isDatabase = (value: unknown): value is DatabaseView =>
  isObject(value) &&
  (value.connected === false ||
    (value.connected === true &&
      isSize(value.limit) &&
      everyOf(isTable)(value.tables) &&
      (value.reason === undefined || typeof value.reason === "string")));

export const SHAPES = {
  file: { what: "a stored file", test: isAdminFile } satisfies Shape<AdminFile>,
  files: field<"files", AdminFile[]>("files", everyOf(isAdminFile), "stored file[]"),
  storageId: field<"storageId", string>("storageId", (v) => typeof v === "string" && v !== "", "string"),
  uploadUrl: field<"uploadUrl", string>("uploadUrl", (v) => typeof v === "string" && /^https?:\/\//.test(v), "URL"),
  entries: field<"entries", JournalEntry[]>("entries", everyOf(isEntry), "journal entry[]"),
  calls: field<"calls", FunctionCallEntry[]>("calls", everyOf(isCall), "function call[]"),
  pending: field<"pending", PendingFault[]>(
    "pending",
    everyOf((v) => isObject(v) && typeof v.route === "string"),
    "fault[]",
  ),
  ok: field<"ok", true>("ok", (v) => v === true, "true"),
  siteUrl: field<"siteUrl", string>("siteUrl", (v) => typeof v === "string" && /^https?:\/\//.test(v), "URL"),
  database: { what: "{ connected, tables? }", test: isDatabase } satisfies Shape<DatabaseView>,
  deleted: field<"deleted", string>("deleted", (v) => typeof v === "string", "string"),
};
