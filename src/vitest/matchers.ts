// The matchers: each checks its arguments, takes an inspection of the
// emulator (inspection.ts) and builds its result from that alone, so an
// in-process emulator and a remote handle pass and fail with one message.
import type { MatcherState } from "./matcher-state.js";
import type { StorageEmulator } from "../emulator.js";
import { errors } from "../errors.js";
import type { FileSource, StoredFile } from "../file-store.js";
import type { HttpRequestEntry } from "../journal.js";
import type { RemoteStorageEmulator } from "../remote.js";
import { checkFields, FILE_FIELDS, fileMatches, IMAGE_FIELDS, imageOf } from "./fields.js";
import { inspect, targetOf, type Inspection } from "./inspection.js";
import {
  describeObject,
  describeValue,
  filesTable,
  matched,
  noneMatching,
  plural,
  report,
  uploadsTable,
  withFields,
} from "./messages.js";

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

/** What `toHaveStoredImage` checks: the image's format and size (from its header), and any StoredFileMatch field. */
export interface StoredImageMatch extends StoredFileMatch {
  /** Lowercase: "png", "jpeg", "gif", "webp", "avif", "svg", "bmp", … */
  format?: string;
  /** In pixels. */
  width?: number;
  height?: number;
}

/** What `toHaveReceivedUpload` checks besides the 200 answer: the uploaded file's fields. */
export interface UploadMatch {
  contentType?: string | null;
}

/** What a matcher returns: vitest fails the assertion when `pass` is not what it expects. */
export interface StorageMatcherResult {
  pass: boolean;
  message: () => string;
}

/** An in-process emulator, or a remote handle (then the matchers are async: `await expect(remote)…`). */
export type AnyStorageEmulator = StorageEmulator | RemoteStorageEmulator;

type Result = StorageMatcherResult | Promise<StorageMatcherResult>;
type Matcher<Args extends unknown[]> = (this: MatcherState, received: unknown, ...args: Args) => Result;

const UPLOAD_FIELDS = ["contentType"] as const;
const FILE_COLUMNS = ["#", "storageId", "contentType", "size", "source"];

/** The matchers, for `expect.extend(storageEmulatorMatchers)`. Importing convex-storage-emulator/vitest already registers them. */
export const storageEmulatorMatchers: {
  toHaveStoredFile: Matcher<[expected?: StoredFileMatch]>;
  toHaveStoredFiles: Matcher<[count: number]>;
  toHaveStoredImage: Matcher<[expected?: StoredImageMatch]>;
  toBeStoredIn: Matcher<[emulator: AnyStorageEmulator]>;
  toHaveReceivedUpload: Matcher<[expected?: UploadMatch]>;
} = {
  toHaveStoredFile(received, expected = {}) {
    const target = targetOf("toHaveStoredFile", "the received value", received);
    const fields = checkFields("toHaveStoredFile", expected, FILE_FIELDS);
    const needsBytes = fields.some(([key]) => key === "text" || key === "bytes");
    return inspect(target, { bytes: needsBytes }, (view) => {
      const { files } = view;
      const matching = files.filter((file) => fileMatches(this, view, file, fields));
      const wanted = withFields(this, fields);
      const columns = FILE_COLUMNS.concat(
        fields.some(([k]) => k === "sha256") ? ["sha256"] : [],
        fields.some(([k]) => k === "text") ? ["text"] : [],
      );
      return someStored(this, "toHaveStoredFile", `stored file${wanted}`, view, matching, columns);
    });
  },

  toHaveStoredImage(received, expected = {}) {
    const target = targetOf("toHaveStoredImage", "the received value", received);
    const fields = checkFields("toHaveStoredImage", expected, [...FILE_FIELDS, ...IMAGE_FIELDS]);
    // Image facts come from the bytes' header, so every file's bytes are read.
    return inspect(target, { bytes: true }, (view) => {
      const { files } = view;
      const matching = files.filter((file) => imageOf(view, file) !== null && fileMatches(this, view, file, fields));
      const wanted = withFields(this, fields);
      const columns = [...FILE_COLUMNS, "image"];
      return someStored(this, "toHaveStoredImage", `stored image${wanted}`, view, matching, columns);
    });
  },

  toHaveStoredFiles(received, count) {
    const target = targetOf("toHaveStoredFiles", "the received value", received);
    if (!Number.isSafeInteger(count) || count < 0) {
      throw errors.matcherUsage(
        "toHaveStoredFiles",
        `the count must be a whole number of at least 0, got ${describeValue(count)}.`,
      );
    }
    return inspect(target, {}, ({ files, bytes }) => ({
      pass: files.length === count,
      message: () =>
        report(
          this,
          ["emulator", "toHaveStoredFiles", "expected"],
          `${this.isNot ? "not " : ""}${plural(count, "stored file")}`,
          files.length === 0 ? "no stored files" : `${plural(files.length, "stored file")}:`,
          filesTable(bytes, files, files, FILE_COLUMNS),
        ),
    }));
  },

  toBeStoredIn(received, emulator) {
    const target = targetOf("toBeStoredIn", "the argument", emulator);
    return inspect(target, {}, ({ files, file: find, bytes }) => {
      const file = find(received);
      const call: Call = ["storageId", "toBeStoredIn", "emulator"];
      return {
        pass: file !== null,
        message: () =>
          file !== null
            ? report(
                this,
                call,
                `${describeValue(received)} not to be the id of a stored file`,
                "it is stored:",
                filesTable(bytes, files, [file], FILE_COLUMNS),
              )
            : report(
                this,
                call,
                `${describeValue(received)} to be the id of a stored file`,
                noneMatching(files, "stored file", "no stored files", "none with that id"),
                filesTable(bytes, files, files, FILE_COLUMNS),
              ),
      };
    });
  },

  toHaveReceivedUpload(received, expected = {}) {
    const target = targetOf("toHaveReceivedUpload", "the received value", received);
    const fields = checkFields("toHaveReceivedUpload", expected, UPLOAD_FIELDS);
    return inspect(target, { uploads: true }, ({ uploads, file: find }) => {
      const matching = uploads.filter((entry) => {
        if (entry.status !== 200 || entry.storageId === undefined) return false;
        const file = find(entry.storageId);
        return fields.every(([, value]) => file !== null && this.equals(file.contentType, value));
      });
      const wanted = fields.length === 0 ? "" : ` whose file has ${describeObject(this, fields)}`;
      const table = (rows: readonly HttpRequestEntry[]) => uploadsTable(find, uploads, rows);
      const call: Call = ["emulator", "toHaveReceivedUpload", "expected"];
      return {
        pass: matching.length > 0,
        message: () =>
          this.isNot
            ? report(
                this,
                call,
                `no upload answered 200${wanted}`,
                `${matched(matching, uploads, "upload request")}:`,
                table(matching),
              )
            : report(
                this,
                call,
                `an upload answered 200${wanted}`,
                noneMatching(uploads, "upload request", "no upload requests"),
                table(uploads),
              ),
      };
    });
  },
};

type Call = [received: string, name: string, argument: string];

/**
 * The result of a "some stored file matches" matcher: passes when `matching` is not empty; the
 * message lists every file (or, for `.not`, the matching ones) with `columns`.
 */
function someStored(
  state: MatcherState,
  name: string,
  wanted: string,
  view: Inspection,
  matching: readonly StoredFile[],
  columns: readonly string[],
): StorageMatcherResult {
  const { files } = view;
  const call: Call = ["emulator", name, "expected"];
  return {
    pass: matching.length > 0,
    message: () =>
      state.isNot
        ? report(
            state,
            call,
            `no ${wanted}`,
            `${matched(matching, files, "stored file")}:`,
            filesTable(view.bytes, files, matching, columns),
          )
        : report(
            state,
            call,
            `a ${wanted}`,
            noneMatching(files, "stored file", "no stored files"),
            filesTable(view.bytes, files, files, columns),
          ),
  };
}
