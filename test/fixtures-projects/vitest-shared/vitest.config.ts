// vitest.config.ts
import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    globalSetup: ["convex-storage-emulator/vitest/global-setup"],
    // The tests share one emulator and each resets it: run the files one at a time.
    fileParallelism: false,
  },
});
