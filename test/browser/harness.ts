// Browser tests drive a Chromium (see chromium.ts for which) with playwright-core,
// which downloads no browser of its own.
import { createServer, type Server } from "node:http";
import { readFile } from "node:fs/promises";
import type { AddressInfo } from "node:net";
import { extname, join, normalize } from "node:path";
import { fileURLToPath } from "node:url";
import { chromium, type Browser } from "playwright-core";
import { afterAll, beforeAll } from "vitest";
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

const TYPES: Record<string, string> = { ".html": "text/html; charset=utf-8", ".js": "text/javascript; charset=utf-8" };
const WEB_DIR = fileURLToPath(new URL("../../examples/chat/web/", import.meta.url));

/** Serves examples/chat/web on its own origin (another port than the emulator), so CORS is real. */
export async function serveWebApp(): Promise<{ url: string; close(): Promise<void>; server: Server }> {
  const server = createServer(async (req, res) => {
    const path = normalize(decodeURIComponent(new URL(req.url ?? "/", "http://x").pathname));
    const file = join(WEB_DIR, path === "/" ? "index.html" : path);
    if (!file.startsWith(WEB_DIR)) return void res.writeHead(403).end();
    try {
      const body = await readFile(file);
      res.writeHead(200, { "Content-Type": TYPES[extname(file)] ?? "application/octet-stream" }).end(body);
    } catch {
      res.writeHead(404).end("not found");
    }
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    server,
    close: () => new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    }),
  };
}
