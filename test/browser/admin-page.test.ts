// The admin page as a dev tool, in a real browser: the live journal, image
// dimensions and text previews, a fault queued from the page, dark mode.
import { copyFileSync, mkdirSync } from "node:fs";
import { ConvexHttpClient } from "convex/browser";
import { makeFunctionReference } from "convex/server";
import { convexTest } from "convex-test";
import { describe, expect, it } from "vitest";
import { createStorageEmulator } from "convex-storage-emulator";
import { connectConvexTest } from "convex-storage-emulator/convex-test";
import schema from "../clients/convex/schema.js";
import { cleanupAfterEach } from "../support/cleanup.js";
import { fixtures, images } from "../support/fixtures.js";
import { browserForFile, SCREENSHOTS } from "./harness.js";

const browserOf = browserForFile();
const { defer } = cleanupAfterEach();

/** A listening emulator and the admin page open on it, its live journal connected; `app`: test/clients/convex connected. */
async function setup(options: { colorScheme?: "light" | "dark"; app?: boolean } = {}) {
  const emulator = createStorageEmulator();
  if (options.app === true) {
    const modules = import.meta.glob("../clients/convex/**/*.ts");
    const connection = await connectConvexTest(convexTest(schema, modules), emulator, { modules });
    defer(() => connection.disconnect());
  }
  const server = await emulator.listen({ port: 0 });
  defer(server);
  const page = await browserOf().newPage({
    viewport: { width: 1400, height: 900 },
    colorScheme: options.colorScheme ?? "light",
  });
  defer(page);
  const errors: string[] = [];
  page.on("pageerror", (error) => errors.push(error.message));
  await page.goto(`${server.url}/_emulator/`);
  await page.waitForSelector("#live:text('live')");
  return { emulator, server, page, errors };
}

async function uploadPng(uploadUrl: string): Promise<Response> {
  return fetch(uploadUrl, { method: "POST", headers: { "Content-Type": "image/png" }, body: fixtures.png.bytes });
}

async function upload(
  emulator: ReturnType<typeof createStorageEmulator>,
  body: Uint8Array<ArrayBuffer>,
  contentType: string,
): Promise<Response> {
  return fetch(await emulator.writer.generateUploadUrl(), {
    method: "POST",
    headers: { "Content-Type": contentType },
    body,
  });
}

describe("admin page", () => {
  it("journal: an upload by fetch appears at once, newest first, and the file table follows, without a reload", async () => {
    const { emulator, page, errors } = await setup();
    expect((await upload(emulator, fixtures.png.bytes, "image/png")).status).toBe(200);
    const row = page.locator("#journal tr[data-route=upload]");
    await row.first().waitFor();
    expect(await row.first().locator("td").nth(1).textContent()).toBe("POST");
    expect(await row.first().locator("td.status").textContent()).toBe("200");
    await page.waitForSelector("#files tr[data-storage-id]");
    expect(await page.locator("#files td.image").first().textContent()).toBe("png 16×16");
    expect(errors).toEqual([]);
  });

  it("journal: an upload from the page in another tab shows up in the first", async () => {
    const { page, server } = await setup();
    const other = await browserOf().newPage();
    defer(other);
    await other.goto(`${server.url}/_emulator/`);
    await other.setInputFiles("#file", images.webp.path);
    await other.click("#upload button[type=submit]");
    await page.locator("#journal tr[data-route=upload]").first().waitFor();
    await page.waitForSelector("#files tr[data-storage-id]");
    expect(await page.locator("#files td.image").first().textContent()).toBe("webp 12×8");
  });

  it("calls and database: a client's mutations show live, and the image's _storage document links to its file row and URL", async () => {
    const { emulator, server, page, errors } = await setup({ app: true });
    await page.waitForSelector("#database-summary:text('4 tables')");
    const client = new ConvexHttpClient(server.url, { logger: false });
    const uploadUrl = await client.mutation(
      makeFunctionReference<"mutation", Record<string, never>, string>("messages:generateUploadUrl"),
      {},
    );
    const { storageId } = (await (await uploadPng(uploadUrl)).json()) as { storageId: string };
    await client.mutation(
      makeFunctionReference<"mutation", { storageId: string; author: string }, null>("messages:sendImage"),
      { storageId, author: "Ada" },
    );
    const call = page.locator("#calls tr[data-path='messages:sendImage']");
    await call.waitFor();
    const [, kind, path, args, via, outcome, duration] = await call.locator("td").allTextContents();
    expect([kind, path, JSON.parse(args!), via, outcome, duration]).toEqual([
      "mutation",
      "messages:sendImage",
      { storageId, author: "Ada" },
      "HTTP API",
      "ok",
      expect.stringMatching(/^\d+\.\d ms$/),
    ]);
    const doc = page.locator(`section[data-table=_storage] tr[data-id='${storageId}']`);
    await doc.waitFor();
    const { uuid } = emulator.file(storageId)!;
    expect(await doc.locator("a.file-url").getAttribute("href")).toBe(`${server.url}/api/storage/${uuid}`);
    await page.locator("section[data-table=messages] tr").first().waitFor();
    expect(JSON.parse((await page.locator("section[data-table=messages] td.json").textContent())!)).toMatchObject({
      author: "Ada",
      body: storageId,
      format: "image",
    });
    await doc.locator("a.file-row").click();
    expect(new URL(page.url()).hash).toBe(`#file-${storageId}`);
    expect(await page.locator(`#files tr:target`).getAttribute("data-storage-id")).toBe(storageId);
    expect(errors).toEqual([]);
    mkdirSync(SCREENSHOTS, { recursive: true });
    await page.screenshot({ path: new URL("admin-database.png", SCREENSHOTS).pathname, fullPage: true });
  });

  it("journal: filtering by route and status hides the other rows", async () => {
    const { emulator, page } = await setup();
    await upload(emulator, fixtures.text.bytes, "text/plain");
    await fetch(`${emulator.url}/api/storage/not-a-uuid`);
    await page.locator("#journal tr[data-route=serve]").first().waitFor();
    await page.selectOption("#filter-status", "failed");
    expect(
      await page
        .locator("#journal tr:not([hidden])")
        .evaluateAll((rows) => rows.map((r) => (r as HTMLElement).dataset.route)),
    ).toEqual(["serve"]);
    await page.selectOption("#filter-status", "");
    await page.selectOption("#filter-route", "upload");
    expect(await page.locator("#journal tr:not([hidden])").count()).toBe(1);
  });

  it("faults: queued from the page by keyboard, the next upload fails with that status", async () => {
    const { emulator, page } = await setup();
    await page.focus("#fault-route");
    await page.selectOption("#fault-route", "upload");
    await page.fill("#fault-status", "503");
    await page.focus("#fault button[type=submit]");
    await page.keyboard.press("Enter");
    await page.waitForSelector("#fault-result[data-state=queued]");
    expect(emulator.faults.pending()).toMatchObject([{ route: "upload", status: 503 }]);
    expect((await upload(emulator, fixtures.png.bytes, "image/png")).status).toBe(503);
    expect((await upload(emulator, fixtures.png.bytes, "image/png")).status).toBe(200);
    await page.locator("#journal tr.failed[data-route=upload]").waitFor();
  });

  it("files: previews of text and JSON, image dimensions, human sizes; screenshotted in light and dark", async () => {
    const { emulator, page } = await setup();
    await emulator.seed({ path: fixtures.png.path });
    await emulator.seed({ path: images.gif.path });
    await emulator.seed({ path: fixtures.text.path });
    await emulator.seed({
      bytes: JSON.stringify({ author: "Ada", likes: 3 }, null, 2),
      contentType: "application/json",
    });
    await emulator.seed({ bytes: new Uint8Array(3 * 1024 * 1024), contentType: "application/octet-stream" });
    await page.reload();
    await page.waitForSelector("#files pre.preview");
    await page.waitForFunction(() => document.querySelectorAll("#files pre.preview").length === 2);
    const previews = await page.locator("#files pre.preview").allTextContents();
    expect(previews[0]).toBe("Hello, Convex!\nGrüße, 世界, 🚀\nCafé naïve façade — ok.\n");
    expect(previews[1]).toBe('{\n  "author": "Ada",\n  "likes": 3\n}');
    expect(await page.locator("#files td.image").allTextContents()).toEqual(["png 16×16", "gif 3×2", "", "", ""]);
    expect(await page.locator("#files td.num").allTextContents()).toEqual(["475 B", "38 B", "66 B", "35 B", "3.0 MiB"]);
    await page.waitForFunction(() =>
      [...document.querySelectorAll<HTMLImageElement>("img.thumb")].every(
        (img) => img.complete && img.naturalWidth > 0,
      ),
    );
    mkdirSync(SCREENSHOTS, { recursive: true });
    await page.screenshot({ path: new URL("admin-light.png", SCREENSHOTS).pathname, fullPage: true });
    await page.emulateMedia({ colorScheme: "dark" });
    const background = await page.evaluate(() => getComputedStyle(document.documentElement).backgroundColor);
    expect(background).toBe("rgb(20, 20, 22)");
    await page.screenshot({ path: new URL("admin-dark.png", SCREENSHOTS).pathname, fullPage: true });
    // The docs' picture is the light one; refresh it with UPDATE_DOCS_SCREENSHOT=1.
    if (process.env.UPDATE_DOCS_SCREENSHOT === "1")
      copyFileSync(new URL("admin-light.png", SCREENSHOTS), new URL("../../docs/admin-page.png", import.meta.url));
  });
});
