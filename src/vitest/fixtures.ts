// `test` from convex-storage-emulator/vitest: vitest's test with storage
// emulator fixtures. A fixture runs only for tests that name it, so a test
// that never asks for `emulatorUrl` never opens a port.
import { inject, test as baseTest } from "vitest";
import { createStorageEmulator, type StorageEmulator, type StorageEmulatorOptions } from "../emulator.js";
import { connectStorageEmulator, type RemoteStorageEmulator } from "../remote.js";
import { STORAGE_EMULATOR_URL_KEY, sharedEmulatorUrl } from "./provided.js";

export interface StorageEmulatorFixtures {
  /**
   * The options `emulator` is created with (default none). Other options:
   * `test.extend({ emulatorOptions: { maxFileBytes: 1024 } })`, or `test.override` for a block.
   */
  emulatorOptions: StorageEmulatorOptions;
  /** A fresh in-process emulator for this test, closed after it. Not listening unless the test asks for `emulatorUrl`. */
  emulator: StorageEmulator;
  /** `emulator` listening on a free port: its URL (the server closes after the test). */
  emulatorUrl: string;
  /**
   * A remote handle on the run's shared emulator (the globalSetup module's, else
   * CONVEX_STORAGE_EMULATOR_URL), reset before the test (an app's tables too, with --convex). Tests sharing one
   * emulator must not run at the same time: see docs/vitest.md.
   */
  storageEmulator: RemoteStorageEmulator;
  /** The shared emulator's cloud origin, reset before the test: `new ConvexHttpClient(convexUrl)`. */
  convexUrl: string;
  /** The shared emulator's site origin (the app's HTTP actions), reset before the test. */
  siteUrl: string;
}

export const test = baseTest.extend<StorageEmulatorFixtures>({
  emulatorOptions: {},
  emulator: async ({ emulatorOptions }, use) => {
    const emulator = createStorageEmulator(emulatorOptions);
    try {
      await use(emulator);
    } finally {
      await emulator.close();
    }
  },
  emulatorUrl: async ({ emulator }, use) => {
    const server = await emulator.listen({ port: 0 });
    await use(server.url);
  },
  // vitest reads a fixture's dependencies from its first parameter, which must be a destructuring pattern.
  storageEmulator: async ({}, use) => {
    const remote = connectStorageEmulator(sharedEmulatorUrl(inject(STORAGE_EMULATOR_URL_KEY)));
    await remote.reset();
    await use(remote);
  },
  convexUrl: async ({ storageEmulator }, use) => {
    await use(storageEmulator.url);
  },
  siteUrl: async ({ storageEmulator }, use) => {
    await use(await storageEmulator.siteUrl());
  },
});
