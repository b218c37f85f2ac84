// The seed's two flows in a real browser: an <input type="file"> upload and
// an <img> that loads the file, from a page on another origin.
import { mkdirSync } from "node:fs";
import type { Page } from "playwright-core";
import { afterEach, describe, expect, it, vi } from "vitest";
import { createStorageEmulator } from "convex-storage-emulator";
import { cleanupAfterEach } from "../cleanup.js";
import { http } from "../e2e/chat-app.js";
import { fixtures } from "../fixtures.js";
import { browserForFile, SCREENSHOTS, serveWebApp } from "./harness.js";

const browserOf = browserForFile();
const { defer } = cleanupAfterEach();

afterEach(async () => {
  vi.unstubAllEnvs();
});

async function setup() {
  const web = await serveWebApp();
  defer(web);
  // The seed's http.ts answers CORS with CLIENT_ORIGIN: the page's origin.
  vi.stubEnv("CLIENT_ORIGIN", web.url);
  const saved: unknown[] = [];
  const emulator = createStorageEmulator({ http, run: { mutation: async (_ref, args) => (saved.push(args), null) } });
  const server = await emulator.listen({ port: 0 });
  defer(server);
  const page = await browserOf().newPage();
  defer(page);
  const errors: string[] = [];
  page.on("pageerror", (error) => errors.push(error.message));
  await page.goto(`${web.url}/index.html?emulator=${encodeURIComponent(server.url)}&site=${encodeURIComponent(server.siteUrl)}`);
  return { emulator, page, saved, errors, web };
}

async function naturalWidth(page: Page, selector: string): Promise<number> {
  return page.locator(selector).evaluate((img: HTMLImageElement) => img.naturalWidth);
}

describe("browser", () => {
  it("upload flow: pick a PNG, POST it to the upload URL, the <img> from getUrl renders", async () => {
    const { emulator, page, errors } = await setup();
    await page.setInputFiles("#upload-input", fixtures.png.path);
    await page.click("#upload-form input[type=submit]");
    await page.waitForSelector("#upload-status[data-state]");
    expect(await page.getAttribute("#upload-status", "data-state")).toBe("loaded");
    expect(await naturalWidth(page, "#upload-result img")).toBe(16);
    const storageId = (await page.getAttribute("#upload-status", "data-storage-id"))!;
    expect(emulator.file(storageId)).toMatchObject({ contentType: "image/png", source: "upload" });
    expect(emulator.bytes(storageId)).toEqual(fixtures.png.bytes);
    // The browser really went cross-origin: a preflight was answered for the upload.
    expect(emulator.journal.httpRequests("cors").length).toBeGreaterThan(0);
    expect(errors).toEqual([]);
  });

  it("HTTP action flow: POST /sendImage from the page, <img src=/getImage> renders", async () => {
    const { emulator, page, saved, errors } = await setup();
    await page.setInputFiles("#action-input", fixtures.jpeg.path);
    await page.click("#action-form input[type=submit]");
    await page.waitForSelector("#action-status[data-state]");
    expect(await page.getAttribute("#action-status", "data-state")).toBe("loaded");
    expect(await naturalWidth(page, "#action-result img")).toBe(16);
    const storageId = (await page.getAttribute("#action-status", "data-storage-id"))!;
    expect(emulator.file(storageId)).toMatchObject({ contentType: "image/jpeg", source: "store" });
    expect(emulator.bytes(storageId)).toEqual(fixtures.jpeg.bytes);
    expect(saved).toEqual([{ storageId, author: "Browser" }]);
    expect(errors).toEqual([]);
  });

  it("a missing image: the <img> gets a 404, the page shows it and keeps working", async () => {
    const { emulator, page, errors } = await setup();
    await page.click("#missing-button");
    await page.waitForSelector("#missing-status[data-state]");
    expect(await page.textContent("#missing-status")).toBe("Image not found");
    expect(emulator.journal.httpRequests("serve").map((r) => r.status)).toEqual([404]);
    await page.setInputFiles("#upload-input", fixtures.png.path);
    await page.click("#upload-form input[type=submit]");
    await page.waitForSelector("#upload-status[data-state=loaded]");
    expect(errors).toEqual([]);
  });

  it("admin page: lists files with thumbnails, deletes one, and is screenshotted", async () => {
    const emulator = createStorageEmulator();
    await emulator.seed({ path: fixtures.png.path });
    await emulator.seed({ path: fixtures.jpeg.path });
    const pdf = await emulator.seed({ path: fixtures.pdf.path });
    const server = await emulator.listen({ port: 0 });
    defer(server);
    const page = await browserOf().newPage({ viewport: { width: 1400, height: 600 } });
    defer(page);
    await page.goto(`${server.url}/_emulator/`);
    await page.waitForSelector("#files tr[data-storage-id]");
    expect(await page.locator("#files tr[data-storage-id]").count()).toBe(3);
    expect(await page.textContent("#summary")).toBe(`3 files, ${fixtures.png.size + fixtures.jpeg.size + fixtures.pdf.size} bytes`);
    // Images get thumbnails that really load; the PDF gets none.
    await page.waitForFunction(() => [...document.querySelectorAll<HTMLImageElement>("img.thumb")].every((img) => img.complete && img.naturalWidth > 0));
    expect(await page.locator("img.thumb").count()).toBe(2);
    mkdirSync(SCREENSHOTS, { recursive: true });
    await page.screenshot({ path: new URL("admin.png", SCREENSHOTS).pathname, fullPage: true });

    await page.click(`tr[data-storage-id="${pdf}"] button.delete`);
    await page.waitForFunction(() => document.querySelectorAll("#files tr[data-storage-id]").length === 2);
    expect(emulator.file(pdf)).toBeNull();

    page.once("dialog", (dialog) => void dialog.accept());
    await page.click("#reset");
    await page.waitForSelector("#files td.empty");
    expect(emulator.files()).toEqual([]);
  });
});
