// The gateway: everything the outside world does to stored files goes
// through here, whether it comes from ctx.storage (storage.ts) or the HTTP
// routes (server/). It applies queued faults and records the journal, each in
// one place, and it knows nothing of HTTP: routes decode a request into a call
// here and encode what it returns. Its parts are its own: callers get
// operations, never the file store, tokens, journal or faults behind them.
import type { Writable } from "node:stream";
import { CallRecord } from "./call-record.js";
import { errors } from "./errors.js";
import { faultDelay, type FaultAction, type Faults } from "./faults.js";
import type { ByteSource, BytePump, FileStore, StoredFile, WriteInput } from "./file-store.js";
import { parseFileUuid } from "./ids.js";
import type { HttpRoute, Journal, RequestOutcome } from "./journal.js";
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
  readonly #files: FileStore;
  readonly #tokens: UploadTokenBook;
  readonly #journal: Journal;
  readonly #faults: Faults;
  readonly #now: () => number;
  readonly origin: () => string;
  readonly #resetHooks = new Set<() => Promise<void>>();

  constructor(parts: GatewayParts) {
    ({ files: this.#files, tokens: this.#tokens, journal: this.#journal, faults: this.#faults } = parts);
    this.#now = () => parts.now();
    this.origin = () => parts.origin();
  }

  // --- ctx.storage ------------------------------------------------------------

  /**
   * Runs one ctx.storage call: applies a queued fault, then records the call
   * in the journal with its outcome. Not an async function: a call that
   * finishes synchronously (getUrl, getMetadata, most gets) is journaled at
   * once and costs no extra promise turns.
   */
  perform<T>(
    operation: StorageOperation,
    storageId: unknown,
    call: () => Promise<T> | T,
    bytesOf?: (result: T) => number | undefined,
  ): Promise<T> {
    const fault = this.#faults.take(operation);
    const record = new CallRecord(this.#journal, operation, storageId, this.#now(), bytesOf, fault?.error);
    if (fault === undefined) return record.run(call);
    const injected = fault.error;
    return faultDelay(fault).then(() => (injected === undefined ? record.run(call) : record.failed(injected)));
  }

  /** The file a ctx.storage id argument names, or null; throws for an id Convex would refuse. */
  resolve(method: StorageMethod, id: unknown): StoredFile | null {
    if (typeof id !== "string") throw errors.invalidStorageId(method, id);
    // A stored file's own id is valid by construction: decoding it again (base32, checksum) is skipped.
    const stored = this.#files.byStorageId(id);
    if (stored !== null) return stored;
    switch (this.#files.naming.classify(id)) {
      case "storage":
        return null; // a well-formed id the store does not hold (looked up above)
      case "uuid":
        return this.#files.byUuid(id.toLowerCase());
      case "otherTable":
        throw errors.storageIdOfOtherTable(method);
      case "invalid":
        throw errors.invalidStorageId(method, id);
    }
  }

  /** A stored file by storage id or UUID, or null (inspection: never throws). */
  find(id: string): StoredFile | null {
    if (typeof id !== "string") return null;
    return this.#files.byStorageId(id) ?? this.#files.byUuid(id.toLowerCase());
  }

  /** Every stored file, in creation order. */
  list(): StoredFile[] {
    return this.#files.list();
  }

  /** Stores bytes (ctx.storage.store, a seed); the caller journals it where it is a call. */
  write(source: ByteSource, input: WriteInput): Promise<StoredFile> {
    return this.#files.write(source, input);
  }

  /** Stores a fixture (emulator.seed(), the admin seed route): hashed when first read. */
  seed(source: ByteSource, contentType: string | null, handOver = false): Promise<StoredFile> {
    return this.#files.write(source, { contentType, source: "seed", deferSha256: true, handOver });
  }

  /** A copy of a file's bytes (or of its first `upTo`); null once it is no longer stored. */
  read(file: StoredFile, upTo?: number): Uint8Array<ArrayBuffer> | null {
    return this.#files.reader.read(file, upTo);
  }

  /** A file's content as a Blob of its content type (ctx.storage.get). */
  blobOf(file: StoredFile): Blob {
    return this.#files.reader.toBlob(file, file.contentType ?? "");
  }

  fileUrl(file: StoredFile): string {
    return fileUrl(this.origin(), file.uuid);
  }

  /** A fresh upload URL and when it expires. */
  issueUploadUrl(): { uploadUrl: string; expiresAt: number } {
    const { token, expiresAt } = this.#tokens.issue();
    return { uploadUrl: uploadUrl(this.origin(), token), expiresAt };
  }

  /**
   * Forgets every file, upload token, journal entry and queued fault: at once, unless reset hooks
   * are registered (an app's database, see convex-app.ts), which run first, since its documents
   * name the files.
   */
  reset(): Promise<void> {
    // Queued faults go first: the hooks' own storage calls (deleting an app's files) must not take one.
    this.#faults.clear();
    const clear = () => {
      this.#files.clear();
      this.#tokens.clear();
      this.#journal.clear();
      this.#faults.clear();
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
    return this.#files.remove(file.uuid);
  }

  // --- HTTP -------------------------------------------------------------------

  /**
   * Takes the next fault queued for an HTTP route: undefined at once when
   * there is none (the hot path stays synchronous), else the fault once its
   * delay has passed.
   */
  takeHttpFault(route: StorageRoute): Promise<FaultAction> | undefined {
    const fault = this.#faults.take(route);
    return fault === undefined ? undefined : faultDelay(fault).then(() => fault);
  }

  /** An HTTP upload: the token first (Fidelity: checked before any header), then the headers, then the body. */
  async upload(request: UploadRequest): Promise<StoredFile> {
    // A repeated token is as unreadable as a garbled one.
    const check = this.#tokens.verify(request.token === undefined ? "" : request.token);
    if (!check.ok) throw check.error;
    const { contentType, expectedSha256, declaredBytes } = request.headers();
    return this.#files.write(request.body, { contentType, source: "upload", expectedSha256, sizeHint: declaredBytes });
  }

  /** A file's bytes in a reused buffer, for a copy sent at once; `release()` when done with it. */
  lend(file: StoredFile): { bytes: Uint8Array<ArrayBuffer>; release: () => void } {
    return this.#files.reader.lend(file);
  }

  /** Writes bytes `start..end` (inclusive) of a file to `out` and ends it (FileReader.send). */
  send(file: StoredFile, start: number, end: number, out: Writable): void {
    this.#files.reader.send(file, start, end, out);
  }

  /** The file a file URL's path segment names; throws InvalidStoragePath or FileNotFound. */
  openFile(rawId: string): StoredFile {
    const uuid = this.fileUuidOf(rawId);
    const file = this.#files.byUuid(uuid);
    if (file === null) throw errors.fileNotFound(uuid);
    return file;
  }

  /** The UUID a file URL's (still %-encoded) last segment names, canonical; 400 when it names none. */
  fileUuidOf(rawId: string): string {
    let id: string;
    try {
      id = decodeURIComponent(rawId);
    } catch {
      id = rawId;
    }
    const uuid = parseFileUuid(id);
    if (uuid === null) throw errors.invalidStoragePath(id);
    return uuid;
  }

  /** Starts the journal entry of one HTTP request; call the result once with its outcome. */
  startRequest(route: HttpRoute, method: string, path: string): (outcome: RequestOutcome) => void {
    return this.#journal.startRequest(route, method, path, this.#now());
  }
}
