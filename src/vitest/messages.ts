// The failure messages of the vitest matchers: what was expected, what was
// found, and a table of the stored files or upload requests.
import { imageInfo } from "../image.js";
import type { MatcherState } from "./matcher-state.js";
import type { StoredFile } from "../file-store.js";
import type { HttpRequestEntry } from "../journal.js";
import { textTable, type Cell } from "./text-table.js";

/** One expected field: its name and value (or asymmetric matcher). */
export type Field = readonly [key: string, value: unknown];

const MAX_ROWS = 20;

/** `[convex-storage-emulator] expect(received).not.name(argument)`, then Expected:, Received: and a table. */
export function report(
  state: MatcherState,
  call: [received: string, name: string, argument: string],
  expected: string,
  received: string,
  table: string,
): string {
  const [subject, name, argument] = call;
  const hint = `[convex-storage-emulator] expect(${subject}).${state.isNot ? "not." : ""}${name}(${argument})`;
  return [hint, "", `Expected: ${expected}`, `Received: ${received}`, ...(table === "" ? [] : [table])].join("\n");
}

/** "2 stored files, none matching:", or the wording for none at all. */
export function noneMatching(all: readonly unknown[], noun: string, empty: string, none = "none matching"): string {
  return all.length === 0 ? empty : `${plural(all.length, noun)}, ${none}:`;
}

/** "1 of 3 stored files matches" */
export function matched(matching: readonly unknown[], all: readonly unknown[], noun: string): string {
  return `${matching.length} of ${plural(all.length, noun)} ${matching.length === 1 ? "matches" : "match"}`;
}

export function plural(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? "" : "s"}`;
}

export function withFields(state: MatcherState, fields: readonly Field[]): string {
  return fields.length === 0 ? "" : ` with ${describeObject(state, fields)}`;
}

export function describeObject(state: MatcherState, fields: readonly Field[]): string {
  return `{ ${fields.map(([key, value]) => `${key}: ${describeField(state, value)}`).join(", ")} }`;
}

function describeField(state: MatcherState, value: unknown): string {
  if (value instanceof Uint8Array) return `Uint8Array(${value.byteLength})`;
  if (value instanceof ArrayBuffer) return `ArrayBuffer(${value.byteLength})`;
  if (typeof value === "string" || typeof value === "number" || value === null) return describeValue(value);
  return state.utils.stringify(value);
}

export function describeValue(value: unknown): string {
  if (typeof value === "string") return JSON.stringify(value.length > 60 ? `${value.slice(0, 59)}…` : value);
  if (Array.isArray(value)) return "an array";
  if (typeof value === "object" && value !== null) {
    const name = (value.constructor as { name?: string } | undefined)?.name;
    return name === undefined || name === "Object" ? "an object" : `a ${name}`;
  }
  return String(value);
}

/** The `rows` (a subset of `all`, numbered by their place in `all`), at most MAX_ROWS of them. */
export function filesTable(
  bytesOf: (file: StoredFile) => Uint8Array | null,
  all: readonly StoredFile[],
  rows: readonly StoredFile[],
  columns: readonly string[],
): string {
  if (rows.length === 0) return "";
  const cell = (file: StoredFile, column: string): Cell => {
    if (column === "#") return all.indexOf(file);
    if (column === "text") return textPreview(bytesOf(file));
    if (column === "image") return imageCell(bytesOf(file));
    return file[column as keyof StoredFile];
  };
  return limited(rows, (shown) =>
    textTable(
      columns,
      shown.map((file) => columns.map((column) => cell(file, column))),
    ),
  );
}

/** An image's format and dimensions, e.g. "png 16x16"; "(not an image)" otherwise. */
function imageCell(bytes: Uint8Array | null): string {
  const image = bytes === null ? null : imageInfo(bytes);
  return image === null ? "(not an image)" : `${image.format} ${image.width}x${image.height}`;
}

/** The content as a JSON string, or "(not UTF-8)" for binary content. */
function textPreview(bytes: Uint8Array | null): string {
  try {
    return JSON.stringify(new TextDecoder("utf-8", { fatal: true }).decode(bytes ?? new Uint8Array()));
  } catch {
    return "(not UTF-8)";
  }
}

export function uploadsTable(
  fileOf: (id: string) => StoredFile | null,
  all: readonly HttpRequestEntry[],
  rows: readonly HttpRequestEntry[],
): string {
  if (rows.length === 0) return "";
  const contentType = (entry: HttpRequestEntry): Cell => {
    if (entry.storageId === undefined) return "";
    const file = fileOf(entry.storageId);
    return file === null ? "(deleted)" : file.contentType;
  };
  return limited(rows, (shown) =>
    textTable(
      ["#", "status", "errorCode", "bytesIn", "storageId", "contentType"],
      shown.map((e) => [all.indexOf(e), e.status, e.errorCode ?? "", e.bytesIn, e.storageId ?? "", contentType(e)]),
    ),
  );
}

function limited<T>(rows: readonly T[], draw: (shown: readonly T[]) => string): string {
  const table = draw(rows.slice(0, MAX_ROWS));
  return rows.length > MAX_ROWS ? `${table}\n… and ${rows.length - MAX_ROWS} more` : table;
}
