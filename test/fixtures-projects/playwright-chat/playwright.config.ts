// docs/playwright.md's set-up, run by test/playwright.test.ts: the emulator's CLI running the
// chat app (--convex) and the chat page as webServers, each on a free port, the tests in Chromium.
import { fileURLToPath } from "node:url";
import { defineConfig } from "@playwright/test";
import { CHROMIUM_FLAGS, chromiumPath } from "../../browser/chromium.js";

const ROOT = fileURLToPath(new URL("../../../", import.meta.url));

export default defineConfig({
  testDir: ".",
  reporter: "list",
  // The tests share one emulator and each resets it: one at a time.
  workers: 1,
  timeout: 20_000,
  use: {
    browserName: "chromium",
    // In a project: Playwright's own browser (npx playwright install chromium). Here: the browser tests' Chromium.
    launchOptions: { executablePath: await chromiumPath(), args: CHROMIUM_FLAGS },
  },
  webServer: [
    {
      // In a project: "npx convex-storage-emulator --port 0 --convex convex".
      command: "node bin/convex-storage-emulator.js --port 0 --convex examples/chat/convex",
      cwd: ROOT,
      // The docs' http.ts answers CORS with CLIENT_ORIGIN; the page's port is only known later.
      env: { CLIENT_ORIGIN: "*" },
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
