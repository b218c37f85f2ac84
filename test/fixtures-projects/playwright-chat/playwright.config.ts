// docs/playwright.md's set-up, run by test/playwright.test.ts: the emulator's
// CLI and the chat page as webServers, each on a free port, the tests in Chromium.
import { fileURLToPath } from "node:url";
import { defineConfig } from "@playwright/test";

const ROOT = fileURLToPath(new URL("../../../", import.meta.url));

export default defineConfig({
  testDir: ".",
  reporter: "list",
  // The tests share one emulator and each resets it: one at a time.
  workers: 1,
  timeout: 20_000,
  use: {
    browserName: "chromium",
    // The Chromium the browser tests use (test/playwright.test.ts resolves it), with the project's flags.
    launchOptions: {
      executablePath: process.env.CHROMIUM_PATH,
      args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
    },
  },
  webServer: [
    {
      // In a project: "npx convex-storage-emulator --port 0".
      command: "node bin/convex-storage-emulator.js --port 0",
      cwd: ROOT,
      // The URL it prints becomes process.env.CONVEX_STORAGE_EMULATOR_URL, which the fixture reads.
      wait: { stdout: /ready on (?<convex_storage_emulator_url>http:\/\/\S+)/ },
    },
    {
      command: "node --import tsx test/fixtures-projects/playwright-chat/serve-web.ts",
      cwd: ROOT,
      wait: { stdout: /web on (?<chat_web_url>http:\/\/\S+)/ },
    },
  ],
});
