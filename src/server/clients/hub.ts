// The third room of the cloud origin: Convex's client protocols. The hub holds
// what the HTTP API and every sync socket share: the function runner (set
// while a convex-test instance is connected), the database timestamp clients
// see, the journal of their calls, and the open sessions to refresh after a write.
import type { DatabaseView } from "../../database-view.js";
import type { Journal } from "../../journal.js";
import type { CallerIdentity, FunctionCall, FunctionOutcome, FunctionRunner, JsonValue } from "./runner.js";
import { DEFAULT_SYNC_LIMITS, type SyncLimits } from "./limits.js";

/** Which protocol a call came through. */
export type ClientProtocol = "ws" | "http";

/** A sync session, as the hub refreshes it. */
export interface RefreshableSession {
  /** Something may have changed: re-run the queries, send what changed. */
  refresh(): void;
  /** The functions are gone (disconnected): close the socket with this code and reason. */
  end(code: number, reason: string): void;
}

/** A mutation that committed, as its client was answered: sent again to a client that retries it. */
export interface CompletedMutation {
  readonly value: JsonValue;
  readonly ts: bigint;
}

// Bounds of the retried-mutation memory: per client session, and client sessions.
const REMEMBERED_PER_SESSION = 1000;
const REMEMBERED_SESSIONS = 10_000;

export class ClientHub {
  #runner: FunctionRunner | undefined;
  #stopWatching: (() => void) | undefined;
  #ts: bigint;
  readonly #journal: Journal;
  readonly #now: () => number;
  readonly #sessions = new Set<RefreshableSession>();
  /** Query results at the current timestamp, shared by every session asking the same (fan-out). */
  #cache = new Map<string, Promise<FunctionOutcome>>();
  #cacheTs: bigint;
  #refreshQueued = false;
  readonly #completed = new Map<string, Map<number, CompletedMutation>>();
  /** What one sync client may cost (sync-server.ts); tests lower them. */
  syncLimits: SyncLimits = DEFAULT_SYNC_LIMITS;

  constructor(options: { journal: Journal; now: () => number }) {
    this.#journal = options.journal;
    this.#now = options.now;
    // Fidelity: convex-test and the backend both count timestamps in Unix nanoseconds.
    this.#ts = BigInt(Date.now()) * 1_000_000n;
    this.#cacheTs = this.#ts;
  }

  /** True while a runner is attached: until then the client routes answer 404 as before. */
  get connected(): boolean {
    return this.#runner !== undefined;
  }

  /** Serves the app's functions through `runner`; returns the detach. */
  attach(runner: FunctionRunner): () => void {
    this.#stopWatching?.();
    this.#runner = runner;
    this.#stopWatching = runner.onWrite(() => this.noteWrite());
    this.noteWrite();
    return () => {
      if (this.#runner !== runner) return;
      this.#stopWatching?.();
      this.#runner = undefined;
      this.#stopWatching = undefined;
      for (const session of [...this.#sessions]) session.end(1001, "convex-storage-emulator: functions disconnected");
    };
  }

  /** The app's auth.config.ts providers, when it has one (auth.ts matches tokens to them). */
  get authProviders(): FunctionRunner["authProviders"] {
    return this.#runner?.authProviders;
  }

  /** The connected app's tables and newest documents; `{ connected: false }` without a runner that reads them. */
  async readDatabase(limitPerTable: number): Promise<DatabaseView> {
    const contents = await this.#runner?.readDatabase?.(limitPerTable);
    return contents === undefined ? { connected: false } : { connected: true, ...contents };
  }

  /** The latest timestamp: every write seen so far is at or before it. */
  get ts(): bigint {
    return this.#ts;
  }

  /** Something was (or is being) written: a later timestamp, and every session refreshes. */
  noteWrite(): void {
    const now = BigInt(Date.now()) * 1_000_000n;
    this.#ts = now > this.#ts ? now : this.#ts + 1n;
    if (this.#refreshQueued) return;
    this.#refreshQueued = true;
    // One refresh for the writes of this tick (a mutation's inserts come several to a tick).
    queueMicrotask(() => {
      this.#refreshQueued = false;
      for (const session of this.#sessions) session.refresh();
    });
  }

  /** Runs a function for a client and journals it. */
  async call(call: FunctionCall, client: ClientProtocol): Promise<FunctionOutcome> {
    const started = performance.now();
    const at = this.#now();
    return this.#record(call, client, await this.#run(call), started, at);
  }

  /**
   * A query for a subscription at timestamp `ts`: sessions asking the same query as the same
   * caller at the same timestamp share one run. `journal` records it as a client's call.
   */
  subscribedQuery(path: string, args: FunctionCall["args"], identity: CallerIdentity | null, ts: bigint, journal: boolean): Promise<FunctionOutcome> {
    if (ts !== this.#cacheTs) {
      this.#cache = new Map();
      this.#cacheTs = ts;
    }
    const key = `${identity?.tokenIdentifier ?? ""}\u0000${JSON.stringify(identity)}\u0000${path}\u0000${JSON.stringify(args)}`;
    const call: FunctionCall = { kind: "query", path, args, identity };
    const started = performance.now();
    const at = this.#now();
    let run = this.#cache.get(key);
    if (run === undefined) {
      run = this.#run(call);
      this.#cache.set(key, run);
    }
    return journal ? run.then((outcome) => this.#record(call, "ws", outcome, started, at)) : run;
  }

  /**
   * Fidelity: get-convex/convex-backend crates/sync/src/worker.rs passes the (session id, request id)
   * of each mutation, and the backend answers a retry of a committed one with its first result and
   * timestamp instead of running it again (a client resends its in-flight mutations on reconnect).
   */
  completedMutation(sessionId: string, requestId: number): CompletedMutation | undefined {
    return this.#completed.get(sessionId)?.get(requestId);
  }

  rememberMutation(sessionId: string, requestId: number, done: CompletedMutation): void {
    let session = this.#completed.get(sessionId);
    if (session === undefined) {
      if (this.#completed.size >= REMEMBERED_SESSIONS) this.#completed.delete(this.#completed.keys().next().value!);
      session = new Map();
      this.#completed.set(sessionId, session);
    }
    session.set(requestId, done);
    if (session.size > REMEMBERED_PER_SESSION) session.delete(session.keys().next().value!);
  }

  addSession(session: RefreshableSession): void {
    this.#sessions.add(session);
  }

  removeSession(session: RefreshableSession): void {
    this.#sessions.delete(session);
  }

  get sessionCount(): number {
    return this.#sessions.size;
  }

  async #run(call: FunctionCall): Promise<FunctionOutcome> {
    const runner = this.#runner;
    if (runner === undefined) return { ok: false, failure: { message: "convex-storage-emulator: no convex-test instance is connected", frames: [] } };
    return runner.run(call);
  }

  #record(call: FunctionCall, client: ClientProtocol, outcome: FunctionOutcome, started: number, at: number): FunctionOutcome {
    this.#journal.recordFunctionCall({
      type: "function",
      kind: call.kind,
      path: call.path,
      args: call.args,
      client,
      outcome: outcome.ok ? "ok" : "error",
      ...(outcome.ok ? {} : { errorMessage: outcome.failure.message }),
      at,
      durationMs: performance.now() - started,
    });
    return outcome;
  }
}
