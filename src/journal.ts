// The journal: what happened to an emulator, for assertions and debugging.
// Every ctx.storage call and every HTTP request is recorded with its outcome.
import type { ErrorCode } from "./errors.js";
import type { StorageOperation } from "./paths.js";

export type { StorageOperation };

/** One ctx.storage call. `outcome` is "null" when the call found no file. */
export interface StorageCallEntry {
  readonly type: "storage";
  readonly operation: StorageOperation;
  /** The storage id argument, or the id a `store` returned. */
  readonly storageId?: string;
  readonly outcome: "ok" | "null" | "error";
  readonly errorCode?: ErrorCode;
  /** Bytes stored or read, where the call moved bytes. */
  readonly bytes?: number;
  /** Clock time (the emulator's `now`) when the call started. */
  readonly at: number;
  readonly durationMs: number;
}

/** The parts of the HTTP surface a request can be answered by. */
export const HTTP_ROUTES = ["upload", "serve", "cors", "admin", "action", "function", "unknown"] as const;
/** What part of the HTTP surface answered a request ("function": the HTTP API of Convex's clients). */
export type HttpRoute = (typeof HTTP_ROUTES)[number];

/** One HTTP request answered by the emulator's server. */
export interface HttpRequestEntry {
  readonly type: "http";
  readonly route: HttpRoute;
  readonly method: string;
  readonly path: string;
  readonly status: number;
  readonly bytesIn: number;
  readonly bytesOut: number;
  readonly errorCode?: ErrorCode;
  /** The error's message, when the request failed with one. */
  readonly errorMessage?: string;
  readonly storageId?: string;
  readonly at: number;
  readonly durationMs: number;
}

export type JournalEntry = StorageCallEntry | HttpRequestEntry;

/**
 * One call of an app's function by a client (ConvexClient over the sync WebSocket,
 * ConvexHttpClient over the HTTP API). Kept beside the entries, not among them, so code
 * that tells a storage call from a request by `type` stays as it is.
 */
export interface FunctionCallEntry {
  readonly type: "function";
  /** "any" for `POST /api/run/...`, which runs a function of any kind. */
  readonly kind: "query" | "mutation" | "action" | "any";
  /** As the client named it, e.g. "messages:sendImage". */
  readonly path: string;
  /** The argument object in Convex's JSON encoding (`convexToJson`); past 64 KiB, a note of its size. */
  readonly args: unknown;
  /** "ws": the sync WebSocket (a subscription's first run, a mutation, an action); "http": the HTTP API. */
  readonly client: "ws" | "http";
  readonly outcome: "ok" | "error";
  /** The failure's first line, e.g. "Uncaught Error: boom". */
  readonly errorMessage?: string;
  readonly at: number;
  readonly durationMs: number;
}

/** Which entries to list; every condition given must hold. */
export interface JournalFilter {
  type?: JournalEntry["type"];
  /** HTTP requests answered by this route. */
  route?: HttpRoute;
  /** ctx.storage calls of this operation. */
  operation?: StorageOperation;
}

export function matchesFilter(entry: JournalEntry, { type, route, operation }: JournalFilter): boolean {
  if (type !== undefined && entry.type !== type) return false;
  if (route !== undefined && (entry.type !== "http" || entry.route !== route)) return false;
  return operation === undefined || (entry.type === "storage" && entry.operation === operation);
}

/**
 * How an HTTP exchange ended: what its handler noted on the way (server/http-util.ts
 * requestNotes) or what an HTTP action settled with, and the status it ended with.
 */
export interface RequestOutcome {
  /** 0 when the exchange did not complete (client abort, cut connection). */
  status: number;
  bytesIn?: number | undefined;
  bytesOut?: number | undefined;
  errorCode?: ErrorCode | undefined;
  errorMessage?: string | undefined;
  storageId?: string | undefined;
  /** The client went away, or the transfer was cut, before the exchange completed. */
  aborted?: boolean | undefined;
}

/** Entries are kept up to `limit` (oldest dropped first) so a long-running server stays bounded. */
export class Journal {
  #entries: JournalEntry[] = [];
  #calls: FunctionCallEntry[] = [];
  readonly #limit: number;
  readonly #listeners = new Set<(entry: JournalEntry) => void>();
  readonly #callListeners = new Set<(call: FunctionCallEntry) => void>();

  constructor(limit = 10_000) {
    this.#limit = limit;
  }

  record(entry: JournalEntry): void {
    if (this.#listeners.size > 0) for (const listener of this.#listeners) listener(entry);
    this.#entries.push(entry);
    // Trim in batches (down to the limit once it is exceeded by half), so that
    // recording stays O(1) amortized instead of shifting every entry each time.
    if (this.#entries.length > this.#limit * 1.5) this.#entries.splice(0, this.#entries.length - this.#limit);
  }

  /** Records a client's function call (server/clients/hub.ts), under the same limit as the entries. */
  recordFunctionCall(entry: FunctionCallEntry): void {
    for (const listener of this.#callListeners) listener(entry);
    this.#calls.push(entry);
    if (this.#calls.length > this.#limit * 1.5) this.#calls.splice(0, this.#calls.length - this.#limit);
  }

  /** The client function calls, oldest first, optionally of one path ("messages:sendImage"). */
  functionCalls(path?: string): FunctionCallEntry[] {
    const excess = this.#calls.length - this.#limit;
    const calls = excess > 0 ? this.#calls.slice(excess) : this.#calls;
    return calls.filter((e) => path === undefined || e.path === path);
  }

  /**
   * Starts timing one HTTP request (`at`: the emulator's clock now); the
   * returned function records it once with its outcome. The one place HTTP
   * entries are built, for the server and `emulator.fetch()` alike.
   */
  startRequest(route: HttpRoute, method: string, path: string, at: number): (outcome: RequestOutcome) => void {
    const started = performance.now();
    return (outcome) => {
      const { status, bytesIn = 0, bytesOut = 0, errorCode, errorMessage, storageId } = outcome;
      const durationMs = performance.now() - started;
      // The answers without an error get literals of their own, not spreads: one per request.
      if (errorCode === undefined && errorMessage === undefined) {
        if (storageId === undefined)
          this.record({ type: "http", route, method, path, status, bytesIn, bytesOut, at, durationMs });
        else this.record({ type: "http", route, method, path, status, bytesIn, bytesOut, storageId, at, durationMs });
        return;
      }
      this.record({
        type: "http",
        route,
        method,
        path,
        status,
        bytesIn,
        bytesOut,
        ...(errorCode === undefined ? {} : { errorCode }),
        ...(errorMessage === undefined ? {} : { errorMessage }),
        ...(storageId === undefined ? {} : { storageId }),
        at,
        durationMs,
      });
    };
  }

  /** Every entry, oldest first (the newest `limit` of them). */
  get entries(): readonly JournalEntry[] {
    const excess = this.#entries.length - this.#limit;
    return excess > 0 ? this.#entries.slice(excess) : this.#entries.slice();
  }

  /** The ctx.storage calls, optionally of one operation. */
  storageCalls(operation?: StorageOperation): StorageCallEntry[] {
    return this.entries.filter(
      (e): e is StorageCallEntry => e.type === "storage" && (operation === undefined || e.operation === operation),
    );
  }

  /** The HTTP requests, optionally of one route. */
  httpRequests(route?: HttpRoute): HttpRequestEntry[] {
    return this.entries.filter(
      (e): e is HttpRequestEntry => e.type === "http" && (route === undefined || e.route === route),
    );
  }

  /** The entries `predicate` accepts, oldest first (narrowed when it is a type guard). */
  filter<E extends JournalEntry>(predicate: (entry: JournalEntry) => entry is E): E[];
  filter(predicate: (entry: JournalEntry) => boolean): JournalEntry[];
  filter(predicate: (entry: JournalEntry) => boolean): JournalEntry[] {
    return this.entries.filter(predicate);
  }

  /**
   * What went wrong: calls that threw, and requests answered 400 or more or cut off (status 0).
   * An injected fault has errorCode "InjectedFault".
   */
  failures(): JournalEntry[] {
    return this.entries.filter((e) =>
      e.type === "storage" ? e.outcome === "error" : e.status === 0 || e.status >= 400,
    );
  }

  /** Calls `listener` with each new entry; returns the unsubscribe function. */
  subscribe(listener: (entry: JournalEntry) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** Calls `listener` with each client function call as it is recorded; returns the unsubscribe function. */
  subscribeFunctionCalls(listener: (call: FunctionCallEntry) => void): () => void {
    this.#callListeners.add(listener);
    return () => this.#callListeners.delete(listener);
  }

  clear(): void {
    this.#entries = [];
    this.#calls = [];
  }
}
