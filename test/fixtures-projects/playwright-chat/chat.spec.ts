// The docs' chat page (React, ConvexReactClient) in Chromium against the emulator running
// the app, pointed at it by the convexUrl and siteUrl fixtures, asserted through storageEmulator.
import { fileURLToPath } from "node:url";
import { ConvexHttpClient } from "convex/browser";
import { anyApi } from "convex/server";
import { expect, test } from "convex-storage-emulator/playwright";

const PNG = fileURLToPath(new URL("../../../fixtures/image.png", import.meta.url));

test("3-step upload: the picked PNG is stored and shown from getUrl", async ({
  page,
  convexUrl,
  siteUrl,
  storageEmulator,
}) => {
  await page.goto(
    `${process.env.CHAT_WEB_URL}/?convex=${encodeURIComponent(convexUrl)}&site=${encodeURIComponent(siteUrl)}`,
  );
  await page.locator("#url-app input[type=file]").setInputFiles(PNG);
  await page.locator('#url-app input[type=submit][value="Send Image"]').click();
  await expect(page.locator("#url-app li img")).toHaveJSProperty("naturalWidth", 16);

  const [file] = await storageEmulator.files();
  expect(file).toMatchObject({ contentType: "image/png", size: 475, source: "upload" });
  await expect(page.locator("#url-app li img")).toHaveAttribute("src", `${convexUrl}/api/storage/${file!.uuid}`);
});

test("each test starts from an empty emulator and database", async ({ convexUrl, storageEmulator }) => {
  expect(await storageEmulator.files()).toEqual([]);
  expect(await new ConvexHttpClient(convexUrl).query(anyApi.messages!.list!, {})).toEqual([]);
});
