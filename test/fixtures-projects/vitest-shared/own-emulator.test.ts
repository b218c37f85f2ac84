// Tests with an emulator of their own, through the `emulator` fixture.
import { expect } from "vitest";
import { test } from "convex-storage-emulator/vitest";

test("a fresh in-process emulator", async ({ emulator }) => {
  const storageId = await emulator.storage.store(new Blob(["hello"], { type: "text/plain" }));
  expect(storageId).toBeStoredIn(emulator);
  expect(emulator).toHaveStoredFile({ text: "hello", contentType: "text/plain" });
});

test("listening on a free port when the test asks for emulatorUrl", async ({ emulator, emulatorUrl }) => {
  const res = await fetch(await emulator.storage.generateUploadUrl(), { method: "POST", body: "hi" });
  expect(res.status).toBe(200);
  expect(emulator.url).toBe(emulatorUrl);
  expect(emulator).toHaveReceivedUpload();
});

test("the shared emulator is still there, and empty", async ({ storageEmulator }) => {
  await expect(storageEmulator).toHaveStoredFiles(0);
});
