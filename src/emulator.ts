// createStorageEmulator(): wires the file store, clock, ids, tokens and
// journal into one instance. No module state: every emulator is independent.
import type { StorageActionWriter, StorageReader, StorageWriter } from "convex/server";
import type { Express } from "express";
import { errors } from "./errors.js";
import { Faults } from "./faults.js";
import { FileStore, type StoredFile } from "./file-store.js";
import { storeLocation } from "./file-store/location.js";
import { Gateway } from "./gateway.js";
import { HttpActions } from "./http-actions.js";
import { imageInfo, type ImageInfo } from "./image.js";
import { newFileUuid, type StorageId } from "./ids.js";
import { Journal } from "./journal.js";
import {
  DEFAULT_ORIGIN,
  DEFAULT_UPLOAD_IDLE_TIMEOUT_MS,
  DEFAULT_SITE_ORIGIN,
  DEFAULT_UPLOAD_URL_TTL_MS,
  checkCount,
  checkSwitch,
  checkTimerMs,
  checkOrigin,
  type StorageEmulatorOptions,
} from "./options.js";
import { readSeedInput, type SeedInput } from "./seed.js";
import { checkBrowserAccess } from "./server/cross-site.js";
import { createApp, createCloudUpgrade, createServerHandler, createSiteApp } from "./server/app.js";
import { ClientHub } from "./server/clients/hub.js";
import type { ServerHost } from "./server/host.js";
import { listenOn, type ListenOptions, type ListeningServer } from "./server/listen.js";
import { createSiteHandler, fetchSite } from "./server/site.js";
import { restoreSnapshot, takeSnapshot } from "./snapshot.js";
import { createStorageViews } from "./storage.js";
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

  /** @internal What ctx.storage and the server do to files goes through it. */
  readonly gateway: Gateway;
  /** @internal Convex's client protocols; connectConvexTest attaches its function runner. */
  readonly clients: ClientHub;
  readonly #files: FileStore;
  readonly #host: ServerHost;
  #configuredOrigin: string | undefined;
  #server: ListeningServer | undefined;
  #starting = false;
  #app: Express | undefined;
  #siteApp: Express | undefined;

  constructor(options: StorageEmulatorOptions = {}) {
    // Read Date.now at each call, not once: vi.useFakeTimers() replaces Date after the emulator exists.
    const now = options.now ?? (() => Date.now());
    if (typeof now !== "function") throw errors.optionInvalid("now", "expected a function returning milliseconds.");
    this.#configuredOrigin = options.url === undefined ? undefined : checkOrigin(options.url);
    const ttlMs = checkCount("uploadUrlTtlMs", options.uploadUrlTtlMs) ?? DEFAULT_UPLOAD_URL_TTL_MS;
    const files = (this.#files = new FileStore({
      location: storeLocation(options.persist, checkSwitch("persistVerifySha256", options.persistVerifySha256)),
      now,
      newUuid: newFileUuid,
      maxFileBytes: checkCount("maxFileBytes", options.maxFileBytes),
      maxTotalBytes: checkCount("maxTotalBytes", options.maxTotalBytes),
    }));
    this.journal = new Journal();
    this.faults = new Faults();
    const tokens = new UploadTokenBook({ now, ttlMs });
    // A timer: past 2^31 - 1 ms Node would fire it after 1 ms, failing every upload.
    const uploadIdleTimeoutMs =
      checkTimerMs("uploadIdleTimeoutMs", options.uploadIdleTimeoutMs) ?? DEFAULT_UPLOAD_IDLE_TIMEOUT_MS;
    this.gateway = new Gateway({
      files,
      tokens,
      journal: this.journal,
      faults: this.faults,
      now,
      origin: () => this.url,
    });
    ({ storage: this.storage, writer: this.writer, reader: this.reader } = createStorageViews(this.gateway));
    const actions = new HttpActions({
      http: options.http,
      run: options.run,
      identity: options.identity,
      storage: this.storage,
    });
    const browserAccess = checkBrowserAccess(options.adminOrigins, options.allowedHosts);
    // The admin routes see this emulator through their AdminHost interface (server/ never imports this file).
    const admin = options.admin === false ? undefined : this;
    this.clients = new ClientHub({ journal: this.journal, now });
    this.#host = {
      gateway: this.gateway,
      actions,
      admin,
      browserAccess,
      uploadIdleTimeoutMs,
      clients: this.clients,
      siteOrigin: () => this.siteUrl,
    };
  }

  /**
   * The cloud origin (a client's VITE_CONVEX_URL): storage and admin routes; upload and file
   * URLs are built on it. `url` if given, else the listening server's, else the default.
   */
  get url(): string {
    return this.#configuredOrigin ?? this.#server?.url ?? DEFAULT_ORIGIN;
  }

  /** The site origin (a client's VITE_CONVEX_SITE_URL): the HTTP actions. The listening one, else the default. */
  get siteUrl(): string {
    return this.#server?.siteUrl ?? DEFAULT_SITE_ORIGIN;
  }

  // --- HTTP ---------------------------------------------------------------------

  /** The cloud origin as an Express app: Convex's storage protocol plus /_emulator admin routes (supertest-ready). */
  get app(): Express {
    return (this.#app ??= createApp(this.#host));
  }

  /** The site origin as an Express app: every path to the HTTP actions (supertest-ready). */
  get siteApp(): Express {
    return (this.#siteApp ??= createSiteApp(this.#host));
  }

  /**
   * Serves the cloud origin on `port` (default 3210) and the site origin on `sitePort`
   * (default port + 1). `port: 0` picks free ports; URLs then use the real ones unless
   * `url` was given. Resolves once both listen.
   */
  async listen(options: ListenOptions = {}): Promise<ListeningServer> {
    if (this.#server) throw errors.alreadyListening(this.#server.url);
    // A second listen() while the first is still binding must fail too, not bind a second port.
    if (this.#starting) throw errors.alreadyStarting();
    this.#starting = true;
    let server: ListeningServer;
    try {
      server = await listenOn(
        createServerHandler(this.#host),
        createSiteHandler(this.#host),
        options,
        createCloudUpgrade(this.#host),
      );
    } finally {
      this.#starting = false;
    }
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
   * The site origin in process, like convex-test's `t.fetch` or hono's `app.request`: a path
   * (or a site URL) runs the HTTP actions without a socket, `/api/...` included. A URL on the
   * cloud origin (a file URL from getUrl, an upload URL, an admin route) is sent to the
   * listening cloud server instead: the emulator must be listening for those.
   */
  async fetch(input: string | URL, init?: RequestInit): Promise<Response> {
    const url = new URL(String(input), this.siteUrl);
    const cloud = this.url;
    if (url.origin !== new URL(this.siteUrl).origin && (url.href === cloud || url.href.startsWith(`${cloud}/`))) {
      if (!this.#server) throw errors.notListening(url.href);
      return fetch(`${this.#server.url}${url.href.slice(cloud.length)}`, init);
    }
    return fetchSite(this.#host, new Request(url, init));
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
    return this.gateway.list();
  }

  /** A stored file by storage id or UUID, or null. */
  file(id: string): StoredFile | null {
    return this.gateway.find(id);
  }

  /** A stored file's bytes (a copy), or null. */
  bytes(id: string): Uint8Array | null {
    const file = this.file(id);
    return file === null ? null : this.gateway.read(file);
  }

  /** A stored image's `{ format, width, height }` from its header; null for anything else or a missing file. */
  image(id: string): ImageInfo | null {
    const file = this.file(id);
    if (file === null || file.size === 0) return null;
    // The header is enough (image-size reads no more than 512 KiB of a file either): listing
    // files on the admin page must not copy each whole.
    return imageInfo(this.#files.reader.head(file, IMAGE_HEAD_BYTES));
  }

  /** A stored file's content decoded as UTF-8, or null. */
  text(id: string): string | null {
    const bytes = this.bytes(id);
    return bytes === null ? null : new TextDecoder().decode(bytes);
  }

  // --- control ----------------------------------------------------------------

  /** Stores a fixture (a file on disk, or bytes) and returns its storage id. */
  async seed(input: SeedInput): Promise<StorageId> {
    const { bytes, contentType, fresh } = await readSeedInput(input);
    return (await this.gateway.seed(bytes, contentType, fresh)).storageId as StorageId;
  }

  /**
   * Forgets every file, upload token, journal entry and queued fault; a listening server keeps listening.
   * At once, unless an app's database is attached (`--convex`): it is emptied first, and the promise says when.
   */
  reset(): Promise<void> {
    // Subscribed clients then see the files (and the app's documents) gone.
    return this.gateway.reset().then(() => this.clients.noteWrite());
  }

  /** Every file, bytes and metadata, as one binary value for `restore()`. */
  snapshot(): Uint8Array {
    return takeSnapshot(this.#files);
  }

  /** Replaces every file with a snapshot's. On a bad snapshot it throws and changes nothing. */
  restore(snapshot: Uint8Array): void {
    // Only connected naming (convex-test's documents) says which files exist.
    if (this.#files.naming.exists !== undefined) throw errors.convexTestRestore();
    restoreSnapshot(this.#files, snapshot);
  }

  /** @internal The file store itself, for what wires into it (convex-test interop) and white-box tests. */
  get fileStore(): FileStore {
    return this.#files;
  }
}

/** How much of a file `image()` reads: image-size's own limit when it reads a file. */
const IMAGE_HEAD_BYTES = 512 * 1024;

/** Creates an independent storage emulator. */
export function createStorageEmulator(options: StorageEmulatorOptions = {}): StorageEmulator {
  return new StorageEmulator(options);
}

export { DEFAULT_ORIGIN, DEFAULT_SITE_ORIGIN, DEFAULT_UPLOAD_URL_TTL_MS, type SeedInput, type StorageEmulatorOptions };
