// What a test file needs undone after each test: listening emulators closed, child processes
// killed, temporary directories removed. The one cleanup style of the tests: a file calls
// cleanupAfterEach() once and registers what each test leaves behind with `defer`.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach } from "vitest";
import { createStorageEmulator, type StorageEmulatorOptions } from "../../src/index.js";

/** Something to undo: a function, or a resource with `close()` or `[Symbol.asyncDispose]()`. */
type Cleanup = (() => unknown) | { close(): unknown } | AsyncDisposable;

export type Defer = <T extends Cleanup>(thing: T) => T;

export function cleanupAfterEach() {
  const cleanups: (() => unknown)[] = [];
  afterEach(async () => {
    // Newest first, like `await using`; every cleanup runs even when one fails.
    const failed: unknown[] = [];
    for (const cleanup of cleanups.splice(0).reverse()) {
      try {
        await cleanup();
      } catch (error) {
        failed.push(error);
      }
    }
    if (failed.length === 1) throw failed[0];
    if (failed.length > 1) throw new AggregateError(failed, `${failed.length} cleanups failed`);
  });
  /** Registers `thing` to be undone after the test; returns it, so it can wrap the line that makes it. */
  const defer: Defer = (thing) => {
    if (typeof thing === "function") cleanups.push(thing);
    else if (Symbol.asyncDispose in thing) cleanups.push(() => thing[Symbol.asyncDispose]());
    else cleanups.push(() => thing.close());
    return thing;
  };
  return {
    defer,
    /** An emulator listening on a free port, closed after the test. */
    async listening(options: StorageEmulatorOptions = {}) {
      const emulator = createStorageEmulator(options);
      const server = defer(await emulator.listen({ port: 0 }));
      return { emulator, server };
    },
    /** A fresh temporary directory, removed after the test. */
    tempDir(prefix = "cse-"): string {
      const dir = mkdtempSync(join(tmpdir(), prefix));
      defer(() => rmSync(dir, { recursive: true, force: true }));
      return dir;
    },
  };
}
