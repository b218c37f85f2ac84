// The third room of the cloud origin: Convex's client protocols. The hub holds
// what the HTTP API and every sync socket share: the function runner (set
// while a convex-test instance is connected), the database timestamp clients
// see, the journal of their calls, and the open sessions to refresh after a write.
import { createHash } from "node:crypto";
import type { DatabaseView } from "../../database-view.js";
import { clientMessages } from "../../errors.js";
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

// Bounds of the retried-mutation memory: a client resends only the mutations in flight when it lost
// its socket (its latest ones), so a few per session, for the latest sessions, of small results.
const REMEMBERED_PER_SESSION = 100;
const REMEMBERED_SESSIONS = 1000;
const REMEMBERED_VALUE_BYTES = 64 * 1024;
const MAX_JOURNAL_ARGS_BYTES = 64 * 1024;
const SMALL_RESULT_CHARS = 256;

export class ClientHub {
  #runner: FunctionRunner | undefined;
  #stopWatching: (() => void) | undefined;
  #ts: bigint;
  readonly #journal: Journal;
  readonly #now: () => number;
  readonly #sessions = new Set<RefreshableSession>();
  /** Query results by timestamp (the two latest), shared by every session asking the same (fan-out). */
  readonly #cache = new Map<bigint, Map<string, Promise<FunctionOutcome>>>();
  #refreshQueued = false;
  readonly #completed = new Map<string, Map<number, CompletedMutation>>();
  readonly #digests = new WeakMap<FunctionOutcome, string>();
  /** What one sync client may cost (sync-server.ts); tests lower them. */
  syncLimits: SyncLimits = DEFAULT_SYNC_LIMITS;

  constructor(options: { journal: Journal; now: () => number }) {
    this.#journal = options.journal;
    this.#now = options.now;
    // Fidelity: convex-test and the backend both count timestamps in Unix nanoseconds.
    this.#ts = BigInt(Date.now()) * 1_000_000n;
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
      for (const session of [...this.#sessions]) session.end(1001, clientMessages.functionsDisconnected);
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
  subscribedQuery(
    path: string,
    args: FunctionCall["args"],
    identity: CallerIdentity | null,
    ts: bigint,
    journal: boolean,
  ): Promise<FunctionOutcome> {
    let atTs = this.#cache.get(ts);
    if (atTs === undefined) {
      atTs = new Map();
      this.#cache.set(ts, atTs);
      // A session may still be finishing a refresh at the previous timestamp; older ones are done with.
      for (const old of this.#cache.keys()) if (this.#cache.size > 2 && old !== ts) this.#cache.delete(old);
    }
    const key = `${identity?.tokenIdentifier ?? ""}\u0000${JSON.stringify(identity)}\u0000${path}\u0000${JSON.stringify(args)}`;
    const call: FunctionCall = { kind: "query", path, args, identity };
    const started = performance.now();
    const at = this.#now();
    let run = atTs.get(key);
    if (run === undefined) {
      run = this.#run(call);
      atTs.set(key, run);
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
    if (JSON.stringify(done.value).length > REMEMBERED_VALUE_BYTES) return;
    let session = this.#completed.get(sessionId);
    if (session === undefined) {
      if (this.#completed.size >= REMEMBERED_SESSIONS) this.#completed.delete(this.#completed.keys().next().value!);
      session = new Map();
      this.#completed.set(sessionId, session);
    }
    session.set(requestId, done);
    if (session.size > REMEMBERED_PER_SESSION) session.delete(session.keys().next().value!);
  }

  /**
   * A digest of a query's outcome, to tell a changed result from an unchanged one. Fidelity:
   * crates/sync/src/state.rs complete_fetch keeps a hash of each result, not the result. One per
   * outcome, however many sessions share it.
   */
  digestOf(outcome: FunctionOutcome): string {
    let digest = this.#digests.get(outcome);
    if (digest === undefined) {
      const json = JSON.stringify(outcome);
      // A small result is its own digest: comparing it costs less than hashing it.
      digest = json.length <= SMALL_RESULT_CHARS ? json : createHash("sha256").update(json).digest("base64");
      this.#digests.set(outcome, digest);
    }
    return digest;
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
    if (runner === undefined) return { ok: false, failure: { message: clientMessages.notConnected, frames: [] } };
    try {
      return await runner.run(call);
    } catch (error) {
      // The runner answers a function's own failures; anything else (a module that fails to load) the same way.
      return {
        ok: false,
        failure: {
          message: clientMessages.uncaught(
            error instanceof Error ? error.name : "",
            error instanceof Error ? error.message : String(error),
          ),
          frames: [],
        },
      };
    }
  }

  #record(
    call: FunctionCall,
    client: ClientProtocol,
    outcome: FunctionOutcome,
    started: number,
    at: number,
  ): FunctionOutcome {
    // The journal keeps up to 10k calls: large arguments are noted by size, not kept.
    const argsBytes = JSON.stringify(call.args).length;
    this.#journal.recordFunctionCall({
      type: "function",
      kind: call.kind,
      path: call.path,
      args: argsBytes <= MAX_JOURNAL_ARGS_BYTES ? call.args : `(${argsBytes} bytes of arguments, not kept)`,
      client,
      outcome: outcome.ok ? "ok" : "error",
      ...(outcome.ok ? {} : { errorMessage: outcome.failure.message }),
      at,
      durationMs: performance.now() - started,
    });
    return outcome;
  }
}
