// The chat page of the Convex docs' "Serving Files" in a real browser: the docs' React
// components (examples/chat/src, bundled) with ConvexReactClient, against the emulator
// running the app's convex/ directory as --convex does, from a page on another origin.
import { mkdirSync } from "node:fs";
import { makeFunctionReference } from "convex/server";
import type { Locator, Page } from "playwright-core";
import { afterEach, describe, expect, it, vi } from "vitest";
import { createStorageEmulator } from "convex-storage-emulator";
import "convex-storage-emulator/vitest";
import { startConvexApp } from "../../src/convex-app.js";
import { cleanupAfterEach } from "../support/cleanup.js";
import { fixtures } from "../support/fixtures.js";
import { browserForFile, SCREENSHOTS, serveWebApp } from "./harness.js";

const browserOf = browserForFile();
const { defer } = cleanupAfterEach();

afterEach(async () => {
  vi.unstubAllEnvs();
});

type Message = { author: string; body: string; format: "text" | "image"; url?: string | null };
const list = makeFunctionReference<"query", Record<string, never>, Message[]>("messages:list");

async function setup() {
  const web = defer(await serveWebApp());
  // The docs' http.ts answers CORS with CLIENT_ORIGIN: the page's origin.
  vi.stubEnv("CLIENT_ORIGIN", web.url);
  const { emulator, t } = await startConvexApp("examples/chat/convex");
  const server = defer(await emulator.listen({ port: 0 }));
  const page = defer(await browserOf().newPage());
  const errors: string[] = [];
  page.on("pageerror", (error) => errors.push(error.message));
  await page.goto(`${web.url}/?convex=${encodeURIComponent(server.url)}&site=${encodeURIComponent(server.siteUrl)}`);
  // The two components: the getUrl one (text and 3-step upload) and the HTTP action one.
  const urlApp = page.locator("#url-app");
  const actionApp = page.locator("#action-app");
  await urlApp.locator("h1").waitFor();
  const messages = () =>
    (t as { query(ref: typeof list, args: Record<string, never>): Promise<Message[]> }).query(list, {});
  return { emulator, page, urlApp, actionApp, messages, errors };
}

/** The user name the component picked ("User 1234"), from its badge. */
async function nameOf(app: Locator): Promise<string> {
  return (await app.locator(".badge span").textContent())!;
}

/** Waits for the n-th image of a component's list to load; its natural width. */
async function loadedImage(page: Page, selector: string): Promise<number> {
  await page.waitForFunction((s) => {
    const img = document.querySelector<HTMLImageElement>(s);
    return img !== null && img.complete && img.naturalWidth > 0;
  }, selector);
  return page.locator(selector).evaluate((img: HTMLImageElement) => img.naturalWidth);
}

describe("browser: the docs' chat app", () => {
  it("text: sendMessage through useMutation, both components' useQuery(list) show it", async () => {
    const { urlApp, actionApp, messages, errors } = await setup();
    const author = await nameOf(urlApp);
    await urlApp.getByPlaceholder("Write a message…").fill("hello from Chromium");
    await urlApp.locator('input[type=submit][value="Send"]').click();
    await urlApp.locator("li", { hasText: "hello from Chromium" }).waitFor();
    await actionApp.locator("li", { hasText: "hello from Chromium" }).waitFor();
    expect(await messages()).toMatchObject([{ author, body: "hello from Chromium", format: "text" }]);
    expect(errors).toEqual([]);
  });

  it("3-step upload: generateUploadUrl, POST the file, sendImage; the <img> from getUrl renders", async () => {
    const { emulator, page, urlApp, messages, errors } = await setup();
    const author = await nameOf(urlApp);
    await urlApp.locator("input[type=file]").setInputFiles(fixtures.png.path);
    await urlApp.locator('input[type=submit][value="Send Image"]').click();
    expect(await loadedImage(page, "#url-app li img")).toBe(16);
    const [message] = await messages();
    expect(message).toMatchObject({ author, format: "image" });
    expect(await page.getAttribute("#url-app li img", "src")).toBe(message!.url);
    expect(emulator).toHaveStoredImage({
      storageId: message!.body,
      format: "png",
      width: 16,
      height: 16,
      source: "upload",
    });
    expect(emulator).toHaveReceivedUpload({ contentType: "image/png" });
    expect(emulator.bytes(message!.body)).toEqual(fixtures.png.bytes);
    // The browser really went cross-origin: a preflight was answered for the upload.
    expect(emulator.journal.httpRequests("cors").length).toBeGreaterThan(0);
    expect(errors).toEqual([]);
  });

  it("HTTP action upload: POST /sendImage on VITE_CONVEX_SITE_URL, the <img src=/getImage> renders", async () => {
    const { emulator, page, actionApp, messages, errors } = await setup();
    const author = await nameOf(actionApp);
    await actionApp.locator("input[type=file]").setInputFiles(fixtures.jpeg.path);
    await actionApp.locator('input[type=submit][value="Send Image"]').click();
    expect(await loadedImage(page, "#action-app li img")).toBe(16);
    const [message] = await messages();
    expect(message).toMatchObject({ author, format: "image" });
    expect(await page.getAttribute("#action-app li img", "src")).toContain(
      `/getImage?storageId=${encodeURIComponent(message!.body)}`,
    );
    expect(emulator).toHaveStoredImage({ storageId: message!.body, format: "jpeg", source: "store" });
    expect(emulator.bytes(message!.body)).toEqual(fixtures.jpeg.bytes);
    expect(errors).toEqual([]);
  });

  it("reset: the page's list empties, as the database and files do", async () => {
    const { emulator, urlApp, errors } = await setup();
    await urlApp.getByPlaceholder("Write a message…").fill("soon gone");
    await urlApp.locator('input[type=submit][value="Send"]').click();
    await urlApp.locator("li").first().waitFor();
    await emulator.reset();
    await urlApp.locator("li").first().waitFor({ state: "detached" });
    expect(emulator.files()).toEqual([]);
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
    expect(await page.textContent("#summary")).toBe(
      `3 files, ${fixtures.png.size + fixtures.jpeg.size + fixtures.pdf.size} bytes`,
    );
    // Images get thumbnails that really load; the PDF gets none.
    await page.waitForFunction(() =>
      [...document.querySelectorAll<HTMLImageElement>("img.thumb")].every(
        (img) => img.complete && img.naturalWidth > 0,
      ),
    );
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
