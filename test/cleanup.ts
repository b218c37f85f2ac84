// What a test file needs undone after each test: listening emulators closed,
// temporary directories removed (newest first).
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach } from "vitest";
import { createStorageEmulator, type StorageEmulatorOptions } from "../src/index.js";

export function cleanupAfterEach() {
  const cleanups: (() => Promise<void> | void)[] = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });
  const defer = (cleanup: () => Promise<void> | void): void => {
    cleanups.push(cleanup);
  };
  return {
    defer,
    /** An emulator listening on a free port, closed after the test. */
    async listening(options: StorageEmulatorOptions = {}) {
      const emulator = createStorageEmulator(options);
      const server = await emulator.listen({ port: 0 });
      defer(() => server.close());
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
