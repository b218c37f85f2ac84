// One sync WebSocket's protocol state, as the backend's sync worker keeps it:
// the identity the client asked for, mutations run in order, actions, and the
// query set (sync-query-set.ts: the version last sent, the queries' last results).
// Fidelity: get-convex/convex-backend crates/sync/src/worker.rs (handle_message,
// begin/finish_update_queries) and crates/sync/src/state.rs.
import { clientMessages } from "../../errors.js";
import { expiryOf, identityOfToken } from "./auth.js";
import type { ClientHub, RefreshableSession } from "./hub.js";
import { decodeTs, parseClientMessage, type ClientMessage } from "./protocol.js";
import type { CallerIdentity, FunctionOutcome, JsonValue } from "./runner.js";
import { QuerySet } from "./sync-query-set.js";
import { actionResponse, argsOf, authError, mutationResponse } from "./sync-replies.js";

/** What a session needs from its socket. */
export interface SessionSocket {
  send(message: Record<string, unknown>): void;
  /** Closes the socket; no code: a close frame without one (the backend's for client errors). */
  close(code?: number, reason?: string): void;
}

// Fidelity: crates/sync/src/worker.rs OPERATION_QUEUE_BUFFER_SIZE (pending mutations, actions in flight).
const MAX_PENDING_OPERATIONS = 1000;
// Fidelity: crates/errors/src/lib.rs close_frame: an internal error closes with 1011, a rate limit with 1013.
const CLOSE_ERROR = 1011;
const CLOSE_AGAIN = 1013;

export class SyncSession implements RefreshableSession {
  readonly #hub: ClientHub;
  readonly #socket: SessionSocket;
  readonly #querySet: QuerySet;
  #receivedIdentity = 0;
  #identity: CallerIdentity | null = null;
  /** When the identity's token expires (ms), if it does. */
  #expiresAt: number | undefined;
  #updating = false;
  #again = false;
  #mutations: Promise<void> = Promise.resolve();
  #pendingMutations = 0;
  #actionsInFlight = 0;
  #closed = false;
  #sessionId: string | undefined;

  constructor(hub: ClientHub, socket: SessionSocket) {
    this.#hub = hub;
    this.#socket = socket;
    this.#querySet = new QuerySet(hub, (message) => this.#socket.send(message));
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
        if (observed !== null && observed > this.#hub.ts)
          return this.#end(CLOSE_ERROR, clientMessages.internalServerError);
        return;
      }
      case "ModifyQuerySet":
        if (message.baseVersion !== this.#querySet.received)
          return this.#fatal(clientMessages.baseVersionMismatch(message.baseVersion, this.#querySet.received));
        if (message.newVersion <= message.baseVersion)
          return this.#end(CLOSE_ERROR, clientMessages.internalServerError);
        this.#querySet.modify(message);
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
    if (this.#querySet.idle) return this.#emptyTransition();
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
    if (message.baseVersion !== this.#receivedIdentity)
      return this.#end(CLOSE_ERROR, clientMessages.internalServerError);
    let identity: CallerIdentity | null = null;
    if (message.tokenType !== "None") {
      const decoded =
        message.tokenType === "Admin"
          ? clientMessages.tokenRefusals.adminKey
          : identityOfToken(message.value ?? "", this.#hub.authProviders);
      if (!("tokenIdentifier" in decoded)) {
        // Fidelity: crates/local_backend/src/subs/mod.rs: an auth update that fails sends AuthError
        // with the last sent identity version, then closes without a close code.
        this.#socket.send(authError(decoded.message, this.#querySet.sentIdentity, true));
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
    this.#socket.send(authError(clientMessages.identityExpired, this.#querySet.sentIdentity, false));
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
    this.#mutations = this.#mutations
      .then(async () => {
        const retried = sessionId === undefined ? undefined : this.#hub.completedMutation(sessionId, requestId);
        const outcome: FunctionOutcome =
          retried !== undefined
            ? { ok: true, value: retried.value }
            : await this.#hub.call({ kind: "mutation", path, args, identity }, "ws");
        // A success carries the timestamp its writes are visible at; the transition that follows is at or after it.
        const ts = retried?.ts ?? this.#hub.ts;
        if (outcome.ok && retried === undefined && sessionId !== undefined)
          this.#hub.rememberMutation(sessionId, requestId, { value: outcome.value, ts });
        this.#pendingMutations -= 1;
        if (this.#closed) return;
        this.#socket.send(mutationResponse(requestId, outcome, ts));
        this.#querySet.answered(outcome.ok, ts);
        this.refresh();
      })
      .catch(() => this.#end(CLOSE_ERROR, clientMessages.internalServerError));
  }

  #action(requestId: number, path: string, args: JsonValue): void {
    if (!this.#identityValid()) return;
    if (this.#actionsInFlight >= MAX_PENDING_OPERATIONS)
      return this.#end(CLOSE_AGAIN, "TooManyInflightActionsForSingleClient");
    this.#actionsInFlight += 1;
    const identity = this.#identity;
    void this.#hub.call({ kind: "action", path, args, identity }, "ws").then((outcome) => {
      this.#actionsInFlight -= 1;
      if (this.#closed) return;
      this.#socket.send(actionResponse(requestId, outcome));
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
    this.#querySet.empty(this.#receivedIdentity);
  }

  /** One Transition from the version last sent (the query set builds and sends it). */
  async #transition(): Promise<void> {
    if (!this.#identityValid()) return;
    if (await this.#querySet.transition(this.#receivedIdentity, this.#identity, () => this.#closed)) this.#again = true;
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
