// The shape of every error this package raises: a stable `code`, the HTTP
// status it maps to, and a message. The messages themselves are in
// errors/storage.ts and errors/runtime.ts, gathered by errors.ts.

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
  | "InvalidDigestHeader"
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
  | "HostNotAllowed"
  | "CrossSiteRequest" // the cross-site guard (server/cross-site.ts)
  | "UploadTimedOut"
  | "PersistLocked"
  // The admin routes' inputs, a remote handle, the test fixtures.
  | "AdminRequestInvalid"
  | "EmulatorUnreachable"
  | "RemoteResponseInvalid"
  | "RemoteTimeout"
  | "FixtureUsage"
  | "CliUsage"
  // Convex's client protocols (errors/clients.ts).
  | "BadJsonBody"
  | "MissingIdentifier"
  | "InvalidAuthHeader"
  | "Unauthenticated"
  | "NoAuthProvider"
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

export function isStorageEmulatorError(value: unknown): value is StorageEmulatorError | StorageEmulatorTypeError {
  return value instanceof StorageEmulatorError || value instanceof StorageEmulatorTypeError;
}

export const PREFIX = "[convex-storage-emulator]";

export const fail = (code: ErrorCode, status: number, message: string) =>
  new StorageEmulatorError(code, status, message);

/** Renders a user-supplied value for a message without dumping huge inputs. */
export function describe(value: unknown): string {
  const text = typeof value === "string" ? value : String(value);
  return text.length > 200 ? `${text.slice(0, 200)}…` : text;
}
