// One ctx.storage call being performed (Gateway.perform()): runs it and records
// its journal entry once, with its outcome, bytes and error code.
import { isStorageEmulatorError } from "./errors.js";
import type { Journal, StorageCallEntry, StorageOperation } from "./journal.js";

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

/** One ctx.storage call being performed: runs it and journals its outcome once. (A class, not closures: this is every call's hot path.) */
export class CallRecord<T> {
  readonly #started = performance.now();
  readonly #id: string | undefined;

  constructor(
    readonly journal: Journal,
    readonly operation: StorageOperation,
    storageId: unknown,
    readonly at: number,
    readonly bytesOf: ((result: T) => number | undefined) | undefined,
    readonly injected: Error | undefined,
  ) {
    this.#id = typeof storageId === "string" ? storageId : undefined;
  }

  run(call: () => Promise<T> | T): Promise<T> {
    let result: Promise<T> | T;
    try {
      result = call();
    } catch (error) {
      return Promise.reject(error).catch((e: unknown) => this.failed(e));
    }
    return result instanceof Promise
      ? result.then(
          (r) => this.succeeded(r),
          (e: unknown) => this.failed(e),
        )
      : Promise.resolve(this.succeeded(result));
  }

  succeeded(result: T): T {
    const { operation } = this;
    const recorded = this.#entry(result === null ? "null" : "ok");
    const storedId = typeof result === "string" && operation === "store" ? result : this.#id;
    if (storedId !== undefined) recorded.storageId = storedId;
    const bytes = this.bytesOf?.(result);
    if (bytes !== undefined) recorded.bytes = bytes;
    this.#record(recorded);
    return result;
  }

  failed(error: unknown): never {
    const recorded = this.#entry("error");
    if (this.#id !== undefined) recorded.storageId = this.#id;
    if (error !== undefined && error === this.injected) recorded.errorCode = "InjectedFault";
    else if (isStorageEmulatorError(error)) recorded.errorCode = error.code;
    this.#record(recorded);
    throw error;
  }

  #entry(outcome: StorageCallEntry["outcome"]): Mutable<StorageCallEntry> {
    return { type: "storage", operation: this.operation, at: this.at, outcome, durationMs: 0 };
  }

  #record(entry: Mutable<StorageCallEntry>): void {
    entry.durationMs = performance.now() - this.#started;
    this.journal.record(entry);
  }
}
