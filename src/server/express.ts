// Express, loaded on first use. Importing it made importing this package take
// ~131 ms instead of ~79 ms (and ~4 MiB more RSS), and the hot Convex routes
// (/api/storage/*) never touch it: a test that only uploads and serves, or a
// CLI that only answers them, does not pay for it. (Synchronous, because
// `emulator.app` is a plain getter.)
import { createRequire } from "node:module";
import type Express from "express";

type ExpressModule = typeof Express;

const requireFromHere = createRequire(import.meta.url);
let express: ExpressModule | undefined;

export function loadExpress(): ExpressModule {
  return (express ??= requireFromHere("express") as ExpressModule);
}
