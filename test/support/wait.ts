// The one way tests wait for something they cannot await directly (a journal entry written when a
// response closes, a line of a child process's output, a file another worker writes).

type Falsy = false | 0 | "" | null | undefined;

/** Short enough not to slow a test down, long enough not to spin a core of this shared machine. */
const TICK_MS = 5;

export interface WaitOptions {
  /** How long before giving up; the default suits in-process events, a spawned CLI needs more. */
  timeoutMs?: number;
  /** What is awaited, for the timeout's message; a function is read at the timeout (e.g. output so far). */
  what?: string | (() => string);
}

/**
 * Calls `probe` until it returns a truthy value, and returns that value (a regex match, a record).
 * Between checks it only yields for a short tick: no fixed delay stands in for the awaited event.
 * Needs real timers (under vi.useFakeTimers() the tick never fires).
 */
export async function waitFor<T>(
  probe: () => T | Promise<T>,
  { timeoutMs = 5000, what = "the condition" }: WaitOptions = {},
): Promise<Exclude<T, Falsy>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value as Exclude<T, Falsy>;
    if (Date.now() > deadline)
      throw new Error(`waitFor: ${typeof what === "function" ? what() : what} not met within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, TICK_MS));
  }
}
