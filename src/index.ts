// convex-storage-emulator: the public API. Everything users get is named here.

// --- The emulator ---
export {
  createStorageEmulator,
  StorageEmulator,
  DEFAULT_ORIGIN,
  DEFAULT_SITE_ORIGIN,
  DEFAULT_UPLOAD_URL_TTL_MS,
  type StorageEmulatorOptions,
  type SeedInput,
} from "./emulator.js";

// --- An emulator in another process ---
export {
  connectStorageEmulator,
  STORAGE_EMULATOR_URL_ENV,
  RemoteStorageEmulator,
  RemoteJournal,
  RemoteFaults,
  type RemoteFaultSpec,
  type RemoteOptions,
} from "./remote.js";

// --- What it stores ---
export type { StoredFile, FileSource } from "./file-store.js";
export type { FileMetadata } from "./storage.js";
export type { ImageInfo, ImageFormat } from "./image.js";

// --- The journal ---
export type {
  Journal,
  JournalEntry,
  StorageCallEntry,
  HttpRequestEntry,
  FunctionCallEntry,
  HttpRoute,
  StorageOperation,
  JournalFilter,
} from "./journal.js";

// --- A connected app's database (GET /_emulator/database, remote.database()) ---
export type { DatabaseView, DatabaseContents, DatabaseTable, DatabaseFileLink } from "./database-view.js";

// --- Fault injection ---
export type { Faults, FaultSpec, FaultRoute, HttpFaultRoute, PendingFault } from "./faults.js";

// --- Errors ---
export { StorageEmulatorError, StorageEmulatorTypeError, isStorageEmulatorError, type ErrorCode } from "./errors.js";

// --- IDs ---
export {
  STORAGE_TABLE_NUMBER,
  decodeDocumentId,
  encodeDocumentId,
  isUuid,
  type StorageId,
  type DecodedDocumentId,
} from "./ids.js";
