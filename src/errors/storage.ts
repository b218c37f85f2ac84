// The errors of storing, naming and serving files: ctx.storage, the upload
// and serve routes, limits, snapshots, seeds and options. Messages that copy
// Convex's are marked `// Fidelity:`.
import type { StorageMethod } from "../paths.js";
import { describe, fail, PREFIX, StorageEmulatorTypeError } from "./base.js";

export const storageErrors = {
  // Fidelity: get-convex/convex-backend crates/model/src/file_storage/mod.rs (FromStr for
  // FileStorageId: the Rust literal spans a line, so a line break and 20 spaces stay in the
  // message), wrapped by crates/isolate/src/environment/helpers/mod.rs with_argument_error.
  invalidStorageId: (method: StorageMethod, id: unknown) =>
    fail(
      "InvalidArgument",
      400,
      `Invalid argument \`storageId\` for \`storage.${method}\`: Invalid storage ID: "${describe(id)}". Storage ID should be an\n${" ".repeat(20)}Id of '_storage' table, or a UUID string.`,
    ),
  // Fidelity: get-convex/convex-backend crates/model/src/file_storage/mod.rs: raised during the
  // lookup, outside with_argument_error, so without the `Invalid argument` prefix.
  storageIdOfOtherTable: (_method: StorageMethod) =>
    fail("InvalidArgument", 400, "Invalid storage ID. Storage ID cannot be an ID on any table other than '_storage'."),
  // Fidelity: convex-js src/server/impl/validate.ts validateArg (getUrl checks its argument).
  missingArgument: (method: StorageMethod) =>
    new StorageEmulatorTypeError("MissingArgument", `Must provide arg 1 \`storageId\` to \`${method}\``),
  // Fidelity: convex-js src/server/impl/storage_impl.ts, store() of a non-Blob.
  storeExpectsBlob: () =>
    new StorageEmulatorTypeError(
      "StoreExpectsBlob",
      "store() expects a Blob. If you are trying to store a Request, `await request.blob()` will give you the correct input.",
    ),
  // Fidelity: get-convex/convex-backend crates/file_storage/src/core.rs, ErrorMetadata::bad_request (400).
  storageIdNotFound: (id: string) => fail("StorageIdNotFound", 400, `storage id ${id} not found`),
  // Fidelity: crates/file_storage, a Digest or sha256 option that does not match the bytes.
  sha256Mismatch: (expected: string, actual: string) =>
    fail("Sha256Mismatch", 400, `Sha256 mismatch. Expected: ${expected} Actual: ${actual}`),
  // Fidelity: get-convex/convex-backend crates/isolate/src/environment/action/storage.rs
  // run_storage_store: `sha-256=<option>` through HeaderValue::from_str (its error text for a
  // control character) and DigestHeader::decode (headers-core's Display otherwise).
  invalidSha256Option: (controlCharacter: boolean) =>
    fail("InvalidDigestHeader", 400, controlCharacter ? "failed to parse header value" : "invalid HTTP header"),
  // Fidelity: crates/local_backend/src/storage.rs upload token errors.
  tokenInvalid: () => fail("StorageTokenInvalid", 401, "Couldn't decode the StoreFileAuthorization token"),
  tokenExpired: () => fail("StorageTokenExpired", 401, "Store File Authorization expired"),
  tokenMissing: () => fail("BadQueryArgs", 400, "Failed to deserialize query string: missing field `token`"),
  // Fidelity: get-convex/convex-backend crates/local_backend/src/storage.rs map_header_err.
  badHeader: (name: string, detail: string) => fail("BadHeader", 400, `Bad header for ${name}: ${detail}`),
  // Fidelity: get-convex/convex-backend crates/isolate/src/environment/action/storage.rs
  // run_storage_store: store() of a Blob whose type mime cannot parse; the message is mime's error.
  invalidContentType: (mimeError: string) => fail("InvalidContentTypeHeader", 400, mimeError),
  methodNotAllowed: (method: string, allowed: string) =>
    fail("MethodNotAllowed", 405, `Method ${method} is not allowed here. Allowed: ${allowed}.`),
  // Fidelity: crates/local_backend/src/storage.rs, a missing or deleted file.
  fileNotFound: (uuid: string) => fail("FileNotFound", 404, `File ${uuid} not found`),
  // Fidelity: get-convex/convex-backend crates/local_backend/src/storage.rs storage_get, a path that is not a UUID.
  invalidStoragePath: (path: string) =>
    fail(
      "InvalidStoragePath",
      400,
      `Invalid storage path: "${describe(path)}". Please use \`storage.getUrl(storageId: Id<"_storage">)\` to generate a valid URL to retrieve files. See https://docs.convex.dev/file-storage/serve-files for more details`,
    ),
  rangeNotSatisfiable: (size: number) =>
    fail("RangeNotSatisfiable", 416, `Range not satisfiable for a file of ${size} bytes.`),
  // Fidelity: crates/local_backend/src/storage.rs storage_get, `ranges.len() != 1` (decided before the lookup).
  rangeNotOne: () =>
    fail(
      "RangeNotSatisfiable",
      416,
      "Range not satisfiable: it names no parsable byte range or several, and exactly one is served.",
    ),
  fileTooLarge: (limit: number) =>
    fail(
      "FileTooLarge",
      413,
      `${PREFIX} The file is larger than maxFileBytes (${limit} bytes); nothing was stored. Raise maxFileBytes (--max-file-bytes) to allow it.`,
    ),
  storageFull: (limit: number) =>
    fail(
      "StorageFull",
      507,
      `${PREFIX} Storing this file would exceed maxTotalBytes (${limit} bytes); nothing was stored. Delete files, reset(), or raise maxTotalBytes.`,
    ),
  uploadAborted: () =>
    fail("UploadAborted", 400, `${PREFIX} The upload ended before its body was complete; nothing was stored.`),
  resetDuringWrite: () =>
    fail(
      "ResetDuringWrite",
      409,
      `${PREFIX} The emulator was reset (or restored) while this file was being written; nothing was stored. Store it again.`,
    ),
  snapshotInvalid: (detail: string) =>
    fail(
      "SnapshotInvalid",
      400,
      `${PREFIX} restore() was given something that is not a snapshot from snapshot(): ${detail}. Nothing was changed.`,
    ),
  seedInvalid: (detail: string) => fail("SeedInvalid", 400, `${PREFIX} seed(): ${detail}`),
  optionInvalid: (name: string, detail: string) =>
    fail("OptionInvalid", 400, `${PREFIX} Invalid option \`${name}\`: ${detail}`),
  adminFileNotFound: (id: string) => fail("NotFound", 404, `${PREFIX} No stored file has the id "${describe(id)}".`),
  routeNotFound: (method: string, path: string) =>
    fail("NotFound", 404, `${PREFIX} No route for ${method} ${describe(path)}.`),
} as const;
