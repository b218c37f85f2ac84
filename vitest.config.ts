import { fileURLToPath } from "node:url";
import { configDefaults, defineConfig } from "vitest/config";

const src = (path: string) => fileURLToPath(new URL(`./src/${path}`, import.meta.url));

export default defineConfig({
  resolve: {
    // Tests (and the README examples they hold) import the package by name; run it from the sources.
    alias: [
      { find: /^convex-storage-emulator$/, replacement: src("index.ts") },
      { find: /^convex-storage-emulator\/convex-test$/, replacement: src("convex-test.ts") },
      { find: /^convex-storage-emulator\/vitest$/, replacement: src("vitest.ts") },
      { find: /^convex-storage-emulator\/vitest\/global-setup$/, replacement: src("vitest/global-setup.ts") },
    ],
  },
  test: {
    // examples/chat holds the docs' convex-test example as a test next to the app it runs.
    include: ["test/**/*.test.ts", "examples/**/*.test.ts"],
    // Projects with their own vitest config, run by the tests that use them.
    exclude: [...configDefaults.exclude, "test/fixtures-projects/**"],
    // test/types.test-d.ts is checked by tsc (`npm run typecheck`, which `npm test` runs first):
    // vitest's own typecheck prints an "experimental feature" warning on every run.
    // Each test file builds its own emulators; files run in parallel workers.
    pool: "forks",
    reporters: ["default", "./test/support/summary-reporter.ts"],
    testTimeout: 20_000,
  },
});
