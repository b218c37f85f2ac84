// The gateway: everything the outside world does to stored files goes
// through here, whether it comes from ctx.storage (storage.ts), the HTTP
// routes (server/) or the emulator's own inspection. It applies queued faults
// and records the journal, each in one place, and it knows nothing of HTTP:
// routes decode a request into a call here and encode what it returns.
import { errors, isStorageEmulatorError } from "./errors.js";
import { faultDelay, type FaultAction, type Faults } from "./faults.js";
import type { BytePump, FileStore, StoredFile } from "./file-store.js";
import { isUuid } from "./ids.js";
import type { HttpRoute, Journal, RequestOutcome, StorageCallEntry } from "./journal.js";
import { fileUrl, uploadUrl, type StorageMethod, type StorageOperation, type StorageRoute } from "./paths.js";
import type { UploadTokenBook } from "./tokens.js";

export interface GatewayParts {
  readonly files: FileStore;
  readonly tokens: UploadTokenBook;
  readonly journal: Journal;
  readonly faults: Faults;
  now(): number;
  /** The origin URLs are built on, e.g. "http://127.0.0.1:3210". */
  origin(): string;
  /** An upload whose body sends nothing this long is aborted; 0 never. */
  uploadIdleTimeoutMs: number;
}

/** An HTTP upload, decoded: `POST /api/storage/upload?token=…`. */
export interface UploadRequest {
  /** The `token` query parameter: null when absent, undefined when repeated. */
  token: string | null | undefined;
  /** Decodes the headers; called only once the token is accepted. */
  headers(): UploadHeaders;
  /** Feeds the body's chunks to the store. */
  body: BytePump;
}

export interface UploadHeaders {
  contentType: string | null;
  expectedSha256?: string | undefined;
  /** Content-Length, when the client sent one. */
  declaredBytes?: number | undefined;
}


export class Gateway {
  readonly files: FileStore;
  readonly tokens: UploadTokenBook;
  readonly journal: Journal;
  readonly faults: Faults;
  readonly now: () => number;
  readonly origin: () => string;
  readonly uploadIdleTimeoutMs: number;
  readonly #resetHooks = new Set<() => Promise<void>>();

  constructor(parts: GatewayParts) {
    this.uploadIdleTimeoutMs = parts.uploadIdleTimeoutMs;
    ({ files: this.files, tokens: this.tokens, journal: this.journal, faults: this.faults } = parts);
    this.now = () => parts.now();
    this.origin = () => parts.origin();
  }

  // --- ctx.storage ------------------------------------------------------------

  /**
   * Runs one ctx.storage call: applies a queued fault, then records the call
   * in the journal with its outcome. Not an async function: a call that
   * finishes synchronously (getUrl, getMetadata, most gets) is journaled at
   * once and costs no extra promise turns.
   */
  perform<T>(operation: StorageOperation, storageId: unknown, call: () => Promise<T> | T, bytesOf?: (result: T) => number | undefined): Promise<T> {
    const fault = this.faults.take(operation);
    const record = new CallRecord(this.journal, operation, storageId, this.now(), bytesOf, fault?.error);
    if (fault === undefined) return record.run(call);
    const injected = fault.error;
    return faultDelay(fault).then(() => (injected === undefined ? record.run(call) : record.failed(injected)));
  }

  /** The file a ctx.storage id argument names, or null; throws for an id Convex would refuse. */
  resolve(method: StorageMethod, id: unknown): StoredFile | null {
    if (typeof id !== "string") throw errors.invalidStorageId(method, id);
    // A stored file's own id is valid by construction: decoding it again (base32, checksum) is skipped.
    const stored = this.files.byStorageId(id);
    if (stored !== null) return stored;
    switch (this.files.identity.classify(id)) {
      case "storage":
        return null; // a well-formed id the store does not hold (looked up above)
      case "uuid":
        return this.files.byUuid(id.toLowerCase());
      case "otherTable":
        throw errors.storageIdOfOtherTable(method);
      case "invalid":
        throw errors.invalidStorageId(method, id);
    }
  }

  /** A stored file by storage id or UUID, or null (inspection: never throws). */
  find(id: string): StoredFile | null {
    if (typeof id !== "string") return null;
    return this.files.byStorageId(id) ?? this.files.byUuid(id.toLowerCase());
  }

  fileUrl(file: StoredFile): string {
    return fileUrl(this.origin(), file.uuid);
  }

  /** A fresh upload URL and when it expires. */
  issueUploadUrl(): { uploadUrl: string; expiresAt: number } {
    const { token, expiresAt } = this.tokens.issue();
    return { uploadUrl: uploadUrl(this.origin(), token), expiresAt };
  }

  /**
   * Forgets every file, upload token, journal entry and queued fault: at once, unless reset hooks
   * are registered (an app's database, see convex-app.ts), which run first, since its documents
   * name the files.
   */
  reset(): Promise<void> {
    // Queued faults go first: the hooks' own storage calls (deleting an app's files) must not take one.
    this.faults.clear();
    const clear = () => {
      this.files.clear();
      this.tokens.clear();
      this.journal.clear();
      this.faults.clear();
    };
    if (this.#resetHooks.size === 0) return (clear(), Promise.resolve());
    // A hook that fails still leaves the files cleared; its error is the promise's.
    return [...this.#resetHooks].reduce((done, hook) => done.then(hook), Promise.resolve()).finally(clear);
  }

  /** Runs `hook` at each reset(), before anything is cleared. Returns the unhook. */
  onReset(hook: () => Promise<void>): () => void {
    this.#resetHooks.add(hook);
    return () => void this.#resetHooks.delete(hook);
  }

  /** Removes a file; false when it was not there. */
  delete(file: StoredFile): Promise<boolean> {
    return this.files.remove(file.uuid);
  }

  // --- HTTP -------------------------------------------------------------------

  /**
   * Takes the next fault queued for an HTTP route: undefined at once when
   * there is none (the hot path stays synchronous), else the fault once its
   * delay has passed.
   */
  takeHttpFault(route: StorageRoute): Promise<FaultAction> | undefined {
    const fault = this.faults.take(route);
    return fault === undefined ? undefined : faultDelay(fault).then(() => fault);
  }

  /** An HTTP upload: the token first (Fidelity: checked before any header), then the headers, then the body. */
  async upload(request: UploadRequest): Promise<StoredFile> {
    // A repeated token is as unreadable as a garbled one.
    const check = this.tokens.verify(request.token === undefined ? "" : request.token);
    if (!check.ok) throw check.error;
    const { contentType, expectedSha256, declaredBytes } = request.headers();
    return this.files.write(request.body, { contentType, source: "upload", expectedSha256, sizeHint: declaredBytes });
  }

  /** The file a file URL's path segment names; throws InvalidStoragePath or FileNotFound. */
  openFile(rawId: string): StoredFile {
    let id: string;
    try {
      id = decodeURIComponent(rawId);
    } catch {
      id = rawId;
    }
    if (!isUuid(id)) throw errors.invalidStoragePath(id);
    const file = this.files.byUuid(id.toLowerCase());
    if (file === null) throw errors.fileNotFound(id);
    return file;
  }

  /** Starts the journal entry of one HTTP request; call the result once with its outcome. */
  startRequest(route: HttpRoute, method: string, path: string): (outcome: RequestOutcome) => void {
    return this.journal.startRequest(route, method, path, this.now());
  }
}

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

/** One ctx.storage call being performed: runs it and journals its outcome once. (A class, not closures: this is every call's hot path.) */
class CallRecord<T> {
  readonly #started = performance.now();
  readonly #id: string | undefined;

  constructor(
    readonly journal: Journal,
    readonly operation: StorageOperation,
    storageId: unknown,
    readonly at: number,
    readonly bytesOf: ((result: T) => number | undefined) | undefined,
    readonly injected: Error | undefined,
  ) {
    this.#id = typeof storageId === "string" ? storageId : undefined;
  }

  run(call: () => Promise<T> | T): Promise<T> {
    let result: Promise<T> | T;
    try {
      result = call();
    } catch (error) {
      return Promise.reject(error).catch((e: unknown) => this.failed(e));
    }
    return result instanceof Promise ? result.then((r) => this.succeeded(r), (e: unknown) => this.failed(e)) : Promise.resolve(this.succeeded(result));
  }

  succeeded(result: T): T {
    const { operation } = this;
    const recorded = this.#entry(result === null ? "null" : "ok");
    const storedId = typeof result === "string" && operation === "store" ? result : this.#id;
    if (storedId !== undefined) recorded.storageId = storedId;
    const bytes = this.bytesOf?.(result);
    if (bytes !== undefined) recorded.bytes = bytes;
    this.#record(recorded);
    return result;
  }

  failed(error: unknown): never {
    const recorded = this.#entry("error");
    if (this.#id !== undefined) recorded.storageId = this.#id;
    if (error !== undefined && error === this.injected) recorded.errorCode = "InjectedFault";
    else if (isStorageEmulatorError(error)) recorded.errorCode = error.code;
    this.#record(recorded);
    throw error;
  }

  #entry(outcome: StorageCallEntry["outcome"]): Mutable<StorageCallEntry> {
    return { type: "storage", operation: this.operation, at: this.at, outcome, durationMs: 0 };
  }

  #record(entry: Mutable<StorageCallEntry>): void {
    entry.durationMs = performance.now() - this.#started;
    this.journal.record(entry);
  }
}
