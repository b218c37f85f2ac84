// convex-storage-emulator/vitest/global-setup: one emulator for the whole
// vitest run, on a free port, its URL provided to every test worker.
//
//   // vitest.config.ts
//   export default defineConfig({ test: { globalSetup: ["convex-storage-emulator/vitest/global-setup"] } });
//
// Tests reach it through the `storageEmulator` fixture of `test` from
// convex-storage-emulator/vitest, or `inject("convexStorageEmulatorUrl")`.
import { createStorageEmulator } from "../emulator.js";
import { STORAGE_EMULATOR_URL_KEY } from "./provided.js";

/** The part of vitest's TestProject (GlobalSetupContext before vitest 3) used here. */
export interface ProvideContext {
  provide(key: typeof STORAGE_EMULATOR_URL_KEY, value: string): void;
}

/** Starts the run's emulator and provides its URL; the returned function (vitest's teardown) closes it. */
export default async function setup(project: ProvideContext): Promise<() => Promise<void>> {
  const server = await createStorageEmulator().listen({ port: 0 });
  project.provide(STORAGE_EMULATOR_URL_KEY, server.url);
  return () => server.close();
}
