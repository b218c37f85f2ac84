// Browser tests drive a Chromium (see chromium.ts for which) with playwright-core,
// which downloads no browser of its own.
import { chromium, type Browser } from "playwright-core";
import { afterAll, beforeAll } from "vitest";
import { serveChat, type ChatServer } from "../../examples/chat/serve.js";
import { CHROMIUM_FLAGS, chromiumPath } from "./chromium.js";

async function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: await chromiumPath(),
    headless: true,
    // The project's own flags (never @sparticuz/chromium's `args`: the CORS checks need web security on).
    args: CHROMIUM_FLAGS,
  });
}

/** Where browser tests write their screenshots (git-ignored). */
export const SCREENSHOTS = new URL("./__screenshots__/", import.meta.url);

/** One browser for the test file: launched before its tests, closed after. Call at the top level. */
export function browserForFile(): () => Browser {
  let browser: Browser | undefined;
  beforeAll(async () => {
    browser = await launchBrowser();
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
  });
  return () => browser!;
}

/** Serves the chat example's page (examples/chat/serve.ts: its React app bundled) on its own origin, so CORS is real. */
export function serveWebApp(): Promise<ChatServer> {
  return serveChat({ port: 0 });
}
