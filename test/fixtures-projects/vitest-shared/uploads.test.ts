// Tests on the run's shared emulator, through the `storageEmulator` fixture.
import { expect, inject } from "vitest";
import { test } from "convex-storage-emulator/vitest";

const PNG = new Uint8Array([0x89, 0x50, 0x4e, 0x47]);

test("an upload lands in the shared emulator", async ({ storageEmulator }) => {
  // What the app under test would do: get an upload URL, POST the file to it.
  const uploadUrl = await storageEmulator.generateUploadUrl();
  const res = await fetch(uploadUrl, { method: "POST", headers: { "Content-Type": "image/png" }, body: PNG });
  const { storageId } = (await res.json()) as { storageId: string };

  await expect(storageEmulator).toHaveReceivedUpload({ contentType: "image/png" });
  await expect(storageId).toBeStoredIn(storageEmulator);
  await expect(storageEmulator).toHaveStoredFile({ contentType: "image/png", bytes: PNG });
});

test("each test starts from an empty emulator", async ({ storageEmulator }) => {
  await expect(storageEmulator).toHaveStoredFiles(0);
  await expect(storageEmulator).not.toHaveReceivedUpload();
  // The URL the globalSetup module provided (undefined in a run without it).
  const url: string | undefined = inject("convexStorageEmulatorUrl");
  expect(storageEmulator.url).toBe(url);
});
