// connectStorageEmulator(url): the inspection and control API of an emulator
// running in another process (the CLI, a vitest globalSetup, Playwright's
// webServer), over its /_emulator admin routes. Same names and shapes as
// in process, made async; errors are the emulator's own, rebuilt.
import type { DatabaseView } from "./database-view.js";
import { errors, isStorageEmulatorError } from "./errors.js";
import type { FaultSpec, PendingFault } from "./faults.js";
import type { StoredFile } from "./file-store.js";
import type { StorageId } from "./ids.js";
import type { ImageInfo } from "./image.js";
import type {
  FunctionCallEntry,
  HttpRequestEntry,
  HttpRoute,
  JournalEntry,
  JournalFilter,
  StorageCallEntry,
  StorageOperation,
} from "./journal.js";
import { checkOrigin, checkTimerMs } from "./options.js";
import { ADMIN_ROUTES } from "./paths.js";
import { AdminClient } from "./remote/admin-client.js";
import { SHAPES, type AdminFile } from "./remote/shapes.js";
import { readSeedInput, type SeedInput } from "./seed.js";

/** The environment variable naming a running emulator's URL, read by the test fixtures (vitest without globalSetup, Playwright). */
export const STORAGE_EMULATOR_URL_ENV = "CONVEX_STORAGE_EMULATOR_URL";

/** A fault for a remote emulator: as `FaultSpec`, with `error` as a message (an Error cannot cross the wire). */
export type RemoteFaultSpec = Omit<FaultSpec, "error"> & { error?: string };

/** `remote.journal`: the emulator's journal, read over HTTP. The handle's own admin requests are left out. */
export class RemoteJournal {
  readonly #client: AdminClient;

  /** @internal */
  constructor(client: AdminClient) {
    this.#client = client;
  }

  /** The entries, oldest first; `filter` narrows them by type, HTTP route or ctx.storage operation. */
  async entries(filter: JournalFilter = {}): Promise<JournalEntry[]> {
    const query = new URLSearchParams(
      Object.entries(filter).filter((pair): pair is [string, string] => pair[1] !== undefined),
    );
    const search = query.size === 0 ? "" : `?${query}`;
    return (await this.#client.json(`${ADMIN_ROUTES.journal}${search}`, SHAPES.entries)).entries;
  }

  /** The ctx.storage calls, optionally of one operation. */
  storageCalls(operation?: StorageOperation): Promise<StorageCallEntry[]> {
    return this.entries({ type: "storage", operation }) as Promise<StorageCallEntry[]>;
  }

  /** The HTTP requests, optionally of one route. */
  httpRequests(route?: HttpRoute): Promise<HttpRequestEntry[]> {
    return this.entries({ type: "http", route }) as Promise<HttpRequestEntry[]>;
  }

  /** The app's functions called by Convex's clients, optionally of one path ("messages:sendImage"). */
  async functionCalls(path?: string): Promise<FunctionCallEntry[]> {
    const search = path === undefined ? "" : `?${new URLSearchParams({ path })}`;
    return (await this.#client.json(`${ADMIN_ROUTES.functionCalls}${search}`, SHAPES.calls)).calls;
  }

  async clear(): Promise<void> {
    await this.#client.json(ADMIN_ROUTES.journal, SHAPES.ok, { method: "DELETE" });
  }
}

/** `remote.faults`: the emulator's fault queue, over HTTP. */
export class RemoteFaults {
  readonly #client: AdminClient;

  /** @internal */
  constructor(client: AdminClient) {
    this.#client = client;
  }

  /** Queues a fault for the next `times` (default 1) requests or calls of `route`. */
  async next(spec: RemoteFaultSpec): Promise<void> {
    if ((spec as FaultSpec | null)?.error instanceof Error) throw errors.faultErrorNotString();
    await this.#client.json(ADMIN_ROUTES.faults, SHAPES.pending, { method: "POST", json: spec });
  }

  /** The faults not used up yet, oldest first (an `error` queued in process as an Error shows its message). */
  async pending(): Promise<PendingFault[]> {
    return (await this.#client.json(ADMIN_ROUTES.faults, SHAPES.pending)).pending;
  }

  async clear(): Promise<void> {
    await this.#client.json(ADMIN_ROUTES.faults, SHAPES.ok, { method: "DELETE" });
  }
}

/** An emulator in another process, seen through its admin routes. From `connectStorageEmulator(url)`. */
export class RemoteStorageEmulator {
  /** The emulator's origin, e.g. "http://127.0.0.1:3210". */
  readonly url: string;
  readonly journal: RemoteJournal;
  readonly faults: RemoteFaults;
  readonly #client: AdminClient;

  /** @internal Use connectStorageEmulator(url). */
  constructor(url: string, options: RemoteOptions = {}) {
    this.url = checkOrigin(url);
    const timeoutMs = checkTimerMs("timeoutMs", options.timeoutMs, 1) ?? DEFAULT_REMOTE_TIMEOUT_MS;
    this.#client = new AdminClient(this.url, timeoutMs);
    this.journal = new RemoteJournal(this.#client);
    this.faults = new RemoteFaults(this.#client);
  }

  /** Every stored file, in creation order. */
  async files(): Promise<StoredFile[]> {
    const { files } = await this.#client.json(ADMIN_ROUTES.files, SHAPES.files);
    return files.map(storedFile);
  }

  /** A stored file by storage id or UUID, or null. */
  async file(id: string): Promise<StoredFile | null> {
    if (!isId(id)) return null;
    const found = await orNull(this.#client.json(filePath(id), SHAPES.file));
    return found === null ? null : storedFile(found);
  }

  /** A stored file's bytes, or null. */
  async bytes(id: string): Promise<Uint8Array | null> {
    if (!isId(id)) return null;
    return orNull(this.#client.bytes(`${filePath(id)}/bytes`));
  }

  /** A stored image's `{ format, width, height }`, read from its header by the emulator; null for anything else or a missing file. */
  async image(id: string): Promise<ImageInfo | null> {
    if (!isId(id)) return null;
    const found = await orNull(this.#client.json(filePath(id), SHAPES.file));
    return found?.image ?? null;
  }

  /** A stored file's content decoded as UTF-8, or null. */
  async text(id: string): Promise<string | null> {
    const bytes = await this.bytes(id);
    return bytes === null ? null : new TextDecoder().decode(bytes);
  }

  /** Stores a fixture (a file on this machine, or bytes) and returns its storage id. */
  async seed(input: SeedInput): Promise<StorageId> {
    const { bytes, contentType } = await readSeedInput(input);
    const headers: Record<string, string> = contentType === null ? {} : { "Content-Type": contentType };
    const { storageId } = await this.#client.json(ADMIN_ROUTES.seed, SHAPES.storageId, {
      method: "POST",
      bytes,
      headers,
    });
    return storageId as StorageId;
  }

  /** Forgets every file, upload token, journal entry and queued fault; with --convex, the app's tables first. */
  async reset(): Promise<void> {
    await this.#client.json(ADMIN_ROUTES.reset, SHAPES.ok, { method: "POST" });
  }

  /** The emulator's site origin (HTTP actions; a client's VITE_CONVEX_SITE_URL), as it reports it. */
  async siteUrl(): Promise<string> {
    return (await this.#client.json(ADMIN_ROUTES.health, SHAPES.siteUrl)).siteUrl;
  }

  /** The connected app's tables, each with its count and newest 100 documents; `{ connected: false }` without an app. */
  async database(): Promise<DatabaseView> {
    return this.#client.json(ADMIN_ROUTES.database, SHAPES.database);
  }

  /** A fresh upload URL, as `ctx.storage.generateUploadUrl()` gives. */
  async generateUploadUrl(): Promise<string> {
    return (await this.#client.json(ADMIN_ROUTES.uploadUrl, SHAPES.uploadUrl, { method: "POST" })).uploadUrl;
  }
}

/** How long one call may take, answer included, before it fails with RemoteTimeout. */
const DEFAULT_REMOTE_TIMEOUT_MS = 30_000;

export interface RemoteOptions {
  /**
   * The most one call may take, its whole answer included, in ms; past it the call rejects
   * with `RemoteTimeout` naming the URL. Default 30_000.
   */
  timeoutMs?: number;
}

/**
 * A handle on the emulator listening at `url` (the CLI's "ready on" URL): files, bytes,
 * journal, faults, seed and reset, async. Nothing is sent until a method is called. Every
 * answer is checked (status, the emulator's header, content type, shape) within `timeoutMs`.
 */
export function connectStorageEmulator(url: string, options: RemoteOptions = {}): RemoteStorageEmulator {
  return new RemoteStorageEmulator(url, options);
}

/** "" would name the file list, not a file: no stored file has it (nor a non-string id). */
function isId(id: unknown): id is string {
  return typeof id === "string" && id !== "";
}

function filePath(id: string): string {
  return `${ADMIN_ROUTES.files}/${encodeURIComponent(id)}`;
}

function storedFile({ url: _url, image: _image, ...file }: AdminFile): StoredFile {
  return file;
}

/** null for the admin routes' 404 on an unknown id. */
async function orNull<T>(request: Promise<T>): Promise<T | null> {
  try {
    return await request;
  } catch (error) {
    if (isStorageEmulatorError(error) && error.code === "NotFound" && error.status === 404) return null;
    throw error;
  }
}
