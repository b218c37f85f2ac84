// docs/vitest.md's set-up, run by test/vitest-fixtures.test.ts: one emulator
// for the whole run, started by the globalSetup module.
import { defineConfig } from "vitest/config";
import repository from "../../../vitest.config.js";

export default defineConfig({
  // Only in this repository: the package's name resolves to its sources. Leave it out in a project.
  resolve: repository.resolve,
  test: {
    // Resolved like in a project, through package.json "exports" (dist/: npm test builds first).
    globalSetup: ["convex-storage-emulator/vitest/global-setup"],
    // The tests share one emulator and each resets it: run the files one at a time.
    fileParallelism: false,
  },
});
