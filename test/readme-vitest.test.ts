// The vitest examples of docs/api.md ("Testing with vitest"), verbatim, and the README's
// failing-matcher output: if one breaks, this file fails.
import { afterEach, beforeEach, expect, test } from "vitest";
import "convex-storage-emulator/vitest";
import { failure } from "./support/failure.js";
import { codeBlocks, readMarkdown } from "./support/markdown.js";

// The README's example itself runs in test/package.test.ts, as a test file of an installed project.
import { createStorageEmulator } from "convex-storage-emulator";

const emulator = createStorageEmulator();
beforeEach(() => emulator.reset());

test("README: the failing matcher's message is the one shown", async () => {
  // The README example's 1×1 PNG, seeded as it seeds it.
  const png = /Buffer\.from\("([^"]+)", "base64"\)/.exec(readMarkdown("README.md"))![1]!;
  const avatarId = await emulator.seed({ bytes: Buffer.from(png, "base64"), contentType: "image/png" });
  const { message } = failure(() => expect(emulator).toHaveStoredFile({ contentType: "image/jpeg" }));
  const shown = codeBlocks(readMarkdown("README.md"), "").find((block) =>
    block.startsWith("[convex-storage-emulator] expect(emulator)"),
  );
  // The README shows a made-up id in place of the random one.
  expect(`${message.replace(avatarId, "kg24ja2k6ahw8ekjz14t82rgswkw4r8s")}\n`).toBe(shown);
});

// docs/api.md: "Testing with vitest"
test("the client uploads a PNG", async () => {
  await using emulator = createStorageEmulator(); // closes its server when the test ends
  await emulator.listen({ port: 0 });
  const uploadUrl = await emulator.storage.generateUploadUrl();
  const png = new Uint8Array([0x89, 0x50, 0x4e, 0x47]); // any bytes: the upload is what is asserted
  await fetch(uploadUrl, { method: "POST", headers: { "Content-Type": "image/png" }, body: png });
  expect(emulator).toHaveReceivedUpload({ contentType: "image/png" });
});
// README end

// docs/api.md: "Faults"
test("an upload that fails once is retried", async () => {
  await using emulator = createStorageEmulator();
  await emulator.listen({ port: 0 });
  emulator.faults.next({ route: "upload", status: 500 }); // the next upload only
  const uploadUrl = await emulator.storage.generateUploadUrl();
  const post = () => fetch(uploadUrl, { method: "POST", body: "retry me" });
  expect((await post()).status).toBe(500);
  expect(emulator).toHaveStoredFiles(0);
  expect((await post()).status).toBe(200);
  expect(emulator).toHaveStoredFile({ text: "retry me" });
});

test("store() rejects twice, then works", async () => {
  const emulator = createStorageEmulator();
  emulator.faults.next({ route: "store", error: "quota exceeded", times: 2 });
  const store = () => emulator.storage.store(new Blob(["x"]));
  await expect(store()).rejects.toThrow("quota exceeded");
  await expect(store()).rejects.toThrow("quota exceeded");
  await expect(store()).resolves.toBeStoredIn(emulator);
  expect(emulator.journal.failures().map((e) => e.errorCode)).toEqual(["InjectedFault", "InjectedFault"]);
});
// README end

// docs/api.md: "The clock"
import { vi } from "vitest";

afterEach(() => vi.useRealTimers());

test("upload URLs expire after an hour: a manual clock", async () => {
  let clock = 0;
  await using emulator = createStorageEmulator({ now: () => clock });
  await emulator.listen({ port: 0 });
  const uploadUrl = await emulator.storage.generateUploadUrl();
  clock += 60 * 60 * 1000;
  expect((await fetch(uploadUrl, { method: "POST", body: "late" })).status).toBe(401);
});

test("upload URLs expire after an hour: fake timers", async () => {
  vi.useFakeTimers();
  vi.setSystemTime(new Date("2030-01-01T00:00:00Z"));
  await using emulator = createStorageEmulator(); // the default clock is Date.now
  await emulator.listen({ port: 0 });
  const uploadUrl = await emulator.storage.generateUploadUrl();
  vi.advanceTimersByTime(60 * 60 * 1000);
  expect((await fetch(uploadUrl, { method: "POST", body: "late" })).status).toBe(401);
});
// README end
