// What require("convex-storage-emulator") loads where Node cannot require() ES modules
// (before 22.12, or with --no-experimental-require-module). Where it can, the exports'
// "module-sync" condition gives require() the ES build itself. The message is
// errors.esmOnly()'s in src/errors/runtime.ts (a test keeps the two equal); this file is
// CommonJS and cannot import it.
"use strict";
const error = new Error(
  '[convex-storage-emulator] This package is ES modules, and this Node cannot require() them (Node 22.12 or newer can). Use import { createStorageEmulator } from "convex-storage-emulator" (from CommonJS: await import("convex-storage-emulator")).',
);
error.name = "StorageEmulatorError";
error.code = "EsmOnly";
throw error;
