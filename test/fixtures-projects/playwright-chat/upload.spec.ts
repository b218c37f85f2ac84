// The chat page's upload flow in Chromium, asserted on the emulator through the fixture.
import { fileURLToPath } from "node:url";
import { expect, test } from "convex-storage-emulator/playwright";

const PNG = fileURLToPath(new URL("../../../fixtures/image.png", import.meta.url));

test("upload flow: the picked PNG lands in the emulator", async ({ page, storageEmulator }) => {
  await page.goto(`${process.env.CHAT_WEB_URL}/index.html?emulator=${encodeURIComponent(storageEmulator.url)}`);
  await page.setInputFiles("#upload-input", PNG);
  await page.click("#upload-form input[type=submit]");
  await expect(page.locator("#upload-status")).toHaveAttribute("data-state", "loaded");
  const storageId = await page.getAttribute("#upload-status", "data-storage-id");

  expect(await storageEmulator.file(storageId!)).toMatchObject({ contentType: "image/png", size: 475, source: "upload" });
  expect(await storageEmulator.journal.httpRequests("upload")).toMatchObject([{ status: 200, storageId }]);
});

test("each test starts from an empty emulator", async ({ storageEmulator }) => {
  expect(await storageEmulator.files()).toEqual([]);
  expect(await storageEmulator.journal.entries()).toEqual([]);
});
