// convex-storage-emulator/vitest: assertions on what an emulator stored and
// received, and test fixtures that provide one.
//
// Importing this module registers the matchers with vitest's `expect` and types
// them, so it works as a setup file:
//
//   // vitest.config.ts
//   export default defineConfig({ test: { setupFiles: ["convex-storage-emulator/vitest"] } });
//
// `storageEmulatorMatchers` is the same object, for an explicit `expect.extend`.
// A failure lists what is stored as a table, like undici MockAgent's
// pendingInterceptors(), so the reason is visible at a glance. Given a remote
// handle (connectStorageEmulator()), a matcher is async: `await expect(remote)…`.
import { expect } from "vitest";
import { storageEmulatorMatchers } from "./vitest/matchers.js";
import type { AnyStorageEmulator, StoredFileMatch, StoredImageMatch, UploadMatch } from "./vitest/matchers.js";

export { storageEmulatorMatchers } from "./vitest/matchers.js";
export type {
  AnyStorageEmulator,
  StorageMatcherResult,
  StoredFileMatch,
  StoredImageMatch,
  UploadMatch,
} from "./vitest/matchers.js";
export { test, type StorageEmulatorFixtures } from "./vitest/fixtures.js";
export { STORAGE_EMULATOR_URL_KEY, STORAGE_EMULATOR_URL_ENV } from "./vitest/provided.js";

/**
 * The matchers, as vitest sees them. `R` is what an assertion returns; on a
 * remote handle, await it (vitest then waits for the emulator's answer).
 */
export interface StorageEmulatorMatchers<R = void> {
  /** Passes if any stored file has all the given fields. */
  toHaveStoredFile(expected?: StoredFileMatch): R;
  /** Passes if some stored file is an image (read from its header) having all the given fields. */
  toHaveStoredImage(expected?: StoredImageMatch): R;
  /** Passes if exactly `count` files are stored. */
  toHaveStoredFiles(count: number): R;
  /** On a storage id (or UUID): passes if `emulator` stores that file. As an asymmetric matcher, in-process emulators only. */
  toBeStoredIn(emulator: AnyStorageEmulator): R;
  /** Passes if an HTTP upload was answered 200 (and, if given, its file has `contentType`). */
  toHaveReceivedUpload(expected?: UploadMatch): R;
}

// vitest 3.2/4 type custom matchers with `Matchers<T>` and vitest 5 with `Matchers<R, T>`, and an
// augmentation must repeat the type parameters exactly, so no one `Matchers` fits all three.
// What they share: expect.extend() adds matchers to chai's Assertion, and vitest's Assertion
// maps every Chai.Assertion method (`not`, `resolves` and `poll` included); the asymmetric
// forms (`expect.toBeStoredIn(emulator)`) are AsymmetricMatchersContaining, in all three.
declare global {
  namespace Chai {
    interface Assertion extends StorageEmulatorMatchers<void> {}
  }
}

declare module "vitest" {
  interface AsymmetricMatchersContaining extends StorageEmulatorMatchers<unknown> {}
}

expect.extend(storageEmulatorMatchers);
