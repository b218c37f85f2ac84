// createStorageEmulator(): wires the file store, clock, ids, tokens and
// journal into one instance. No module state: every emulator is independent.
import * as nodeFs from "node:fs";
import { readFile } from "node:fs/promises";
import { resolve as resolvePath } from "node:path";
import type { HttpRouter, StorageActionWriter, StorageReader, StorageWriter, UserIdentity } from "convex/server";
import type { Express } from "express";
import { Volume } from "memfs";
import { contentTypeForPath } from "./content-types.js";
import { errors } from "./errors.js";
import { Faults } from "./faults.js";
import { FileStore, type BlobFs, type StoredFile } from "./file-store.js";
import { HttpActions, type RunFunctions } from "./http-actions.js";
import { convexIdScheme, newFileUuid, type IdScheme, type StorageId } from "./ids.js";
import { Journal } from "./journal.js";
import { restoreSnapshot, takeSnapshot } from "./snapshot.js";
import { createApp, createServerHandler } from "./server/app.js";
import { listenOn, type ListenOptions, type ListeningServer } from "./server/listen.js";
import { createStorageViews, type StorageBackend } from "./storage.js";
import { UploadTokenBook } from "./tokens.js";

export interface StorageEmulatorOptions {
  /** Origin used in URLs. Default: the listening server's, else "http://127.0.0.1:3210". */
  url?: string;
  /** Clock in ms (default Date.now); drives `_creationTime` and upload-token expiry. */
  now?: () => number;
  /** How long an upload URL stays valid. Default 3_600_000 (one hour, like Convex). */
  uploadUrlTtlMs?: number;
  /** Largest file accepted, in bytes. Over it: 413 / FileTooLarge, nothing stored. Default unlimited. */
  maxFileBytes?: number;
  /** Memory budget for all files, in bytes. Over it: 507 / StorageFull, nothing stored. Default unlimited. */
  maxTotalBytes?: number;
  /** Keep files in this directory instead of memory, so a restart finds them again. */
  persist?: string;
  /** Serve the /_emulator admin routes and page. Default true. */
  admin?: boolean;
  /** The app's HTTP router (the default export of convex/http.ts), served on every path but /api and /_emulator. */
  http?: HttpRouter;
  /** Where HTTP actions' ctx.runQuery / runMutation / runAction go, e.g. `{ query: t.query, mutation: t.mutation, action: t.action }`. */
  run?: RunFunctions;
  /** What HTTP actions' ctx.auth.getUserIdentity() returns. Default null. */
  identity?: UserIdentity | null;
}

/** What `seed()` accepts: a file on disk, or bytes. */
export type SeedInput =
  | { path: string; contentType?: string | null }
  | { bytes: Uint8Array | ArrayBuffer | string; contentType?: string | null };

export const DEFAULT_ORIGIN = "http://127.0.0.1:3210";
export const DEFAULT_UPLOAD_URL_TTL_MS = 3_600_000;

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
    if (typeof input !== "object" || input === null) {
      throw errors.seedInvalid("expected { path } or { bytes, contentType? }.");
    }
    let bytes: Uint8Array;
    let contentType: string | null;
    if ("path" in input && typeof input.path === "string") {
      try {
        bytes = await readFile(input.path);
      } catch (error) {
        throw errors.seedInvalid(`cannot read "${input.path}": ${(error as NodeJS.ErrnoException).code ?? String(error)}.`);
      }
      contentType = input.contentType === undefined ? contentTypeForPath(input.path) : input.contentType;
    } else if ("bytes" in input) {
      const raw = input.bytes;
      if (typeof raw === "string") bytes = new TextEncoder().encode(raw);
      else if (raw instanceof Uint8Array) bytes = raw;
      else if (raw instanceof ArrayBuffer) bytes = new Uint8Array(raw);
      else throw errors.seedInvalid("`bytes` must be a Uint8Array, an ArrayBuffer or a string.");
      contentType = input.contentType ?? null;
    } else {
      throw errors.seedInvalid("expected { path } or { bytes, contentType? }.");
    }
    if (contentType !== null && typeof contentType !== "string") {
      throw errors.seedInvalid("`contentType` must be a string or null.");
    }
    const file = await this.backend.files.put(bytes, { contentType: contentType?.toLowerCase() ?? null, source: "seed" });
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

// memfs asks process.getuid()/getgid() (system calls) on every open for its
// permission checks; a blob volume has one user, so answer them from here.
const VOLUME_PROCESS = { cwd: () => "/", platform: "linux", getuid: () => 0, getgid: () => 0, env: {}, emitWarning: () => {} };

function newMemoryVolume(): BlobFs {
  return Volume.fromJSON({}, "/", { process: VOLUME_PROCESS as never }) as unknown as BlobFs;
}

function storageLocation(persist: string | undefined): { fs: BlobFs; freshFs?: () => BlobFs; root: string; durable: boolean } {
  if (persist === undefined) return { fs: newMemoryVolume(), freshFs: newMemoryVolume, root: "/store", durable: false };
  if (typeof persist !== "string" || persist.length === 0) {
    throw errors.optionInvalid("persist", "expected a directory path.");
  }
  return { fs: nodeFs as unknown as BlobFs, root: resolvePath(persist), durable: true };
}

function checkOrigin(url: unknown): string {
  let parsed: URL;
  try {
    parsed = new URL(String(url));
  } catch {
    throw errors.optionInvalid("url", `"${String(url)}" is not a URL; expected an origin like http://127.0.0.1:3210.`);
  }
  if (parsed.protocol !== "http:" && parsed.protocol !== "https:") {
    throw errors.optionInvalid("url", `"${String(url)}" must use http or https.`);
  }
  // A path prefix is kept (a proxy may mount the emulator under one); a trailing slash is not.
  return `${parsed.origin}${parsed.pathname.replace(/\/+$/, "")}`;
}

function checkCount(name: string, value: unknown): number | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== "number" || !Number.isSafeInteger(value) || value < 0) {
    throw errors.optionInvalid(name, `expected a whole number of at least 0, got ${String(value)}.`);
  }
  return value;
}
