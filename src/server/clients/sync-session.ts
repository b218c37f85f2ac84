// One sync WebSocket's protocol state, as the backend's sync worker keeps it:
// the query set and identity the client asked for, the version last sent, the
// queries' last results (only changed ones are sent), mutations run in order.
// Fidelity: get-convex/convex-backend crates/sync/src/worker.rs (handle_message,
// begin/finish_update_queries) and crates/sync/src/state.rs.
import { clientMessages } from "../../errors.js";
import { expiryOf, identityOfToken } from "./auth.js";
import type { ClientHub, RefreshableSession } from "./hub.js";
import { decodeTs, encodeTs, parseClientMessage, versionJson, type ClientMessage, type StateModification, type StateVersion } from "./protocol.js";
import type { CallerIdentity, FunctionOutcome, JsonValue } from "./runner.js";
import { argsOf, failureFields, modificationOf } from "./sync-replies.js";

/** What a session needs from its socket. */
export interface SessionSocket {
  send(message: Record<string, unknown>): void;
  /** Closes the socket; no code: a close frame without one (the backend's for client errors). */
  close(code?: number, reason?: string): void;
}

interface SubscribedQuery {
  readonly path: string;
  readonly args: JsonValue;
  /** A digest of the last result sent (request ids left out); undefined before the first. */
  sent?: string;
}

// Fidelity: crates/sync/src/worker.rs OPERATION_QUEUE_BUFFER_SIZE (pending mutations, actions in flight).
const MAX_PENDING_OPERATIONS = 1000;
// Fidelity: crates/errors/src/lib.rs close_frame: an internal error closes with 1011, a rate limit with 1013.
const CLOSE_ERROR = 1011;
const CLOSE_AGAIN = 1013;

export class SyncSession implements RefreshableSession {
  readonly #hub: ClientHub;
  readonly #socket: SessionSocket;
  readonly #queries = new Map<number, SubscribedQuery>();
  #pending: ClientMessage[] = [];
  #receivedQuerySet = 0;
  #receivedIdentity = 0;
  #identity: CallerIdentity | null = null;
  /** When the identity's token expires (ms), if it does. */
  #expiresAt: number | undefined;
  #sent: StateVersion = { querySet: 0, identity: 0, ts: 0n };
  #updating = false;
  #again = false;
  /** A mutation was answered: a transition is owed (a failure's: any; a success's: at or after its ts). */
  #needTransition = false;
  #owedTs = 0n;
  #mutations: Promise<void> = Promise.resolve();
  #pendingMutations = 0;
  #actionsInFlight = 0;
  #closed = false;
  #sessionId: string | undefined;

  constructor(hub: ClientHub, socket: SessionSocket) {
    this.#hub = hub;
    this.#socket = socket;
  }

  /** One text frame from the client. */
  handle(text: string): void {
    if (this.#closed) return;
    const message = parseClientMessage(text);
    if ("invalid" in message) return this.#fatal(message.invalid);
    switch (message.type) {
      case "Connect": {
        this.#sessionId = message.sessionId;
        const observed = message.maxObservedTimestamp === undefined ? null : decodeTs(message.maxObservedTimestamp);
        // Fidelity: worker.rs Connect: a client that saw a later timestamp than the backend knows is refused.
        if (observed !== null && observed > this.#hub.ts) return this.#end(CLOSE_ERROR, clientMessages.internalServerError);
        return;
      }
      case "ModifyQuerySet":
        if (message.baseVersion !== this.#receivedQuerySet) return this.#fatal(clientMessages.baseVersionMismatch(message.baseVersion, this.#receivedQuerySet));
        if (message.newVersion <= message.baseVersion) return this.#end(CLOSE_ERROR, clientMessages.internalServerError);
        this.#receivedQuerySet = message.newVersion;
        this.#pending.push(message);
        return this.refresh();
      case "Authenticate":
        return this.#authenticate(message);
      case "Mutation":
        return this.#mutation(message.requestId, message.udfPath, argsOf(message.args));
      case "Action":
        return this.#action(message.requestId, message.udfPath, argsOf(message.args));
      case "Event":
        return;
    }
  }

  /** Re-runs the queries and sends what changed (after a write, a query set or identity change). */
  refresh(): void {
    if (this.#closed) return;
    if (this.#updating) {
      this.#again = true;
      return;
    }
    // No query to re-run and no query set change: the transition (if one is owed) is sent now.
    if (this.#queries.size === 0 && this.#pending.length === 0) return this.#emptyTransition();
    void this.#update();
  }

  /** Closes the socket (the functions were disconnected). */
  end(code: number, reason: string): void {
    if (!this.#closed) this.#end(code, reason);
  }

  /** The socket is gone: nothing more is sent; running functions finish (their writes stay). */
  close(): void {
    this.#closed = true;
  }

  #authenticate(message: Extract<ClientMessage, { type: "Authenticate" }>): void {
    if (message.baseVersion !== this.#receivedIdentity) return this.#end(CLOSE_ERROR, clientMessages.internalServerError);
    let identity: CallerIdentity | null = null;
    if (message.tokenType !== "None") {
      const decoded = message.tokenType === "Admin" ? clientMessages.tokenRefusals.adminKey : identityOfToken(message.value ?? "", this.#hub.authProviders);
      if (!("tokenIdentifier" in decoded)) {
        // Fidelity: crates/local_backend/src/subs/mod.rs: an auth update that fails sends AuthError
        // with the last sent identity version, then closes without a close code.
        this.#socket.send({ type: "AuthError", error: decoded.message, baseVersion: this.#sent.identity, authUpdateAttempted: true });
        return this.#end();
      }
      identity = decoded;
    }
    this.#expiresAt = identity === null ? undefined : expiryOf(message.value ?? "");
    this.#identity = identity;
    this.#receivedIdentity += 1;
    this.refresh();
  }

  /**
   * False (and the socket ends) once the session's token has expired. Fidelity: crates/sync/src/state.rs
   * identity: unauthenticated (TokenExpired), which subs/mod.rs sends as an AuthError the client did not attempt.
   */
  #identityValid(): boolean {
    if (this.#expiresAt === undefined || Date.now() < this.#expiresAt) return true;
    this.#socket.send({ type: "AuthError", error: clientMessages.identityExpired, baseVersion: this.#sent.identity, authUpdateAttempted: false });
    this.#end();
    return false;
  }

  #mutation(requestId: number, path: string, args: JsonValue): void {
    if (!this.#identityValid()) return;
    if (this.#pendingMutations >= MAX_PENDING_OPERATIONS) return this.#end(CLOSE_AGAIN, "TooManyConcurrentMutations");
    this.#pendingMutations += 1;
    const identity = this.#identity;
    const sessionId = this.#sessionId;
    // Fidelity: worker.rs: a client's mutations run one after another, answered in order.
    this.#mutations = this.#mutations.then(async () => {
      const retried = sessionId === undefined ? undefined : this.#hub.completedMutation(sessionId, requestId);
      const outcome: FunctionOutcome = retried !== undefined ? { ok: true, value: retried.value } : await this.#hub.call({ kind: "mutation", path, args, identity }, "ws");
      // A success carries the timestamp its writes are visible at; the transition that follows is at or after it.
      const ts = retried?.ts ?? this.#hub.ts;
      if (outcome.ok && retried === undefined && sessionId !== undefined) this.#hub.rememberMutation(sessionId, requestId, { value: outcome.value, ts });
      this.#pendingMutations -= 1;
      if (this.#closed) return;
      if (outcome.ok) this.#socket.send({ type: "MutationResponse", requestId, success: true, result: outcome.value, ts: encodeTs(ts), logLines: [] });
      else this.#socket.send({ type: "MutationResponse", requestId, success: false, ...failureFields(outcome), ts: null, logLines: [] });
      // Fidelity: convex-js src/browser/sync/request_manager.ts removeCompleted: a success resolves at a transition reaching its ts.
      if (outcome.ok && ts > this.#owedTs) this.#owedTs = ts;
      this.#needTransition = true;
      this.refresh();
    }).catch(() => this.#end(CLOSE_ERROR, clientMessages.internalServerError));
  }

  #action(requestId: number, path: string, args: JsonValue): void {
    if (!this.#identityValid()) return;
    if (this.#actionsInFlight >= MAX_PENDING_OPERATIONS) return this.#end(CLOSE_AGAIN, "TooManyInflightActionsForSingleClient");
    this.#actionsInFlight += 1;
    const identity = this.#identity;
    void this.#hub.call({ kind: "action", path, args, identity }, "ws").then((outcome) => {
      this.#actionsInFlight -= 1;
      if (this.#closed) return;
      if (outcome.ok) this.#socket.send({ type: "ActionResponse", requestId, success: true, result: outcome.value, logLines: [] });
      else this.#socket.send({ type: "ActionResponse", requestId, success: false, ...failureFields(outcome), logLines: [] });
      this.refresh();
    });
  }

  async #update(): Promise<void> {
    this.#updating = true;
    try {
      do {
        this.#again = false;
        await this.#transition();
      } while (this.#again && !this.#closed);
    } catch {
      // Not the client's fault: an internal error's close (the client reconnects).
      this.#end(CLOSE_ERROR, clientMessages.internalServerError);
    } finally {
      this.#updating = false;
    }
  }

  /** #transition for a session with no queries: nothing to run, so no promise. */
  #emptyTransition(): void {
    if (!this.#identityValid()) return;
    const start = this.#sent;
    const unchanged = this.#receivedQuerySet === start.querySet && this.#receivedIdentity === start.identity;
    if (unchanged && !this.#owed(start)) return;
    this.#needTransition = false;
    const end: StateVersion = { querySet: this.#receivedQuerySet, identity: this.#receivedIdentity, ts: this.#hub.ts > start.ts ? this.#hub.ts : start.ts };
    this.#socket.send({ type: "Transition", startVersion: versionJson(start), endVersion: versionJson(end), modifications: [] });
    this.#sent = end;
  }

  /** One Transition from the version last sent: query set changes applied, every query re-run. */
  async #transition(): Promise<void> {
    if (!this.#identityValid()) return;
    const start = this.#sent;
    const ts = this.#hub.ts > start.ts ? this.#hub.ts : start.ts;
    const querySet = this.#receivedQuerySet;
    const identityVersion = this.#receivedIdentity;
    const identity = this.#identity;
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
    if (this.#closed) return;
    const unchanged = changes.size === 0 && querySet === start.querySet && identityVersion === start.identity;
    if (unchanged && !this.#owed(start)) return;
    this.#needTransition = false;
    const end: StateVersion = { querySet, identity: identityVersion, ts };
    // Fidelity: worker.rs finish_update_queries: modifications in query id order (a BTreeMap).
    const modifications = [...changes.keys()].sort((a, b) => a - b).map((id) => changes.get(id)!);
    this.#socket.send({ type: "Transition", startVersion: versionJson(start), endVersion: versionJson(end), modifications });
    this.#sent = end;
    // Begun before the mutation's last write (its queries waited for it): once more, at the mutation's ts.
    if (this.#owedTs > ts) this.#again = true;
  }

  /** A transition is owed though nothing changed: a mutation was answered since `start`. */
  #owed(start: StateVersion): boolean {
    return this.#needTransition || this.#owedTs > start.ts;
  }

  /** A client error: FatalError, then a close without a code (subs/mod.rs, a deterministic user error). */
  #fatal(error: string): void {
    this.#socket.send({ type: "FatalError", error });
    this.#end();
  }

  #end(code?: number, reason?: string): void {
    this.#closed = true;
    this.#socket.close(code, reason);
  }
}
