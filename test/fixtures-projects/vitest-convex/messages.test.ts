// The app's own Convex client in vitest, at the run's shared emulator (convexUrl), which runs
// the chat app's functions; each test starts from an empty database and no files.
import { ConvexHttpClient } from "convex/browser";
import { anyApi } from "convex/server";
import { expect } from "vitest";
import { test } from "convex-storage-emulator/vitest";

test("the 3-step upload through the app's client lands in the shared emulator", async ({
  convexUrl,
  storageEmulator,
}) => {
  const client = new ConvexHttpClient(convexUrl);
  const postUrl = await client.mutation(anyApi.messages!.generateUploadUrl!, {});
  const res = await fetch(postUrl, { method: "POST", headers: { "Content-Type": "text/plain" }, body: "hello" });
  const { storageId } = (await res.json()) as { storageId: string };
  await client.mutation(anyApi.messages!.sendImage!, { storageId, author: "Ada" });

  expect(await client.query(anyApi.messages!.list!, {})).toMatchObject([
    { author: "Ada", format: "image", body: storageId },
  ]);
  await expect(storageEmulator).toHaveStoredFile({ storageId, contentType: "text/plain", size: 5 });
});

test("the next test finds the database and the files empty", async ({ convexUrl, storageEmulator }) => {
  expect(await new ConvexHttpClient(convexUrl).query(anyApi.messages!.list!, {})).toEqual([]);
  await expect(storageEmulator).toHaveStoredFiles(0);
});
