// docs/api.md's examples, verbatim (test/docs.test.ts checks that every
// block of README.md and docs/ is held by a test file): if one breaks, this file fails.
import { existsSync } from "node:fs";
import { expect, test } from "vitest";
import { cleanupAfterEach } from "./support/cleanup.js";
import { http } from "./e2e/chat-app.js";

const { tempDir } = cleanupAfterEach();

// The README's examples are whole test files: test/package.test.ts runs each, from the README
// itself, in a project that installed the packed package.
import { createStorageEmulator } from "convex-storage-emulator";

test("docs/api.md: every option of the Options block is accepted", () => {
  const clock = 0;
  const query = async () => null;
  const mutation = async () => null;
  const action = async () => null;
  // `persist: ".storage"` is relative: keep it out of the repository.
  const cwd = process.cwd();
  process.chdir(tempDir());
  try {
    // docs/api.md: "Options"
    createStorageEmulator({
      url: "https://happy-animal-123.convex.cloud", // origin in URLs (default: the listening server's, else http://127.0.0.1:3210)
      now: () => clock, // injectable clock (ms): _creationTime and upload-token expiry
      uploadUrlTtlMs: 3_600_000, // upload URL lifetime (default one hour, like Convex)
      maxFileBytes: 10_000_000, // larger files: 413 / FileTooLarge, nothing stored (default unlimited)
      maxTotalBytes: 1 << 30, // memory budget: 507 / StorageFull, nothing stored (default unlimited)
      persist: ".storage", // keep files in a directory instead of memory
      persistVerifySha256: false, // with persist: hash every blob at start-up, not only those up to 1 MiB
      admin: true, // serve the /_emulator routes (default true)
      adminOrigins: ["http://localhost:5173"], // pages that may use the admin routes besides loopback ones
      allowedHosts: ["laptop.lan"], // Host names the admin routes answer besides loopback and url's
      uploadIdleTimeoutMs: 120_000, // an upload that sends nothing this long: 408, nothing stored
      http, // the app's convex/http.ts router: HTTP actions (see http-actions.md)
      run: { query, mutation, action }, // where HTTP actions' ctx.runQuery & co. go
      identity: null, // what HTTP actions' ctx.auth.getUserIdentity() returns
    });
    // docs end
    expect(existsSync(".storage/meta")).toBe(true);
  } finally {
    process.chdir(cwd);
  }
});
