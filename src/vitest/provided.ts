// What the globalSetup module hands to the test workers: the shared
// emulator's URL, under a key `inject()` knows the type of.
import { errors } from "../errors.js";
import { STORAGE_EMULATOR_URL_ENV } from "../remote.js";

export { STORAGE_EMULATOR_URL_ENV };

/** `inject(STORAGE_EMULATOR_URL_KEY)`: the URL of the run's emulator, from the globalSetup module. */
export const STORAGE_EMULATOR_URL_KEY = "convexStorageEmulatorUrl";

declare module "vitest" {
  interface ProvidedContext {
    /** The URL of the emulator convex-storage-emulator/vitest/global-setup started for this run (undefined without it). */
    [STORAGE_EMULATOR_URL_KEY]: string | undefined;
  }
}

/**
 * The shared emulator's URL: provided by the globalSetup module, else from
 * CONVEX_STORAGE_EMULATOR_URL, else a FixtureUsage error saying how to get one.
 */
export function sharedEmulatorUrl(provided: string | undefined, env: NodeJS.ProcessEnv = process.env): string {
  const url = provided ?? env[STORAGE_EMULATOR_URL_ENV];
  if (url !== undefined && url !== "") return url;
  throw errors.fixtureUsage(
    "storageEmulator",
    `no emulator to connect to. Add globalSetup: ["convex-storage-emulator/vitest/global-setup"] to the vitest config, or set ${STORAGE_EMULATOR_URL_ENV} to the URL of a running one.`,
  );
}
