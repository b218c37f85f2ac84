// Express, loaded on first use, and only for `emulator.app` / `siteApp` (the
// handlers as Express apps, for supertest): a listening server never loads it.
// Importing it made importing this package take ~131 ms instead of ~79 ms
// (and ~4 MiB more RSS), and a process that loaded it ran twice the major GCs
// while uploads streamed in (bench/LIMITS.md). (Synchronous, because
// `emulator.app` is a plain getter.)
import { createRequire } from "node:module";
import type Express from "express";

type ExpressModule = typeof Express;

const requireFromHere = createRequire(import.meta.url);
let express: ExpressModule | undefined;

export function loadExpress(): ExpressModule {
  return (express ??= requireFromHere("express") as ExpressModule);
}
