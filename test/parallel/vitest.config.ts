// The config test/isolation.test.ts runs: the four *.iso.ts files at once, one forked
// process each, with the matchers registered the way users do it (a setup file).
import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";

const root = fileURLToPath(new URL("../../", import.meta.url));
const src = (path: string) => `${root}src/${path}`;

export default defineConfig({
  root,
  resolve: {
    alias: [
      { find: /^convex-storage-emulator$/, replacement: src("index.ts") },
      { find: /^convex-storage-emulator\/vitest$/, replacement: src("vitest.ts") },
    ],
  },
  test: {
    include: ["test/parallel/*.iso.ts"],
    setupFiles: ["convex-storage-emulator/vitest"],
    pool: "forks",
    // One process per file even on a one-CPU machine: the files wait for each other.
    maxWorkers: 4,
    fileParallelism: true,
    testTimeout: 30_000,
  },
});
