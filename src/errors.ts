// Every error this package raises: a stable `code`, the HTTP status it maps
// to, and a pinned message. Nothing else in the package builds error text.
//
// Messages that copy Convex's are marked `// Fidelity:`; the others are this
// emulator's own and start with the package name, saying what to do next.

import type { StorageMethod } from "./paths.js";

const PREFIX = "[convex-storage-emulator]";

export type ErrorCode =
  | "InvalidArgument"
  | "MissingArgument"
  | "StoreExpectsBlob"
  | "StorageIdNotFound"
  | "Sha256Mismatch"
  | "StorageTokenInvalid"
  | "StorageTokenExpired"
  | "BadQueryArgs"
  | "BadHeader"
  | "InvalidContentTypeHeader"
  | "MethodNotAllowed"
  | "FileNotFound"
  | "InvalidStoragePath"
  | "RangeNotSatisfiable"
  | "FileTooLarge"
  | "StorageFull"
  | "UploadAborted"
  | "ResetDuringWrite"
  | "SnapshotInvalid"
  | "SeedInvalid"
  | "OptionInvalid"
  | "NotFound"
  | "HttpActionError"
  | "HttpResponseTooLarge"
  | "RunFunctionMissing"
  | "Unsupported"
  | "NotListening"
  | "InjectedFault"
  | "FaultInvalid"
  | "MatcherUsage"
  | "ConvexTestUnsupported"
  | "PortInUse"
  | "AlreadyListening"
  | "InternalError";

/** An error raised by the emulator. `code` is stable; `status` is its HTTP status. */
export class StorageEmulatorError extends Error {
  override readonly name: string = "StorageEmulatorError";
  constructor(
    readonly code: ErrorCode,
    readonly status: number,
    message: string,
  ) {
    super(message);
  }

  /** The JSON body Convex sends for this error: `{ code, message }`. */
  toJSON(): { code: ErrorCode; message: string } {
    return { code: this.code, message: this.message };
  }
}

/** Raised for arguments of the wrong type, so `instanceof TypeError` holds too. */
export class StorageEmulatorTypeError extends TypeError {
  override readonly name: string = "StorageEmulatorTypeError";
  readonly status = 400;
  constructor(
    readonly code: ErrorCode,
    message: string,
  ) {
    super(message);
  }
}

export function isStorageEmulatorError(
  value: unknown,
): value is StorageEmulatorError | StorageEmulatorTypeError {
  return value instanceof StorageEmulatorError || value instanceof StorageEmulatorTypeError;
}

export type { StorageMethod };

const fail = (code: ErrorCode, status: number, message: string) =>
  new StorageEmulatorError(code, status, message);

export const errors = {
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
  invalidSha256Option: (value: unknown) =>
    fail(
      "InvalidArgument",
      400,
      `Invalid argument \`sha256\` for \`storage.store\`: expected the base64 of 32 bytes, got "${describe(value)}".`,
    ),
  // Fidelity: crates/local_backend/src/storage.rs upload token errors.
  tokenInvalid: () =>
    fail("StorageTokenInvalid", 401, "Couldn't decode the StoreFileAuthorization token"),
  tokenExpired: () => fail("StorageTokenExpired", 401, "Store File Authorization expired"),
  tokenMissing: () =>
    fail("BadQueryArgs", 400, "Failed to deserialize query string: missing field `token`"),
  // Fidelity: get-convex/convex-backend crates/local_backend/src/storage.rs map_header_err.
  badHeader: (name: string, detail: string) =>
    fail("BadHeader", 400, `Bad header for ${name}: ${detail}`),
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
  adminFileNotFound: (id: string) =>
    fail("NotFound", 404, `${PREFIX} No stored file has the id "${describe(id)}".`),
  routeNotFound: (method: string, path: string) =>
    fail("NotFound", 404, `${PREFIX} No route for ${method} ${describe(path)}.`),
  // Fidelity: get-convex/convex-backend crates/application/src/redaction.rs, the `code` of a
  // dev deployment's 500 (the request id is a fresh one: crates/application/src/lib.rs).
  httpActionFailed: (requestId: string, uncaught: string) =>
    fail("HttpActionError", 500, `[Request ID: ${requestId}] Server Error: ${uncaught}`),
  // Fidelity: get-convex/convex-backend crates/isolate/src/environment/action/mod.rs, the system
  // log line of a response chunk dropped for passing 20 MiB (humansize BINARY: "20 MiB").
  httpResponseTooLarge: () => fail("HttpResponseTooLarge", 500, "HttpResponseTooLarge: HTTP actions support responses up to 20 MiB"),
  runFunctionMissing: (ctxName: string, kind: "query" | "mutation" | "action", name: string) =>
    fail(
      "RunFunctionMissing",
      500,
      `${PREFIX} ctx.${ctxName}(${name}) was called, but no \`run.${kind}\` was given. Pass createStorageEmulator({ http, run: { ${kind}: t.${kind} } }) (convex-test's t, or your own function).`,
    ),
  unsupportedInHttpAction: (what: string) =>
    fail("Unsupported", 500, `${PREFIX} ${what} is not emulated in HTTP actions. Call it through run.action or test it with convex-test.`),
  notListening: (url: string) =>
    fail(
      "NotListening",
      500,
      `${PREFIX} emulator.fetch("${describe(url)}") is a cloud-origin URL (storage, admin), which needs a listening server: await emulator.listen({ port: 0 }) first. Paths and site URLs run the HTTP actions in process.`,
    ),
  convexTestUnsupported: (detail: string) =>
    fail("ConvexTestUnsupported", 500, `${PREFIX} connectConvexTest: ${detail}.`),
  convexTestNotEmpty: (count: number) =>
    fail("ConvexTestUnsupported", 500, `${PREFIX} connectConvexTest: connect before storing files: this emulator already holds ${count} file${count === 1 ? "" : "s"} (stored, seeded, restored or found in its persist directory), and convex-test has no _storage documents for them. Connect a fresh emulator (without persist, or with an empty directory).`),
  convexTestRestore: () =>
    fail("ConvexTestUnsupported", 500, `${PREFIX} restore() is not supported while connected to convex-test: the restored files would have no _storage documents. Disconnect first.`),
  portInUse: (host: string, port: number, flag = "--port") =>
    fail(
      "PortInUse",
      500,
      `${PREFIX} Port ${port} on ${host} is already in use. Stop what holds it, or pick another port (${flag} N, or listen({ port: 0 }) for a free one).`,
    ),
  alreadyListening: (url: string) =>
    fail("AlreadyListening", 500, `${PREFIX} This emulator already listens on ${url}. Call close() first, or create another emulator.`),
  injectedFault: (route: string, status: number, message?: string) =>
    fail("InjectedFault", status, message ?? `${PREFIX} Injected fault: faults.next({ route: "${route}" }) made this fail.`),
  faultInvalid: (detail: string) => fail("FaultInvalid", 400, `${PREFIX} faults.next(): ${detail}`),
  matcherUsage: (matcher: string, detail: string) => fail("MatcherUsage", 400, `${PREFIX} ${matcher}(): ${detail}`),
  encodeIdInvalid: (detail: string) => fail("InvalidArgument", 400, `${PREFIX} encodeDocumentId(): ${detail}.`),
  internal: (detail: string) => fail("InternalError", 500, `${PREFIX} Internal error: ${detail}`),
} as const;

/** Texts that are not errors of their own: bodies and details other errors carry. */
export const messages = {
  // Fidelity: the backend's plain-text 404 body for a path no HTTP action is routed at.
  noHttpActionRouted: (path: string) => `No HttpAction routed for ${path}`,
  // Fidelity: the backend's 404 body when the deployment has no convex/http.js.
  noHttpActions: () => "This Convex deployment does not have HTTP actions enabled.",
  httpActionNotResponse: (got: string) => `the handler returned ${got}, not a Response`,
} as const;

/** Renders a user-supplied value for a message without dumping huge inputs. */
function describe(value: unknown): string {
  const text = typeof value === "string" ? value : String(value);
  return text.length > 200 ? `${text.slice(0, 200)}…` : text;
}
