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
  | "HostNotAllowed" | "CrossSiteRequest" // the admin guard (server/admin-guard.ts)
  | "UploadTimedOut" | "PersistLocked"
  // The admin routes' inputs, a remote handle, the test fixtures.
  | "AdminRequestInvalid" | "EmulatorUnreachable" | "RemoteResponseInvalid" | "FixtureUsage"
  | "CliUsage"
  | "ModuleLoad"
  | "EsmOnly"
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
  // Fidelity: crates/model/src/file_storage (FileStorageId parsing), wrapped by
  // the isolate's with_argument_error as "Invalid argument `storageId` for `storage.<method>`".
  invalidStorageId: (method: StorageMethod, id: unknown) =>
    fail(
      "InvalidArgument",
      400,
      `Invalid argument \`storageId\` for \`storage.${method}\`: Invalid storage ID: "${describe(id)}". Storage ID should be an Id of '_storage' table, or a UUID string.`,
    ),
  // Fidelity: crates/model/src/file_storage/mod.rs, an ID that resolves to another table.
  storageIdOfOtherTable: (method: StorageMethod) =>
    fail(
      "InvalidArgument",
      400,
      `Invalid argument \`storageId\` for \`storage.${method}\`: Invalid storage ID. Storage ID cannot be an ID on any table other than '_storage'.`,
    ),
  // Fidelity: convex-js src/server/impl/validate.ts validateArg (getUrl checks its argument).
  missingArgument: (method: StorageMethod) =>
    new StorageEmulatorTypeError("MissingArgument", `Must provide arg 1 \`storageId\` to \`${method}\``),
  // Fidelity: convex-js src/server/impl/storage_impl.ts, store() of a non-Blob.
  storeExpectsBlob: () =>
    new StorageEmulatorTypeError(
      "StoreExpectsBlob",
      "store() expects a Blob. If you are trying to store a Request, `await request.blob()` will give you the correct input.",
    ),
  // Fidelity: the backend's StorageIdNotFound on delete of a missing file.
  storageIdNotFound: (id: string) => fail("StorageIdNotFound", 404, `storage id ${id} not found`),
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
  // Fidelity: the backend's BadHeader for an unparseable header.
  badHeader: (name: string, detail: string) =>
    fail("BadHeader", 400, `Bad header for ${name}: ${detail}`),
  methodNotAllowed: (method: string, allowed: string) =>
    fail("MethodNotAllowed", 405, `Method ${method} is not allowed here. Allowed: ${allowed}.`),
  // Fidelity: crates/local_backend/src/storage.rs, a missing or deleted file.
  fileNotFound: (uuid: string) => fail("FileNotFound", 404, `File ${uuid} not found`),
  // Fidelity: crates/local_backend/src/storage.rs, a path that is not a storage UUID.
  invalidStoragePath: (path: string) =>
    fail(
      "InvalidStoragePath",
      400,
      `Invalid storage path: "${describe(path)}". Please use \`storage.getUrl()\` to generate a valid URL to retrieve files. See https://docs.convex.dev/file-storage/serve-files for more details`,
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
  httpActionFailed: (method: string, path: string, detail: string) =>
    fail("HttpActionError", 500, `Uncaught error in HTTP action ${method} ${path}: ${detail}`),
  // Fidelity: the docs' 20 MiB limit on HTTP action responses ("Serving Files", "Limits").
  httpResponseTooLarge: (limit: number) =>
    fail(
      "HttpResponseTooLarge",
      500,
      `HTTP action response is larger than the limit of ${limit} bytes (20 MiB). Serve large files through ctx.storage.getUrl() instead.`,
    ),
  runFunctionMissing: (ctxName: string, kind: "query" | "mutation" | "action", name: string) =>
    fail(
      "RunFunctionMissing",
      500,
      `${PREFIX} ctx.${ctxName}(${name}) was called, but no \`run.${kind}\` was given. Pass createStorageEmulator({ http, run: { ${kind}: t.${kind} } }) (convex-test's t, or your own function).`,
    ),
  unsupportedInHttpAction: (what: string) =>
    fail("Unsupported", 500, `${PREFIX} ${what} is not emulated in HTTP actions. Call it through run.action or test it with convex-test.`),
  notListening: (path: string) =>
    fail(
      "NotListening",
      500,
      `${PREFIX} emulator.fetch("${describe(path)}") needs a listening server for the storage and admin routes: await emulator.listen({ port: 0 }) first.`,
    ),
  convexTestUnsupported: (detail: string) =>
    fail("ConvexTestUnsupported", 500, `${PREFIX} connectConvexTest: ${detail}.`),
  portInUse: (host: string, port: number) =>
    fail(
      "PortInUse",
      500,
      `${PREFIX} Port ${port} on ${host} is already in use. Stop what holds it, or pick another port (--port N, or listen({ port: 0 }) for a free one).`,
    ),
  alreadyListening: (url: string) =>
    fail("AlreadyListening", 500, `${PREFIX} This emulator already listens on ${url}. Call close() first, or create another emulator.`),
  alreadyStarting: () => fail("AlreadyListening", 500, `${PREFIX} This emulator is already starting to listen. Await that listen() (and close() it) first, or create another emulator.`),
  hostNotAllowed: (host: string) => fail("HostNotAllowed", 421, `${PREFIX} Refused a request for host "${describe(host)}": the admin routes answer only loopback hosts (127.0.0.1, localhost, [::1]), the host of \`url\`, and hosts allowed with --allow-host (option allowedHosts). This keeps DNS-rebinding pages out.`),
  crossSiteRequest: (method: string, origin: string) => fail("CrossSiteRequest", 403, `${PREFIX} Refused a cross-site ${method} from ${describe(origin)}: admin routes answer only loopback origins, the emulator's own, and origins allowed with --cors-origin (option adminOrigins).`),
  uploadTimedOut: (idleMs: number) => fail("UploadTimedOut", 408, `${PREFIX} The upload sent nothing for ${idleMs} ms and was aborted; nothing was stored. Raise uploadIdleTimeoutMs (--upload-timeout) for slow clients.`),
  fileTooLargeToHold: (limit: number) => fail("FileTooLarge", 413, `${PREFIX} The file is larger than the ${limit} bytes one file can hold here; nothing was stored.`),
  persistLocked: (dir: string, pid: number) => fail("PersistLocked", 500, `${PREFIX} Another emulator (process ${pid}) keeps its files in "${describe(dir)}". Stop it, or give this one another --persist directory.`),
  blobMissing: (uuid: string) => fail("InternalError", 500, `${PREFIX} Internal error: the bytes of file ${uuid} are missing or cut short; restart the emulator to quarantine it.`),
  adminRequestInvalid: (route: string, detail: string) => fail("AdminRequestInvalid", 400, `${PREFIX} ${route}: ${detail}`),
  emulatorUnreachable: (url: string, detail: string) =>
    fail("EmulatorUnreachable", 503, `${PREFIX} Nothing answers at ${url} (${detail}). Start the emulator there (npx convex-storage-emulator --port N), or connect to the URL its "ready on" line prints.`),
  remoteResponseInvalid: (url: string, status: number, detail: string) =>
    fail("RemoteResponseInvalid", 502, `${PREFIX} ${url} answered ${status} with ${detail}, not the emulator's JSON. Is a storage emulator (with its admin routes, no --no-admin) listening there?`),
  // An Error object cannot be sent as JSON: a remote handle and the admin route take its message.
  faultErrorNotString: () =>
    fail("FaultInvalid", 400, `${PREFIX} faults.next(): over HTTP, \`error\` must be a string (the message); an Error object cannot cross the wire.`),
  fixtureUsage: (fixture: string, detail: string) => fail("FixtureUsage", 500, `${PREFIX} the ${fixture} fixture: ${detail}`),
  injectedFault: (route: string, status: number, message?: string) =>
    fail("InjectedFault", status, message ?? `${PREFIX} Injected fault: faults.next({ route: "${route}" }) made this fail.`),
  faultInvalid: (detail: string) => fail("FaultInvalid", 400, `${PREFIX} faults.next(): ${detail}`),
  matcherUsage: (matcher: string, detail: string) => fail("MatcherUsage", 400, `${PREFIX} ${matcher}(): ${detail}`),
  // The command (src/cli.ts). It prints these without the prefix, after its own name;
  // a CliUsage error exits 2, the others 1.
  cliUsage: (detail: string) => fail("CliUsage", 400, `${PREFIX} ${detail}. Run convex-storage-emulator --help for usage.`),
  cliWholeNumber: (source: string, value: string) => errors.cliUsage(`${source} expects a whole number, got "${describe(value)}"`),
  cliPortRange: (source: string, port: number) => errors.cliUsage(`${source} must be from 0 to 65535, got ${port}`),
  cliEmpty: (flag: string) => errors.cliUsage(`${flag} must not be empty`),
  cliBoolean: (variable: string, value: string) => errors.cliUsage(`${variable} expects 1, true, 0 or false, got "${describe(value)}"`),
  cliFunctionsNeedHttp: () => errors.cliUsage("--functions needs --http"),
  moduleNeedsTsx: (flag: string) =>
    fail("ModuleLoad", 400, `${PREFIX} ${flag}: loading TypeScript needs tsx (npm install --save-dev tsx), or point ${flag} at compiled JavaScript`),
  moduleLoadFailed: (flag: string, path: string, detail: string) =>
    fail("ModuleLoad", 400, `${PREFIX} ${flag}: cannot load "${describe(path)}": ${detail}`),
  httpModuleNotRouter: (path: string) =>
    fail("ModuleLoad", 400, `${PREFIX} --http: "${describe(path)}" has no default export that is an HttpRouter; export default the httpRouter() of your convex/http.ts`),
  functionsModuleEmpty: (path: string) =>
    fail("ModuleLoad", 400, `${PREFIX} --functions: "${describe(path)}" exports none of query, mutation, action`),
  // Instead of runFunctionMissing's advice to pass `run`, which a CLI user cannot do.
  cliRunFunctionMissing: (ctxName: string, kind: "query" | "mutation" | "action", name: string, functions: string | undefined) =>
    fail("RunFunctionMissing", 500, functions === undefined
      ? `${PREFIX} ctx.${ctxName}(${name}) was called, but the server was started without --functions. Restart it with --functions FILE, a module exporting query, mutation and action(ref, args) stand-ins (an example: node_modules/convex-storage-emulator/examples/chat/dev-functions.ts).`
      : `${PREFIX} ctx.${ctxName}(${name}) was called, but --functions ${describe(functions)} exports no \`${kind}\`. Export a ${kind}(ref, args) function from it.`),
  seedDirectoryUnreadable: (dir: string, reason: string) =>
    fail("SeedInvalid", 400, `${PREFIX} --seed: cannot read directory "${describe(dir)}": ${reason}`),
  // Thrown by require.cjs, the package's "require" export, which holds a copy of this text.
  esmOnly: () =>
    fail("EsmOnly", 500, `${PREFIX} This package is ESM only, so require() cannot load it. Use import { createStorageEmulator } from "convex-storage-emulator" (from CommonJS: await import("convex-storage-emulator")).`),
  encodeIdInvalid: (detail: string) => fail("InvalidArgument", 400, `${PREFIX} encodeDocumentId(): ${detail}.`),
  internal: (detail: string) => fail("InternalError", 500, `${PREFIX} Internal error: ${detail}`),
} as const;

/** Texts that are not errors of their own: bodies and details other errors carry. */
export const messages = {
  // Fidelity: the backend's plain-text 404 body for a path no HTTP action is routed at.
  noHttpActionRouted: (path: string) => `No HttpAction routed for ${path}`,
  httpActionNotResponse: (got: string) => `the handler returned ${got}, not a Response`,
  quarantined: (root: string, moved: string, target: string, reason: string) => `${PREFIX} warning: --persist ${root}: moved ${moved} to quarantine/${target}: ${reason}.`,
} as const;

/** Renders a user-supplied value for a message without dumping huge inputs. */
function describe(value: unknown): string {
  const text = typeof value === "string" ? value : String(value);
  return text.length > 200 ? `${text.slice(0, 200)}…` : text;
}
