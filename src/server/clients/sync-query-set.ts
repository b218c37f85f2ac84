// A sync session's query set, as received and as last sent, and the Transitions between them: the
// subscribed queries and their last results, the version last sent, the transition a mutation is owed.
import type { ClientHub } from "./hub.js";
import { versionJson, type ClientMessage, type StateModification, type StateVersion } from "./protocol.js";
import type { CallerIdentity, JsonValue } from "./runner.js";
import { argsOf, modificationOf } from "./sync-replies.js";

interface SubscribedQuery {
  readonly path: string;
  readonly args: JsonValue;
  /** A digest of the last result sent (request ids left out); undefined before the first. */
  sent?: string;
}

/** The queries a session re-runs and the Transitions it sends (worker.rs begin/finish_update_queries). */
export class QuerySet {
  readonly #hub: ClientHub;
  readonly #send: (message: Record<string, unknown>) => void;
  readonly #queries = new Map<number, SubscribedQuery>();
  #pending: ClientMessage[] = [];
  #received = 0;
  #sent: StateVersion = { querySet: 0, identity: 0, ts: 0n };
  /** A mutation was answered: a transition is owed (a failure's: any; a success's: at or after its ts). */
  #needTransition = false;
  #owedTs = 0n;

  constructor(hub: ClientHub, send: (message: Record<string, unknown>) => void) {
    this.#hub = hub;
    this.#send = send;
  }

  /** The query set version last received. */
  get received(): number {
    return this.#received;
  }

  /** The identity version last sent (an AuthError's base version). */
  get sentIdentity(): number {
    return this.#sent.identity;
  }

  /** No query to re-run and no query set change. */
  get idle(): boolean {
    return this.#queries.size === 0 && this.#pending.length === 0;
  }

  /** A ModifyQuerySet the session accepted: applied at the next transition. */
  modify(message: Extract<ClientMessage, { type: "ModifyQuerySet" }>): void {
    this.#received = message.newVersion;
    this.#pending.push(message);
  }

  /** A mutation was answered: the next transition is owed, a success's at or after `ts`. */
  answered(ok: boolean, ts: bigint): void {
    // Fidelity: convex-js src/browser/sync/request_manager.ts removeCompleted: a success resolves at a transition reaching its ts.
    if (ok && ts > this.#owedTs) this.#owedTs = ts;
    this.#needTransition = true;
  }

  /** transition() for a session with no queries: nothing to run, so no promise. */
  empty(identityVersion: number): void {
    const start = this.#sent;
    const unchanged = this.#received === start.querySet && identityVersion === start.identity;
    if (unchanged && !this.#owed(start)) return;
    this.#needTransition = false;
    const end: StateVersion = {
      querySet: this.#received,
      identity: identityVersion,
      ts: this.#hub.ts > start.ts ? this.#hub.ts : start.ts,
    };
    this.#sendTransition(start, end, []);
  }

  /** One Transition from the version last sent: query set changes applied, every query re-run. True: run it once more. */
  async transition(identityVersion: number, identity: CallerIdentity | null, closed: () => boolean): Promise<boolean> {
    const start = this.#sent;
    const ts = this.#hub.ts > start.ts ? this.#hub.ts : start.ts;
    const querySet = this.#received;
    const changes = new Map<number, StateModification>();
    const fresh = new Set<number>();
    for (const message of this.#pending.splice(0)) {
      if (message.type !== "ModifyQuerySet") continue;
      for (const m of message.modifications) {
        if (m.type === "Add") {
          this.#queries.set(m.queryId, { path: m.udfPath, args: argsOf(m.args) });
          fresh.add(m.queryId);
        } else {
          this.#queries.delete(m.queryId);
          fresh.delete(m.queryId);
          changes.set(m.queryId, { type: "QueryRemoved", queryId: m.queryId });
        }
      }
    }
    await Promise.all(
      [...this.#queries].map(async ([queryId, query]) => {
        const outcome = await this.#hub.subscribedQuery(query.path, query.args, identity, ts, fresh.has(queryId));
        const compared = this.#hub.digestOf(outcome);
        if (query.sent === compared || this.#queries.get(queryId) !== query) return;
        query.sent = compared;
        changes.set(queryId, modificationOf(queryId, outcome));
      }),
    );
    if (closed()) return false;
    const unchanged = changes.size === 0 && querySet === start.querySet && identityVersion === start.identity;
    if (unchanged && !this.#owed(start)) return false;
    this.#needTransition = false;
    const end: StateVersion = { querySet, identity: identityVersion, ts };
    // Fidelity: worker.rs finish_update_queries: modifications in query id order (a BTreeMap).
    const modifications = [...changes.keys()].sort((a, b) => a - b).map((id) => changes.get(id)!);
    this.#sendTransition(start, end, modifications);
    // Begun before the mutation's last write (its queries waited for it): once more, at the mutation's ts.
    return this.#owedTs > ts;
  }

  /** A transition is owed though nothing changed: a mutation was answered since `start`. */
  #owed(start: StateVersion): boolean {
    return this.#needTransition || this.#owedTs > start.ts;
  }

  #sendTransition(start: StateVersion, end: StateVersion, modifications: StateModification[]): void {
    this.#send({ type: "Transition", startVersion: versionJson(start), endVersion: versionJson(end), modifications });
    this.#sent = end;
  }
}
