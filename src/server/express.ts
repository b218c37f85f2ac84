// Express, loaded on first use, and only for `emulator.app` / `siteApp` (the
// handlers as Express apps, for supertest): a listening server never loads it,
// because loading it slows importing the package and doubles major GCs during
// uploads (bench/LIMITS.md). Synchronous, because `emulator.app` is a getter.
import { createRequire } from "node:module";
import type Express from "express";

type ExpressModule = typeof Express;

const requireFromHere = createRequire(import.meta.url);
let express: ExpressModule | undefined;

export function loadExpress(): ExpressModule {
  return (express ??= requireFromHere("express") as ExpressModule);
}
