// Fault injection: make the next uploads, downloads or ctx.storage calls fail,
// slow down or break off, so tests can check how an app copes.
//
// Faults wait in a queue, oldest first. Each applies to the next `times`
// requests or calls of its route, then it is used up. The gateway
// (gateway.ts) takes them; this module only decides what a fault does.
import { errors } from "./errors.js";
import { MAX_TIMER_MS } from "./timer-limit.js";
import { OPERATIONS, STORAGE_ROUTES, type StorageOperation, type StorageRoute } from "./paths.js";

/** The HTTP routes faults apply to: `POST /api/storage/upload` and `GET|HEAD /api/storage/<uuid>`. */
export type HttpFaultRoute = StorageRoute;

/** Where a fault applies: an HTTP route, or a ctx.storage operation. */
export type FaultRoute = HttpFaultRoute | StorageOperation;

export interface FaultSpec {
  route: FaultRoute;
  /** HTTP routes: answer this status (400 to 599) with a JSON `{ code: "InjectedFault", message }` body. */
  status?: number;
  /**
   * ctx.storage operations: reject with this Error, or with an `InjectedFault` error with this
   * message. HTTP routes: the message of the JSON body (status 500 unless `status` is given).
   */
  error?: string | Error;
  /** Wait this long (ms, on the real or faked `setTimeout`) before handling, or failing. */
  delayMs?: number;
  /**
   * HTTP routes: cut the connection after this many bytes. `serve`: of the response body, after
   * the headers. `upload`: of the request body; nothing is stored and no response is sent.
   */
  abortAfterBytes?: number;
  /** How many matching requests or calls it applies to. Default 1. */
  times?: number;
}

/** A queued fault and how many more requests or calls it applies to. */
export interface PendingFault extends Readonly<FaultSpec> {
  readonly times: number;
  readonly remaining: number;
}

/** What the gateway does for one request or call a fault applies to. */
export interface FaultAction {
  readonly delayMs: number;
  /** Fail with this error (HTTP routes: answer its status and JSON body). */
  readonly error?: Error;
  /** HTTP routes: cut the connection after this many bytes. */
  readonly abortAfterBytes?: number;
}

type QueuedFault = FaultSpec & { readonly times: number };

/** The fault routes that are HTTP routes (the rest are ctx.storage operations). */
const FAULT_HTTP_ROUTES: readonly FaultRoute[] = STORAGE_ROUTES;
const ROUTES: readonly FaultRoute[] = [...STORAGE_ROUTES, ...OPERATIONS];

/** The fault queue of one emulator: `emulator.faults`. */
export class Faults {
  #queue: { spec: QueuedFault; remaining: number }[] = [];

  /** Queues a fault for the next `times` (default 1) requests or calls of `route`. */
  next(spec: FaultSpec): this {
    const queued = check(spec);
    this.#queue.push({ spec: queued, remaining: queued.times });
    return this;
  }

  /** Drops every queued fault. */
  clear(): void {
    this.#queue = [];
  }

  /** The faults not used up yet, oldest first. */
  pending(): PendingFault[] {
    return this.#queue.map(({ spec, remaining }) => ({ ...spec, remaining }));
  }

  /** @internal Uses one application of the oldest fault queued for `route`, if any. */
  take(route: FaultRoute): FaultAction | undefined {
    // Every request and call asks: with nothing queued, answer without a search (and its closure).
    if (this.#queue.length === 0) return undefined;
    const index = this.#queue.findIndex((entry) => entry.spec.route === route);
    const entry = this.#queue[index];
    if (entry === undefined) return undefined;
    if (--entry.remaining === 0) this.#queue.splice(index, 1);
    return actionOf(entry.spec);
  }
}

/** Waits out a fault's delay. */
export function faultDelay(action: FaultAction): Promise<void> {
  return action.delayMs > 0 ? new Promise((resolve) => setTimeout(resolve, action.delayMs)) : Promise.resolve();
}

function actionOf(spec: QueuedFault): FaultAction {
  const delayMs = spec.delayMs ?? 0;
  const { status, error, abortAfterBytes } = spec;
  // A fault that neither delays nor cuts fails: `faults.next({ route: "store" })` is enough.
  const fails =
    status !== undefined || error !== undefined || (spec.delayMs === undefined && abortAfterBytes === undefined);
  if (abortAfterBytes !== undefined) return { delayMs, abortAfterBytes };
  if (!fails) return { delayMs };
  if (error instanceof Error && !FAULT_HTTP_ROUTES.includes(spec.route)) return { delayMs, error };
  const message = error instanceof Error ? error.message : error;
  return { delayMs, error: errors.injectedFault(spec.route, status ?? 500, message) };
}

function check(spec: FaultSpec): QueuedFault {
  if (typeof spec !== "object" || spec === null)
    throw errors.faultInvalid("expected { route, status?, error?, delayMs?, abortAfterBytes?, times? }.");
  const { route, status, error, delayMs, abortAfterBytes, times } = spec;
  if (!ROUTES.includes(route)) {
    throw errors.faultInvalid(
      `unknown route "${String(route)}"; expected one of ${ROUTES.map((r) => `"${r}"`).join(", ")}.`,
    );
  }
  const http = FAULT_HTTP_ROUTES.includes(route);
  if (!http && (status !== undefined || abortAfterBytes !== undefined)) {
    throw errors.faultInvalid(
      `\`status\` and \`abortAfterBytes\` apply to the HTTP routes "upload" and "serve" only; for "${route}" use \`error\` or \`delayMs\`.`,
    );
  }
  if (status !== undefined && !(Number.isInteger(status) && status >= 400 && status <= 599)) {
    throw errors.faultInvalid(`\`status\` must be an HTTP error status from 400 to 599, got ${String(status)}.`);
  }
  if (error !== undefined && typeof error !== "string" && !(error instanceof Error)) {
    throw errors.faultInvalid("`error` must be a string or an Error.");
  }
  // A timer's limit: Node fires a longer setTimeout after 1 ms, so a long delay would not delay at all.
  if (
    delayMs !== undefined &&
    !(typeof delayMs === "number" && Number.isFinite(delayMs) && delayMs >= 0 && delayMs <= MAX_TIMER_MS)
  ) {
    throw errors.faultInvalid(
      `\`delayMs\` must be a number of ms from 0 to ${MAX_TIMER_MS} (a timer's limit), got ${String(delayMs)}.`,
    );
  }
  if (abortAfterBytes !== undefined) {
    if (!(Number.isSafeInteger(abortAfterBytes) && abortAfterBytes >= 0)) {
      throw errors.faultInvalid(
        `\`abortAfterBytes\` must be a whole number of at least 0, got ${String(abortAfterBytes)}.`,
      );
    }
    if (status !== undefined || error !== undefined) {
      throw errors.faultInvalid(
        "`abortAfterBytes` cuts the connection, so it cannot also answer a `status` or `error`; queue two faults instead.",
      );
    }
  }
  if (times !== undefined && !(Number.isSafeInteger(times) && times >= 1)) {
    throw errors.faultInvalid(`\`times\` must be a whole number of at least 1, got ${String(times)}.`);
  }
  return { ...spec, times: times ?? 1 };
}
