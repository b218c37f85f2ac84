// The error of a call that must fail, so a test can pin its message and `code`.
// One helper for the three ways a test meets one: a rejected promise, a function that
// throws, and a vitest assertion that fails (expect() throws synchronously).

export type Failure = Error & { code?: string };

/** Awaits a promise (or calls a function returning one) that must reject; returns the error. */
export function failure(promise: PromiseLike<unknown> | (() => PromiseLike<unknown>)): Promise<Failure>;
/** Calls a function that must throw, e.g. `() => expect(emulator).toHaveStoredFiles(2)`; returns the error. */
export function failure(fn: () => unknown): Failure;
export function failure(subject: PromiseLike<unknown> | (() => unknown)): Failure | Promise<Failure> {
  let result: unknown;
  if (typeof subject === "function") {
    try {
      result = subject();
    } catch (error) {
      return asFailure(error);
    }
    if (!isPromiseLike(result)) throw new Error("expected the call to fail, but it returned");
  } else {
    result = subject;
  }
  return Promise.resolve(result).then(() => {
    throw new Error("expected the call to fail, but it resolved");
  }, asFailure);
}

function asFailure(error: unknown): Failure {
  // A thrown string or object has no message to pin: that is a bug worth a loud test failure.
  if (!(error instanceof Error)) throw new Error(`expected an Error to be thrown, got ${String(error)}`);
  return error;
}

function isPromiseLike(value: unknown): value is PromiseLike<unknown> {
  return typeof (value as PromiseLike<unknown> | null)?.then === "function";
}
