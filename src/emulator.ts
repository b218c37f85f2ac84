// createStorageEmulator(): wires the file store, clock, ids, tokens and
// journal into one instance. No module state: every emulator is independent.
import type { StorageActionWriter, StorageReader, StorageWriter } from "convex/server";
import type { Express } from "express";
import { errors } from "./errors.js";
import { Faults } from "./faults.js";
import { FileStore, type StoredFile } from "./file-store.js";
import { HttpActions } from "./http-actions.js";
import { convexIdScheme, newFileUuid, type IdScheme, type StorageId } from "./ids.js";
import { Journal } from "./journal.js";
import {
  DEFAULT_ORIGIN,
  DEFAULT_UPLOAD_URL_TTL_MS,
  checkCount,
  checkOrigin,
  readSeedInput,
  storageLocation,
  type SeedInput,
  type StorageEmulatorOptions,
} from "./options.js";
import { restoreSnapshot, takeSnapshot } from "./snapshot.js";
import { createApp, createServerHandler } from "./server/app.js";
import { listenOn, type ListenOptions, type ListeningServer } from "./server/listen.js";
import { createStorageViews, type StorageBackend } from "./storage.js";
import { UploadTokenBook } from "./tokens.js";

export class StorageEmulator {
  /** `ctx.storage` of an action or HTTP action: the full surface. */
  readonly storage: StorageActionWriter;
  /** `ctx.storage` of a mutation. */
  readonly writer: StorageWriter;
  /** `ctx.storage` of a query: getUrl and getMetadata. */
  readonly reader: StorageReader;
  /** Every storage call and HTTP request, with its outcome. */
  readonly journal: Journal;
  /** Faults to inject into the next uploads, downloads or ctx.storage calls: `faults.next({ route, … })`. */
  readonly faults: Faults;

  /** @internal The pieces the server and interop layers build on. */
  readonly backend: StorageBackend;
  /** @internal Whether the /_emulator routes are served. */
  readonly adminEnabled: boolean;
  /** @internal The app's HTTP actions, when a router was given. */
  readonly actions: HttpActions | undefined;
  #configuredOrigin: string | undefined;
  #server: ListeningServer | undefined;
  #app: Express | undefined;

  constructor(options: StorageEmulatorOptions = {}) {
    // Read Date.now at each call, not once: vi.useFakeTimers() replaces Date after the emulator exists.
    const now = options.now ?? (() => Date.now());
    if (typeof now !== "function") throw errors.optionInvalid("now", "expected a function returning milliseconds.");
    this.#configuredOrigin = options.url === undefined ? undefined : checkOrigin(options.url);
    this.adminEnabled = options.admin ?? true;
    const ttlMs = checkCount("uploadUrlTtlMs", options.uploadUrlTtlMs) ?? DEFAULT_UPLOAD_URL_TTL_MS;
    const journal = new Journal();
    const files = new FileStore({
      ...storageLocation(options.persist),
      now,
      newStorageId: () => this.backend.ids.newStorageId(),
      newUuid: newFileUuid,
      maxFileBytes: checkCount("maxFileBytes", options.maxFileBytes),
      maxTotalBytes: checkCount("maxTotalBytes", options.maxTotalBytes),
    });
    this.backend = {
      files,
      tokens: new UploadTokenBook({ now, ttlMs }),
      ids: convexIdScheme,
      journal,
      faults: new Faults(),
      now,
      origin: () => this.url,
    };
    this.journal = journal;
    this.faults = this.backend.faults;
    ({ storage: this.storage, writer: this.writer, reader: this.reader } = createStorageViews(this.backend));
    this.actions =
      options.http === undefined ? undefined : new HttpActions(this, { http: options.http, run: options.run, identity: options.identity });
  }

  /** The origin URLs are built on: `url` if given, else the listening server's, else the default. */
  get url(): string {
    return this.#configuredOrigin ?? this.#server?.url ?? DEFAULT_ORIGIN;
  }

  // --- HTTP ---------------------------------------------------------------------

  /** The Express app speaking Convex's storage protocol plus /_emulator admin routes (supertest-ready). */
  get app(): Express {
    return (this.#app ??= createApp(this));
  }

  /**
   * Serves the HTTP surface. `port: 0` picks a free port; URLs then use the
   * real one unless `url` was given. Resolves once listening.
   */
  async listen(options: ListenOptions = {}): Promise<ListeningServer> {
    if (this.#server) throw errors.alreadyListening(this.#server.url);
    const server = await listenOn(createServerHandler(this), options);
    const listening: ListeningServer = {
      ...server,
      close: async () => {
        await server.close();
        if (this.#server === listening) this.#server = undefined;
      },
    };
    this.#server = listening;
    return listening;
  }

  /**
   * Runs a request in process, like convex-test's `t.fetch` or hono's `app.request`: HTTP actions
   * run without a socket. The storage and admin routes stream from a real socket, so for those
   * the emulator must be listening (the request is then sent to it).
   */
  async fetch(input: string | URL, init?: RequestInit): Promise<Response> {
    const url = new URL(String(input), this.url);
    if (url.pathname.startsWith("/api/") || url.pathname === "/_emulator" || url.pathname.startsWith("/_emulator/")) {
      if (!this.#server) throw errors.notListening(url.pathname);
      return fetch(new URL(url.pathname + url.search, this.#server.url), init);
    }
    const request = new Request(url, init);
    const at = this.backend.now();
    const started = performance.now();
    const { response, error } = this.actions
      ? await this.actions.handle(request)
      : { response: Response.json(errors.routeNotFound(request.method, url.pathname).toJSON(), { status: 404 }), error: undefined };
    this.journal.record({
      type: "http",
      route: this.actions ? "action" : "unknown",
      method: request.method,
      path: url.pathname,
      status: response.status,
      bytesIn: 0,
      bytesOut: Number(response.headers.get("content-length") ?? 0),
      ...(error ? { errorCode: error.code, errorMessage: error.message } : {}),
      at,
      durationMs: performance.now() - started,
    });
    return response;
  }

  /** Closes the listening server, if any. */
  async close(): Promise<void> {
    await this.#server?.close();
  }

  /** `await using emulator = createStorageEmulator()` closes the server at the end of the scope. */
  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }

  // --- inspection -------------------------------------------------------------

  /** Every stored file, in creation order. */
  files(): StoredFile[] {
    return this.backend.files.list();
  }

  /** A stored file by storage id or UUID, or null. */
  file(id: string): StoredFile | null {
    if (typeof id !== "string") return null;
    const { files } = this.backend;
    return files.byStorageId(id) ?? files.byUuid(id.toLowerCase());
  }

  /** A stored file's bytes (a copy), or null. */
  bytes(id: string): Uint8Array | null {
    const file = this.file(id);
    return file === null ? null : this.backend.files.read(file.uuid);
  }

  /** A stored file's content decoded as UTF-8, or null. */
  text(id: string): string | null {
    const bytes = this.bytes(id);
    return bytes === null ? null : new TextDecoder().decode(bytes);
  }

  // --- control ----------------------------------------------------------------

  /** Stores a fixture (a file on disk, or bytes) and returns its storage id. */
  async seed(input: SeedInput): Promise<StorageId> {
    const { bytes, contentType } = await readSeedInput(input);
    const file = await this.backend.files.put(bytes, { contentType, source: "seed" });
    return file.storageId as StorageId;
  }

  /** Forgets every file, upload token, journal entry and queued fault. A listening server keeps listening. */
  reset(): void {
    this.backend.files.clear();
    this.backend.tokens.clear();
    this.journal.clear();
    this.faults.clear();
  }

  /** Every file, bytes and metadata, as one binary value for `restore()`. */
  snapshot(): Uint8Array {
    return takeSnapshot(this.backend.files);
  }

  /** Replaces every file with a snapshot's. On a bad snapshot it throws and changes nothing. */
  restore(snapshot: Uint8Array): void {
    restoreSnapshot(this.backend.files, snapshot);
  }
}

/** Creates an independent storage emulator. */
export function createStorageEmulator(options: StorageEmulatorOptions = {}): StorageEmulator {
  return new StorageEmulator(options);
}

export { DEFAULT_ORIGIN, DEFAULT_UPLOAD_URL_TTL_MS, type SeedInput, type StorageEmulatorOptions };
