// A stored page opened from its file URL, in a real browser, against the admin
// routes that share the emulator's origin (docs/security.md).
import { describe, expect, it } from "vitest";
import { createStorageEmulator } from "convex-storage-emulator";
import { cleanupAfterEach } from "../support/cleanup.js";
import { waitFor } from "../support/wait.js";
import { browserForFile } from "./harness.js";

const browserOf = browserForFile();
const { defer } = cleanupAfterEach();

// What a hostile upload would try: read every file, then wipe them; it reports on its root element.
const ATTEMPT = `(async () => {
  const out = {};
  try { out.read = (await fetch("/_emulator/files")).status; } catch { out.read = "blocked"; }
  try { out.reset = (await fetch("/_emulator/reset", { method: "POST" })).status; } catch { out.reset = "blocked"; }
  document.documentElement.setAttribute("data-out", JSON.stringify(out));
})();`;
const HTML_PAGE = `<!doctype html><html><script>${ATTEMPT}</script></html>`;
const SVG_PAGE = `<svg xmlns="http://www.w3.org/2000/svg"><script>${ATTEMPT}</script></svg>`;

describe("stored page", () => {
  it.each([
    ["text/html; charset=utf-8", HTML_PAGE],
    ["image/svg+xml", SVG_PAGE],
    // No type: the browser sniffs it as HTML.
    [null, HTML_PAGE],
  ])(
    "serve: a stored page (%s) runs its scripts sandboxed: it can neither read nor reset through the admin routes",
    async (contentType, body) => {
      const emulator = createStorageEmulator();
      const server = await emulator.listen({ port: 0 });
      defer(server);
      const kept = await emulator.seed({ bytes: "precious", contentType: "text/plain" });
      const id = await emulator.seed({ bytes: body, ...(contentType === null ? {} : { contentType }) });
      const page = await browserOf().newPage();
      defer(page);
      await page.goto((await emulator.storage.getUrl(id))!);
      const out = await waitFor(() => page.evaluate(() => document.documentElement.getAttribute("data-out")), {
        timeoutMs: 10_000,
      });
      expect(JSON.parse(out)).toEqual({ read: "blocked", reset: "blocked" });
      expect(emulator.file(kept)).not.toBeNull();
    },
  );
});
