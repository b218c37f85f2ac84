// convex-storage-emulator/vitest/global-setup: one emulator for the whole
// vitest run, on a free port, its URL provided to every test worker. With
// CONVEX_STORAGE_EMULATOR_CONVEX=DIR it runs that app as `--convex DIR` does.
//
//   // vitest.config.ts
//   export default defineConfig({ test: { globalSetup: ["convex-storage-emulator/vitest/global-setup"] } });
//
// Tests reach it through the `storageEmulator`, `convexUrl` and `siteUrl` fixtures of
// `test` from convex-storage-emulator/vitest, or `inject("convexStorageEmulatorUrl")`.
import { envName } from "../cli/args.js";
import { startConvexApp } from "../convex-app.js";
import { createStorageEmulator } from "../emulator.js";
import { STORAGE_EMULATOR_URL_KEY } from "./provided.js";

/** The part of vitest's TestProject (GlobalSetupContext before vitest 3) used here. */
export interface ProvideContext {
  provide(key: typeof STORAGE_EMULATOR_URL_KEY, value: string): void;
}

/** Starts the run's emulator and provides its URL; the returned function (vitest's teardown) closes it. */
export default async function setup(
  project: ProvideContext,
  env: NodeJS.ProcessEnv = process.env,
): Promise<() => Promise<void>> {
  const convex = env[envName("convex")];
  const emulator = convex ? (await startConvexApp(convex)).emulator : createStorageEmulator();
  const server = await emulator.listen({ port: 0 });
  project.provide(STORAGE_EMULATOR_URL_KEY, server.url);
  return () => server.close();
}
