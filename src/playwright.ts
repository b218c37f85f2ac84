// convex-storage-emulator/playwright: Playwright's `test` with a
// `storageEmulator` fixture, a remote handle on the emulator the config's
// webServer started (docs/playwright.md), reset before each test; `convexUrl`
// and `siteUrl` are its two origins, for the app's Convex client.
//
//   import { expect, test } from "convex-storage-emulator/playwright";
//   test("upload", async ({ page, storageEmulator }) => {
//     …
//     expect(await storageEmulator.files()).toHaveLength(1);
//   });
import { test as base } from "@playwright/test";
import { DEFAULT_ORIGIN } from "./options.js";
import { connectStorageEmulator, STORAGE_EMULATOR_URL_ENV, type RemoteStorageEmulator } from "./remote.js";

export interface StorageEmulatorTestFixtures {
  /**
   * A remote handle on the emulator at CONVEX_STORAGE_EMULATOR_URL (default
   * http://127.0.0.1:3210), reset before the test (with --convex, the app's
   * tables too). Tests sharing one emulator must not run at the same time: use `workers: 1`.
   */
  storageEmulator: RemoteStorageEmulator;
  /** The emulator's cloud origin, reset before the test: `new ConvexReactClient(convexUrl)`, VITE_CONVEX_URL. */
  convexUrl: string;
  /** The emulator's site origin (HTTP actions), reset before the test: VITE_CONVEX_SITE_URL. */
  siteUrl: string;
}

export const test = base.extend<StorageEmulatorTestFixtures>({
  // Playwright reads a fixture's dependencies from its first parameter, which must be a destructuring pattern.
  storageEmulator: async ({}, use) => {
    const remote = connectStorageEmulator(process.env[STORAGE_EMULATOR_URL_ENV] || DEFAULT_ORIGIN);
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

export { expect } from "@playwright/test";
