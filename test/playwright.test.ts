// convex-storage-emulator/playwright for real: an @playwright/test run of
// test/fixtures-projects/playwright-chat (docs/playwright.md's config: the CLI
// and the chat page as webServers), the upload asserted through the fixture.
import { readFileSync } from "node:fs";
import { defineConfig } from "@playwright/test";
import { describe, expect, it } from "vitest";
import { STORAGE_EMULATOR_URL_ENV } from "../src/index.js";
import { chromiumPath } from "./browser/chromium.js";
import { ROOT, runToEnd } from "./support/run-to-end.js";

const CONFIG = "test/fixtures-projects/playwright-chat/playwright.config.ts";

/** The browser tests' Chromium, or why there is none. */
async function chromium(): Promise<{ path: string } | { missing: string }> {
  try {
    return { path: await chromiumPath() };
  } catch (error) {
    return { missing: (error as Error).message };
  }
}

describe("playwright", () => {
  it("playwright: the chat app's page uploads through the convexUrl fixture; the storageEmulator fixture sees it, reset before each test", async (context) => {
    const found = await chromium();
    if ("missing" in found) {
      // Printed so that a skip is never silent.
      console.warn(`playwright test skipped: ${found.missing}`);
      context.skip(found.missing);
      return;
    }
    // The fixture must get its URL from the webServer's ready line, not from this environment.
    const env = { CHROMIUM_PATH: found.path, [STORAGE_EMULATOR_URL_ENV]: undefined };
    const { code, output } = await runToEnd(
      process.execPath,
      ["node_modules/@playwright/test/cli.js", "test", "--config", CONFIG],
      { cwd: ROOT, env },
    );
    expect(code, output).toBe(0);
    expect(output).toContain("› 3-step upload: the picked PNG is stored and shown from getUrl");
    expect(output).toContain("› each test starts from an empty emulator and database");
    expect(output).toMatch(/\b2 passed\b/);
  }, 60_000);
});

describe("docs/playwright.md", () => {
  it("docs/playwright.md: the emulator's webServer entry captures the URL of the CLI's ready line, as the example's does", () => {
    const config = defineConfig({
      // playwright.config.ts, in defineConfig({ … }):
      workers: 1,
      webServer: [
        {
          command: "npx convex-storage-emulator --port 0",
          wait: { stdout: /ready on (?<convex_storage_emulator_url>http:\/\/\S+)/ },
        },
        {
          // Your app, told where the emulator is (here: through the variable its dev server reads).
          command: "npm run dev",
          url: "http://localhost:5173",
        },
      ],
    });
    const [emulator] = config.webServer as { wait: { stdout: RegExp } }[];
    // Playwright stores each named group in the variable of its name in upper case.
    expect(emulator!.wait.stdout.exec("ready on http://127.0.0.1:41234\n")?.groups).toEqual({
      convex_storage_emulator_url: "http://127.0.0.1:41234",
    });
    const example = readFileSync(new URL(`../${CONFIG}`, import.meta.url), "utf8");
    expect(example).toContain(`wait: { stdout: ${emulator!.wait.stdout} },`);
  });
});
