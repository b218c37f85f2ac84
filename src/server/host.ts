// What the server needs from its emulator, and the one place a Node request is
// journaled: each route calls journalRequest() once, its handler leaves notes
// on the response (http-util.ts requestNotes), and the entry is recorded when
// the response closes.
import type { IncomingMessage, ServerResponse } from "node:http";
// node:timers' own binding, not the global: test fake timers (vi.useFakeTimers) replace the
// global setImmediate, which would hold journal entries back until timers advance.
import { setImmediate as afterThisTick } from "node:timers";
import type { Faults } from "../faults.js";
import type { StoredFile } from "../file-store.js";
import type { Gateway } from "../gateway.js";
import type { HttpActions } from "../http-actions.js";
import type { ImageInfo } from "../image.js";
import type { HttpRoute, Journal, RequestOutcome } from "../journal.js";
import type { ClientHub } from "./clients/hub.js";
import { pathOf, requestNotes } from "./http-util.js";

export interface ServerHost {
  readonly gateway: Gateway;
  readonly actions: HttpActions;
  /** What the admin routes may see and do; undefined when they are not served. */
  readonly admin: AdminHost | undefined;
  /** Origins and hosts the admin routes and client protocols accept besides loopback (default: none). */
  readonly browserAccess?: BrowserAccess;
  /** Convex's client protocols (HTTP API, sync WebSocket), served while functions are connected. */
  readonly clients?: ClientHub;
  /** An upload (or seed) whose body sends nothing this long is aborted; 0 never. */
  readonly uploadIdleTimeoutMs: number;
  /** The site origin HTTP actions see in `request.url`. */
  siteOrigin(): string;
}

/**
 * What the admin routes see of an emulator besides its gateway: its inspection API
 * (the emulator itself fits), and nothing else.
 */
export interface AdminHost {
  /** The cloud and site origins, for health. */
  readonly url: string;
  readonly siteUrl: string;
  readonly journal: Pick<Journal, "entries" | "functionCalls" | "subscribe" | "subscribeFunctionCalls" | "clear">;
  /** The connected app's database, read for GET /_emulator/database. */
  readonly clients: Pick<ClientHub, "readDatabase">;
  readonly faults: Pick<Faults, "next" | "pending" | "clear">;
  files(): StoredFile[];
  /** A file by storage id or UUID, or null. */
  file(id: string): StoredFile | null;
  bytes(id: string): Uint8Array | null;
  image(id: string): ImageInfo | null;
  /** Forgets every file, token, journal entry and fault (and an attached app's documents first). */
  reset(): Promise<void>;
}

/** What the user allows browsers besides loopback on the admin routes and client protocols (options adminOrigins / allowedHosts). */
export interface BrowserAccess {
  /** Origins, normalized (`scheme://host[:port]`). */
  readonly origins: readonly string[];
  /** Host names, lowercase, without port. */
  readonly hosts: readonly string[];
}

/** Records the request in the journal once its response is done (or the client left). */
export function journalRequest(gateway: Gateway, req: IncomingMessage, res: ServerResponse, route: HttpRoute): void {
  const record = gateway.startRequest(route, req.method ?? "GET", pathOf(req));
  // On a client abort the response closes before the handler has noted why;
  // recording a tick later lets it. ('close' comes once: no once wrapper.)
  res.on("close", () => afterThisTick(() => record(outcomeOf(res))));
}

/** What the handler noted, with the status the exchange really ended with. */
function outcomeOf(res: ServerResponse): RequestOutcome {
  const notes = requestNotes(res);
  // Routes that answer through Express's res.send() leave no count: its Content-Length is one.
  notes.bytesOut ??= Number(res.getHeader("content-length") ?? 0);
  notes.status = res.writableFinished && notes.aborted !== true ? res.statusCode : 0;
  return notes;
}
