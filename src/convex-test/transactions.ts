// Storage effects inside convex-test transactions: committed or rolled back
// with the mutation that made them, like Convex's.
//
// convex-test (0.0.70+) stages a mutation's `_storage` documents and files and
// commits or rolls them back with it (dist/index.js runMutationWithHandler,
// DatabaseFake.commit/rollbackWrites), but exposes no commit hook. So the
// committed `_storage` document is the source of truth: a file stored inside a
// transaction is hidden from everyone outside it until its document is seen
// committed, and a file deleted inside one keeps its bytes (and stays visible
// outside) until its document's removal is seen committed. `settle()` looks:
// when no transaction is running it reads the documents at once (committed
// state only); else in a `t.run` of its own, which convex-test starts after the
// running one ends. A t.run or t.mutation is one top-level transaction, so what
// it did settles when it returns; elsewhere (an action's mutations) at once.
// Such a call that starts no other transaction (no nested mutation, nothing
// scheduled) needs no look at all: it committed everything it did if it
// returned, nothing if it threw, and every storage call in it ran inside it.
import { AsyncLocalStorage } from "node:async_hooks";

export interface TransactionsOptions {
  /** True when the caller runs inside a convex-test transaction. */
  inTransaction(): boolean;
  /** Which of these storage ids have a committed `_storage` document. */
  committed(storageIds: string[]): Promise<string[]>;
  /** Drops a file whose document never committed, or whose removal did. */
  discard(storageId: string): void;
}

/** One call that is a single top-level transaction (t.run, t.mutation), while it runs. */
interface WholeCall {
  open: boolean;
  /** It may have started other transactions (a nested mutation, a scheduled function): settle by looking. */
  unsure: boolean;
  /** Made on its first effect: most calls have none or one kind. */
  stores?: Set<string>;
  deletes?: Set<string>;
}

export class PendingStorage {
  readonly #o: TransactionsOptions;
  readonly #stores = new Set<string>();
  readonly #deletes = new Set<string>();
  #settling: Promise<void> = Promise.resolve();
  #failure: unknown;
  /** Runs a function outside any convex-test context (captured when connecting). */
  readonly #outside = AsyncLocalStorage.snapshot();
  /** Set while a call that is one top-level transaction (t.run, t.mutation) runs. */
  readonly #wholeCall = new AsyncLocalStorage<WholeCall>();

  constructor(options: TransactionsOptions) {
    this.#o = options;
  }

  /** A file was stored (document inserted) inside a transaction. */
  stored(storageId: string): void {
    this.#stores.add(storageId);
    this.#track("stores", storageId);
  }

  /** A file's document was removed inside a transaction. */
  deleted(storageId: string): void {
    this.#deletes.add(storageId);
    this.#track("deletes", storageId);
  }

  /** The caller may start other transactions (a nested mutation, a scheduled function). */
  nested(): void {
    const call = this.#wholeCall.getStore();
    if (call !== undefined) call.unsure = true;
  }

  /** True when the caller is inside a transaction: known without asking convex-test inside a sure whole call. */
  inTransaction(): boolean {
    return this.#sureCall() !== undefined || this.#o.inTransaction();
  }

  /** Whether a file exists for the caller: a pending store only inside, a pending delete only outside. */
  exists(storageId: string): boolean {
    const deleted = this.#deletes.has(storageId);
    if (!deleted && !this.#stores.has(storageId)) return true;
    return this.inTransaction() !== deleted;
  }

  /**
   * Runs a call that is a single top-level transaction: its effects can only commit when it
   * ends, so they settle then, at once when it started no other transaction, else in one look,
   * instead of each in a transaction queued behind it.
   */
  async settleAtEnd<T>(call: () => Promise<T>): Promise<T> {
    const scope: WholeCall = { open: true, unsure: false };
    let committed = false;
    try {
      const result = await this.#wholeCall.run(scope, call);
      committed = true;
      return result;
    } finally {
      scope.open = false;
      if (!scope.unsure) this.#settleKnown(scope, committed);
      if (this.#stores.size + this.#deletes.size > 0 || this.#failure !== undefined) await this.settled();
    }
  }

  /** Resolves once every effect made so far is settled; rejects if settling failed. */
  async settled(): Promise<void> {
    if (this.#stores.size + this.#deletes.size > 0) this.#chain();
    await this.#settling;
    const failure = this.#failure;
    this.#failure = undefined;
    if (failure !== undefined) throw failure;
  }

  #sureCall(): WholeCall | undefined {
    const call = this.#wholeCall.getStore();
    return call?.open === true && !call.unsure ? call : undefined;
  }

  #track(kind: "stores" | "deletes", storageId: string): void {
    // Inside t.run / t.mutation the call's end settles (settleAtEnd). Elsewhere (an action's
    // mutation, a scheduled function) the effect may commit before the call ends: settle now.
    // (A function scheduled from such a call inherits its scope; `open` ends with the call.)
    const call = this.#wholeCall.getStore();
    if (call?.open === true) (call[kind] ??= new Set()).add(storageId);
    else this.#chain();
  }

  /** A sure whole call's documents: after a commit, those it stored and did not delete; else those it did not store. */
  #settleKnown(call: WholeCall, committed: boolean): void {
    for (const id of call.stores ?? []) this.#settleOne(id, !committed || call.deletes?.has(id) === true);
    for (const id of call.deletes ?? []) if (call.stores?.has(id) !== true) this.#settleOne(id, committed);
  }

  #settleOne(storageId: string, gone: boolean): void {
    this.#stores.delete(storageId);
    this.#deletes.delete(storageId);
    if (gone) this.#o.discard(storageId);
  }

  #chain(): void {
    // A failure is kept for the next settled() (the chain itself must go on).
    this.#settling = this.#settling
      .then(() => this.#outside(() => this.#settle()))
      .catch((error: unknown) => {
        this.#failure ??= error;
      });
  }

  async #settle(): Promise<void> {
    const ids = [...new Set([...this.#stores, ...this.#deletes])];
    if (ids.length === 0) return;
    const committed = new Set(await this.#o.committed(ids));
    for (const id of ids) this.#settleOne(id, !committed.has(id));
  }
}

const SETTLING_METHODS = [
  "mutation",
  "action",
  "run",
  "fetch",
  "finishInProgressScheduledFunctions",
  "finishAllScheduledFunctions",
];
const ACCESSOR_METHODS = ["withIdentity", "withRequestMetadata"];

/** Calls that are one top-level transaction each (convex-test's run is a mutation handler). */
const WHOLE_TRANSACTION_METHODS = new Set(["mutation", "run"]);

/** Wraps `t`'s methods so a call returns once the storage effects it made are settled; returns the undo. */
export function settleAfterCalls(t: Record<string, unknown>, pending: PendingStorage): () => void {
  const originals = new Map<string, unknown>();
  for (const name of SETTLING_METHODS) {
    const fn = t[name];
    if (typeof fn !== "function") continue;
    originals.set(name, fn);
    const call = (args: unknown[]) => () => (fn as (...a: unknown[]) => Promise<unknown>).apply(t, args);
    t[name] = WHOLE_TRANSACTION_METHODS.has(name)
      ? async (...args: unknown[]) => pending.settleAtEnd(call(args))
      : async (...args: unknown[]) => {
          try {
            return await call(args)();
          } finally {
            await pending.settled();
          }
        };
  }
  for (const name of ACCESSOR_METHODS) {
    const fn = t[name];
    if (typeof fn !== "function") continue;
    originals.set(name, fn);
    t[name] = (...args: unknown[]) => {
      const accessor = (fn as (...a: unknown[]) => Record<string, unknown>).apply(t, args);
      settleAfterCalls(accessor, pending);
      return accessor;
    };
  }
  return () => {
    for (const [name, fn] of originals) t[name] = fn;
  };
}
