// vitest.config.ts: one emulator for the run, running the app of CONVEX_STORAGE_EMULATOR_CONVEX
// (test/vitest-fixtures.test.ts sets it to examples/chat/convex, as an npm script would).
import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    globalSetup: ["convex-storage-emulator/vitest/global-setup"],
    // The tests share one emulator and each resets it: run the files one at a time.
    fileParallelism: false,
  },
});
