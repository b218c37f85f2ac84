import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    typecheck: { enabled: true, include: ["test/**/*.test-d.ts"] },
    // Each test file builds its own emulators; files run in parallel workers.
    pool: "forks",
    testTimeout: 20_000,
  },
});
