// What require("convex-storage-emulator") loads (the "require" condition of the
// package's exports): the package is ESM only, so say so instead of failing on
// an import statement. The message is errors.esmOnly()'s in src/errors.ts (a
// test keeps the two equal); this file is CommonJS and cannot import it.
"use strict";
const error = new Error(
  '[convex-storage-emulator] This package is ESM only, so require() cannot load it. Use import { createStorageEmulator } from "convex-storage-emulator" (from CommonJS: await import("convex-storage-emulator")).',
);
error.name = "StorageEmulatorError";
error.code = "EsmOnly";
throw error;
