// convex-storage-emulator/vitest: assertions on what an emulator stored and received.
//
// Importing this module registers the matchers with vitest's `expect` and types
// them, so it works as a setup file:
//
//   // vitest.config.ts
//   export default defineConfig({ test: { setupFiles: ["convex-storage-emulator/vitest"] } });
//
// `storageEmulatorMatchers` is the same object, for an explicit `expect.extend`.
// A failure lists what is stored as a table, like undici MockAgent's
// pendingInterceptors(), so the reason is visible at a glance.
import { expect, type MatcherState } from "vitest";
import type { StorageEmulator } from "./emulator.js";
import { errors } from "./errors.js";
import type { FileSource, StoredFile } from "./file-store.js";
import type { HttpRequestEntry } from "./journal.js";
import {
  report,
  noneMatching,
  matched,
  plural,
  withFields,
  describeObject,
  describeValue,
  filesTable,
  uploadsTable,
  type Field,
  type Inspectable,
} from "./vitest/messages.js";

/**
 * Fields a stored file must have, all of them (asymmetric matchers such as
 * `expect.stringMatching()` work too). Unnamed fields are not checked.
 */
export interface StoredFileMatch {
  storageId?: string;
  uuid?: string;
  contentType?: string | null;
  size?: number;
  /** SHA-256 of the bytes: base64 (like `StoredFile.sha256`) or hex (like `getMetadata()`). */
  sha256?: string;
  source?: FileSource;
  /** The content decoded as UTF-8. */
  text?: string;
  /** The exact content. */
  bytes?: Uint8Array | ArrayBuffer;
}

/** What `toHaveReceivedUpload` checks besides the 200 answer: the uploaded file's fields. */
export interface UploadMatch {
  contentType?: string | null;
}

/** The matchers, as vitest sees them. `R` is what an assertion returns. */
export interface StorageEmulatorMatchers<R = unknown> {
  /** Passes if any stored file has all the given fields. */
  toHaveStoredFile(expected?: StoredFileMatch): R;
  /** Passes if exactly `count` files are stored. */
  toHaveStoredFiles(count: number): R;
  /** On a storage id (or UUID): passes if `emulator` stores that file. */
  toBeStoredIn(emulator: StorageEmulator): R;
  /** Passes if an HTTP upload was answered 200 (and, if given, its file has `contentType`). */
  toHaveReceivedUpload(expected?: UploadMatch): R;
}

declare module "vitest" {
  // vitest 4's way to type custom matchers; the type parameter must repeat vitest's own.
  interface Matchers<T = any> extends StorageEmulatorMatchers<T> {}
}

/** What a matcher returns: vitest fails the assertion when `pass` is not what it expects. */
export interface StorageMatcherResult {
  pass: boolean;
  message: () => string;
}

type Matcher<Args extends unknown[]> = (this: MatcherState, received: unknown, ...args: Args) => StorageMatcherResult;

/** The matchers, for `expect.extend(storageEmulatorMatchers)`. Importing this module already registers them. */
export const storageEmulatorMatchers: {
  toHaveStoredFile: Matcher<[expected?: StoredFileMatch]>;
  toHaveStoredFiles: Matcher<[count: number]>;
  toBeStoredIn: Matcher<[emulator: StorageEmulator]>;
  toHaveReceivedUpload: Matcher<[expected?: UploadMatch]>;
} = {
  toHaveStoredFile(received, expected = {}) {
    const emulator = emulatorOf("toHaveStoredFile", "the received value", received);
    const fields = checkFields("toHaveStoredFile", expected, FILE_FIELDS);
    const files = emulator.files();
    const matching = files.filter((file) => fileMatches(this, emulator, file, fields));
    const wanted = withFields(this, fields);
    const columns = FILE_COLUMNS.concat(
      fields.some(([k]) => k === "sha256") ? ["sha256"] : [],
      fields.some(([k]) => k === "text") ? ["text"] : [],
    );
    return {
      pass: matching.length > 0,
      message: () =>
        this.isNot
          ? report(
              this,
              ["emulator", "toHaveStoredFile", "expected"],
              `no stored file${wanted}`,
              `${matched(matching, files, "stored file")}:`,
              filesTable(emulator, files, matching, columns),
            )
          : report(
              this,
              ["emulator", "toHaveStoredFile", "expected"],
              `a stored file${wanted}`,
              noneMatching(files, "stored file", "no stored files"),
              filesTable(emulator, files, files, columns),
            ),
    };
  },

  toHaveStoredFiles(received, count) {
    const emulator = emulatorOf("toHaveStoredFiles", "the received value", received);
    if (!Number.isSafeInteger(count) || count < 0) {
      throw errors.matcherUsage(
        "toHaveStoredFiles",
        `the count must be a whole number of at least 0, got ${describeValue(count)}.`,
      );
    }
    const files = emulator.files();
    return {
      pass: files.length === count,
      message: () =>
        report(
          this,
          ["emulator", "toHaveStoredFiles", "expected"],
          `${this.isNot ? "not " : ""}${plural(count, "stored file")}`,
          files.length === 0 ? "no stored files" : `${plural(files.length, "stored file")}:`,
          filesTable(emulator, files, files, FILE_COLUMNS),
        ),
    };
  },

  toBeStoredIn(received, target) {
    const emulator = emulatorOf("toBeStoredIn", "the argument", target);
    const file = typeof received === "string" ? emulator.file(received) : null;
    const files = emulator.files();
    return {
      pass: file !== null,
      message: () =>
        file !== null
          ? report(
              this,
              ["storageId", "toBeStoredIn", "emulator"],
              `${describeValue(received)} not to be the id of a stored file`,
              "it is stored:",
              filesTable(emulator, files, [file], FILE_COLUMNS),
            )
          : report(
              this,
              ["storageId", "toBeStoredIn", "emulator"],
              `${describeValue(received)} to be the id of a stored file`,
              noneMatching(files, "stored file", "no stored files", "none with that id"),
              filesTable(emulator, files, files, FILE_COLUMNS),
            ),
    };
  },

  toHaveReceivedUpload(received, expected = {}) {
    const emulator = emulatorOf("toHaveReceivedUpload", "the received value", received);
    const fields = checkFields("toHaveReceivedUpload", expected, UPLOAD_FIELDS);
    const uploads = emulator.journal.httpRequests("upload");
    const matching = uploads.filter((entry) => {
      if (entry.status !== 200 || entry.storageId === undefined) return false;
      const file = emulator.file(entry.storageId);
      return fields.every(([, value]) => file !== null && this.equals(file.contentType, value));
    });
    const wanted = fields.length === 0 ? "" : ` whose file has ${describeObject(this, fields)}`;
    const table = (rows: HttpRequestEntry[]) => uploadsTable(emulator, uploads, rows);
    return {
      pass: matching.length > 0,
      message: () =>
        this.isNot
          ? report(
              this,
              ["emulator", "toHaveReceivedUpload", "expected"],
              `no upload answered 200${wanted}`,
              `${matched(matching, uploads, "upload request")}:`,
              table(matching),
            )
          : report(
              this,
              ["emulator", "toHaveReceivedUpload", "expected"],
              `an upload answered 200${wanted}`,
              noneMatching(uploads, "upload request", "no upload requests"),
              table(uploads),
            ),
    };
  },
};

expect.extend(storageEmulatorMatchers);

// --- matching -------------------------------------------------------------------


const FILE_FIELDS = ["storageId", "uuid", "contentType", "size", "sha256", "source", "text", "bytes"] as const;
const UPLOAD_FIELDS = ["contentType"] as const;
const FILE_COLUMNS = ["#", "storageId", "contentType", "size", "source"];
const HEX_SHA256 = /^[0-9a-f]{64}$/i;

function emulatorOf(matcher: string, what: string, value: unknown): Inspectable {
  const candidate = value as Partial<Inspectable> | null;
  const ok =
    typeof candidate === "object" &&
    candidate !== null &&
    typeof candidate.files === "function" &&
    typeof candidate.file === "function" &&
    typeof candidate.bytes === "function" &&
    typeof candidate.journal?.httpRequests === "function";
  if (!ok) {
    throw errors.matcherUsage(
      matcher,
      `${what} must be a storage emulator (from createStorageEmulator()), got ${describeValue(value)}.`,
    );
  }
  return candidate as Inspectable;
}

function checkFields(matcher: string, expected: unknown, allowed: readonly string[]): Field[] {
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

function fileMatches(state: MatcherState, emulator: Inspectable, file: StoredFile, fields: readonly Field[]): boolean {
  return fields.every(([key, value]) => {
    switch (key) {
      case "text":
        return state.equals(new TextDecoder().decode(emulator.bytes(file.storageId) ?? new Uint8Array()), value);
      case "bytes": {
        const bytes = emulator.bytes(file.storageId) ?? new Uint8Array();
        if (value instanceof Uint8Array || value instanceof ArrayBuffer)
          return Buffer.from(bytes).equals(new Uint8Array(value));
        return state.equals(bytes, value);
      }
      case "sha256":
        if (typeof value === "string" && HEX_SHA256.test(value)) {
          return Buffer.from(file.sha256, "base64").toString("hex") === value.toLowerCase();
        }
        return state.equals(file.sha256, value);
      default:
        return state.equals(file[key as keyof StoredFile], value);
    }
  });
}
