// The vitest matchers. Their failure messages are part of the API: pinned here, `.not` included.
// One table of tests runs against an in-process emulator and a remote handle
// (connectStorageEmulator()): both must pass and fail alike, with the same messages.
import { describe, expect, it } from "vitest";
import { storageEmulatorMatchers } from "convex-storage-emulator/vitest";
import { connectStorageEmulator, createStorageEmulator, type StorageEmulator } from "../src/index.js";
import { cleanupAfterEach } from "./support/cleanup.js";
import { failure } from "./support/failure.js";
import { fixtures, images } from "./support/fixtures.js";
import { waitFor } from "./support/wait.js";

const { listening } = cleanupAfterEach();

const HEADER =
  "┌───┬──────────────────────────────────┬─────────────┬──────┬────────┐\n│ # │ storageId                        │ contentType │ size │ source │\n├───┼──────────────────────────────────┼─────────────┼──────┼────────┤";
const FOOTER = "└───┴──────────────────────────────────┴─────────────┴──────┴────────┘";
const row = (index: number, id: string, contentType: string, size: number) =>
  `│ ${index} │ ${id} │ ${contentType.padEnd(11)} │ ${String(size).padStart(4)} │ seed   │`;

/** How a test holds the emulator it asserts on: itself, or a remote handle on its server. */
const HANDLES = [
  { kind: "in-process", handleOf: (emulator: StorageEmulator) => emulator },
  { kind: "remote", handleOf: (_emulator: StorageEmulator, url: string) => connectStorageEmulator(url) },
];

describe.each(HANDLES)("matchers on an emulator $kind", ({ handleOf }) => {
  /** A listening emulator holding a text file and a PNG, and the handle the test asserts on. */
  async function setup() {
    const { emulator, server } = await listening();
    const text = await emulator.seed({ bytes: "hello", contentType: "text/plain" });
    const png = await emulator.seed({ path: fixtures.png.path });
    return { emulator, server, handle: handleOf(emulator, server.url), text, png };
  }

  /** A handle on an empty emulator. */
  async function empty() {
    const { emulator, server } = await listening();
    return handleOf(emulator, server.url);
  }

  describe("toHaveStoredImage", () => {
    it("toHaveStoredImage: passes when a stored image has the format and size, from its header", async () => {
      const { emulator, handle } = await setup();
      await emulator.seed({ path: images.webp.path });
      await expect(handle).toHaveStoredImage();
      await expect(handle).toHaveStoredImage({ format: "png", width: 16, height: 16 });
      await expect(handle).toHaveStoredImage({ format: "webp", width: 12, height: 8, contentType: "image/webp" });
      await expect(handle).toHaveStoredImage({ width: expect.any(Number), size: 475 });
      await expect(handle).not.toHaveStoredImage({ format: "gif" });
      // The text file is no image, whatever it claims to be.
      await expect(handle).not.toHaveStoredImage({ contentType: "text/plain" });
    });

    it("toHaveStoredImage: fails listing every file with its format and dimensions", async () => {
      const { handle, text, png } = await setup();
      expect((await failure(() => expect(handle).toHaveStoredImage({ width: 256, height: 256 }))).message).toBe(
        [
          "[convex-storage-emulator] expect(emulator).toHaveStoredImage(expected)",
          "",
          "Expected: a stored image with { width: 256, height: 256 }",
          "Received: 2 stored files, none matching:",
          "┌───┬──────────────────────────────────┬─────────────┬──────┬────────┬────────────────┐",
          "│ # │ storageId                        │ contentType │ size │ source │ image          │",
          "├───┼──────────────────────────────────┼─────────────┼──────┼────────┼────────────────┤",
          `│ 0 │ ${text} │ text/plain  │    5 │ seed   │ (not an image) │`,
          `│ 1 │ ${png} │ image/png   │  475 │ seed   │ png 16x16      │`,
          "└───┴──────────────────────────────────┴─────────────┴──────┴────────┴────────────────┘",
        ].join("\n"),
      );
    });

    it("toHaveStoredImage: .not fails on the matching image, naming it", async () => {
      const { handle, png } = await setup();
      expect((await failure(() => expect(handle).not.toHaveStoredImage({ format: "png" }))).message).toContain(
        `│ 1 │ ${png} │ image/png   │  475 │ seed   │ png 16x16 │`,
      );
    });

    it("toHaveStoredImage: an unknown field is a usage error naming the allowed ones", async () => {
      const handle = await empty();
      expect((await failure(() => expect(handle).toHaveStoredImage({ depth: 8 } as never))).message).toBe(
        '[convex-storage-emulator] toHaveStoredImage(): unknown field "depth"; expected some of storageId, uuid, contentType, size, sha256, source, text, bytes, format, width, height.',
      );
    });
  });

  describe("toHaveStoredFile", () => {
    it("toHaveStoredFile: passes when any stored file has all the given fields", async () => {
      const { handle } = await setup();
      await expect(handle).toHaveStoredFile();
      await expect(handle).toHaveStoredFile({ contentType: "image/png", size: 475 });
      await expect(handle).toHaveStoredFile({ text: "hello", contentType: "text/plain", source: "seed" });
      await expect(handle).toHaveStoredFile({ bytes: fixtures.png.bytes });
      await expect(handle).toHaveStoredFile({ bytes: fixtures.png.bytes.buffer });
      await expect(handle).toHaveStoredFile({ sha256: fixtures.png.sha256 });
      await expect(handle).toHaveStoredFile({ sha256: Buffer.from(fixtures.png.sha256, "base64").toString("hex") });
      await expect(handle).toHaveStoredFile({
        contentType: expect.stringMatching(/^image\//),
        size: expect.any(Number),
      });
      await expect(handle).toHaveStoredFile({ text: expect.stringContaining("ell") });
    });

    it("toHaveStoredFile: fails when no single file has every field, listing the stored files", async () => {
      const { handle, text, png } = await setup();
      // The PNG has the type and the text file has the size, but no file has both.
      expect(
        (await failure(() => expect(handle).toHaveStoredFile({ contentType: "image/png", size: 5 }))).message,
      ).toBe(
        [
          "[convex-storage-emulator] expect(emulator).toHaveStoredFile(expected)",
          "",
          'Expected: a stored file with { contentType: "image/png", size: 5 }',
          "Received: 2 stored files, none matching:",
          HEADER,
          row(0, text, "text/plain", 5),
          row(1, png, "image/png", 475),
          FOOTER,
        ].join("\n"),
      );
    });

    it("toHaveStoredFile: asked for text or sha256, the table shows them too", async () => {
      const { handle, text, png } = await setup();
      expect(
        (await failure(() => expect(handle).toHaveStoredFile({ text: "hi", sha256: expect.any(String) }))).message,
      ).toBe(
        [
          "[convex-storage-emulator] expect(emulator).toHaveStoredFile(expected)",
          "",
          'Expected: a stored file with { text: "hi", sha256: Any<String> }',
          "Received: 2 stored files, none matching:",
          "┌───┬──────────────────────────────────┬─────────────┬──────┬────────┬──────────────────────────────────────────────┬─────────────┐",
          "│ # │ storageId                        │ contentType │ size │ source │ sha256                                       │ text        │",
          "├───┼──────────────────────────────────┼─────────────┼──────┼────────┼──────────────────────────────────────────────┼─────────────┤",
          `│ 0 │ ${text} │ text/plain  │    5 │ seed   │ LPJNul+wow4m6DsqxbninhsWHlwfp0JecwQzYpOLmCQ= │ "hello"     │`,
          `│ 1 │ ${png} │ image/png   │  475 │ seed   │ ${fixtures.png.sha256} │ (not UTF-8) │`,
          "└───┴──────────────────────────────────┴─────────────┴──────┴────────┴──────────────────────────────────────────────┴─────────────┘",
        ].join("\n"),
      );
    });

    it("toHaveStoredFile: with nothing stored, says so", async () => {
      expect((await failure(async () => expect(await empty()).toHaveStoredFile())).message).toBe(
        [
          "[convex-storage-emulator] expect(emulator).toHaveStoredFile(expected)",
          "",
          "Expected: a stored file",
          "Received: no stored files",
        ].join("\n"),
      );
    });

    it("toHaveStoredFile: .not fails listing the files that match", async () => {
      const { handle, png } = await setup();
      await expect(handle).not.toHaveStoredFile({ contentType: "image/jpeg" });
      expect(
        (await failure(() => expect(handle).not.toHaveStoredFile({ contentType: expect.stringMatching(/^image\//) })))
          .message,
      ).toBe(
        [
          "[convex-storage-emulator] expect(emulator).not.toHaveStoredFile(expected)",
          "",
          "Expected: no stored file with { contentType: StringMatching /^image\\// }",
          "Received: 1 of 2 stored files matches:",
          HEADER,
          row(1, png, "image/png", 475),
          FOOTER,
        ].join("\n"),
      );
    });

    it("toHaveStoredFile: a long list is cut at 20 rows", async () => {
      const { emulator, handle } = await setup();
      emulator.reset();
      for (let i = 0; i < 23; i++) await emulator.seed({ bytes: `file ${i}` });
      const lines = (await failure(() => expect(handle).toHaveStoredFile({ size: 1 }))).message.split("\n");
      expect(lines[3]).toBe("Received: 23 stored files, none matching:");
      expect(lines.slice(-3)).toEqual([
        `│ 19 │ ${emulator.files()[19]!.storageId} │ null        │    7 │ seed   │`,
        "└────┴──────────────────────────────────┴─────────────┴──────┴────────┘",
        "… and 3 more",
      ]);
    });

    it("toHaveStoredFile: an unknown field is a MatcherUsage error", async () => {
      const { handle } = await setup();
      expect(() => expect(handle).toHaveStoredFile({ type: "image/png" } as never)).toThrow(
        '[convex-storage-emulator] toHaveStoredFile(): unknown field "type"; expected some of storageId, uuid, contentType, size, sha256, source, text, bytes.',
      );
    });

    it("toHaveStoredFile: a received value that is not an emulator is a MatcherUsage error", () => {
      expect(() => expect({ files: [] }).toHaveStoredFile()).toThrow(
        "[convex-storage-emulator] toHaveStoredFile(): the received value must be a storage emulator (from createStorageEmulator() or connectStorageEmulator()), got an object.",
      );
      expect(() => expect(42).not.toHaveStoredFile()).toThrow(
        "[convex-storage-emulator] toHaveStoredFile(): the received value must be a storage emulator (from createStorageEmulator() or connectStorageEmulator()), got 42.",
      );
    });
  });

  describe("toHaveStoredFiles", () => {
    it("toHaveStoredFiles: passes with the exact count", async () => {
      const { emulator, handle, text } = await setup();
      await expect(handle).toHaveStoredFiles(2);
      await emulator.storage.delete(text);
      await expect(handle).toHaveStoredFiles(1);
      await handle.reset();
      await expect(handle).toHaveStoredFiles(0);
    });

    it("toHaveStoredFiles: fails listing the stored files", async () => {
      const { handle, text, png } = await setup();
      expect((await failure(() => expect(handle).toHaveStoredFiles(1))).message).toBe(
        [
          "[convex-storage-emulator] expect(emulator).toHaveStoredFiles(expected)",
          "",
          "Expected: 1 stored file",
          "Received: 2 stored files:",
          HEADER,
          row(0, text, "text/plain", 5),
          row(1, png, "image/png", 475),
          FOOTER,
        ].join("\n"),
      );
      expect((await failure(async () => expect(await empty()).toHaveStoredFiles(2))).message).toBe(
        [
          "[convex-storage-emulator] expect(emulator).toHaveStoredFiles(expected)",
          "",
          "Expected: 2 stored files",
          "Received: no stored files",
        ].join("\n"),
      );
    });

    it("toHaveStoredFiles: .not fails when the count is exactly that", async () => {
      const { handle, text, png } = await setup();
      await expect(handle).not.toHaveStoredFiles(3);
      expect((await failure(() => expect(handle).not.toHaveStoredFiles(2))).message).toBe(
        [
          "[convex-storage-emulator] expect(emulator).not.toHaveStoredFiles(expected)",
          "",
          "Expected: not 2 stored files",
          "Received: 2 stored files:",
          HEADER,
          row(0, text, "text/plain", 5),
          row(1, png, "image/png", 475),
          FOOTER,
        ].join("\n"),
      );
    });

    it("toHaveStoredFiles: a count that is not a whole number is a MatcherUsage error", async () => {
      const blank = await empty();
      expect(() => expect(blank).toHaveStoredFiles(-1)).toThrow(
        "[convex-storage-emulator] toHaveStoredFiles(): the count must be a whole number of at least 0, got -1.",
      );
    });
  });

  describe("toBeStoredIn", () => {
    it("toBeStoredIn: passes for a stored file's storage id or UUID, not after delete", async () => {
      const { emulator, handle, png } = await setup();
      await expect(png).toBeStoredIn(handle);
      await expect(emulator.file(png)!.uuid.toUpperCase()).toBeStoredIn(handle);
      await emulator.storage.delete(png);
      await expect(png).not.toBeStoredIn(handle);
      await expect(undefined).not.toBeStoredIn(handle);
    });

    it("toBeStoredIn: fails listing the stored files", async () => {
      const { handle, text, png } = await setup();
      expect((await failure(() => expect("kg2nothinghere").toBeStoredIn(handle))).message).toBe(
        [
          "[convex-storage-emulator] expect(storageId).toBeStoredIn(emulator)",
          "",
          'Expected: "kg2nothinghere" to be the id of a stored file',
          "Received: 2 stored files, none with that id:",
          HEADER,
          row(0, text, "text/plain", 5),
          row(1, png, "image/png", 475),
          FOOTER,
        ].join("\n"),
      );
    });

    it("toBeStoredIn: .not fails showing the stored file", async () => {
      const { handle, png } = await setup();
      expect((await failure(() => expect(png).not.toBeStoredIn(handle))).message).toBe(
        [
          "[convex-storage-emulator] expect(storageId).not.toBeStoredIn(emulator)",
          "",
          `Expected: "${png}" not to be the id of a stored file`,
          "Received: it is stored:",
          HEADER,
          row(1, png, "image/png", 475),
          FOOTER,
        ].join("\n"),
      );
    });

    it("toBeStoredIn: an argument that is not an emulator is a MatcherUsage error", () => {
      expect(() => expect("id").toBeStoredIn(undefined as never)).toThrow(
        "[convex-storage-emulator] toBeStoredIn(): the argument must be a storage emulator (from createStorageEmulator() or connectStorageEmulator()), got undefined.",
      );
    });
  });

  describe("toHaveReceivedUpload", () => {
    async function uploads() {
      const { emulator, server, handle } = await setup();
      emulator.reset();
      const forged = await fetch(`${server.url}/api/storage/upload?token=forged`, { method: "POST", body: "x" });
      const res = await fetch(await emulator.storage.generateUploadUrl(), {
        method: "POST",
        headers: { "Content-Type": "image/png" },
        body: fixtures.png.bytes,
      });
      expect([forged.status, res.status]).toEqual([401, 200]);
      const { storageId } = (await res.json()) as { storageId: string };
      // HTTP requests are journaled once their response closes.
      await waitFor(() => emulator.journal.httpRequests().length >= 2, { what: "2 HTTP journal entries" });
      return { emulator, handle, storageId };
    }

    it("toHaveReceivedUpload: passes after an upload answered 200, optionally of a content type", async () => {
      const { handle } = await uploads();
      await expect(handle).toHaveReceivedUpload();
      await expect(handle).toHaveReceivedUpload({ contentType: "image/png" });
      await expect(handle).not.toHaveReceivedUpload({ contentType: "image/jpeg" });
    });

    it("toHaveReceivedUpload: a stored file that was not uploaded does not count", async () => {
      const { handle } = await setup();
      await expect(handle).not.toHaveReceivedUpload();
    });

    it("toHaveReceivedUpload: fails listing the upload requests", async () => {
      const { handle, storageId } = await uploads();
      expect(
        (await failure(() => expect(handle).toHaveReceivedUpload({ contentType: "application/pdf" }))).message,
      ).toBe(
        [
          "[convex-storage-emulator] expect(emulator).toHaveReceivedUpload(expected)",
          "",
          'Expected: an upload answered 200 whose file has { contentType: "application/pdf" }',
          "Received: 2 upload requests, none matching:",
          "┌───┬────────┬─────────────────────┬─────────┬──────────────────────────────────┬─────────────┐",
          "│ # │ status │ errorCode           │ bytesIn │ storageId                        │ contentType │",
          "├───┼────────┼─────────────────────┼─────────┼──────────────────────────────────┼─────────────┤",
          "│ 0 │    401 │ StorageTokenInvalid │       0 │                                  │             │",
          `│ 1 │    200 │                     │     475 │ ${storageId} │ image/png   │`,
          "└───┴────────┴─────────────────────┴─────────┴──────────────────────────────────┴─────────────┘",
        ].join("\n"),
      );
    });

    it("toHaveReceivedUpload: .not fails listing the uploads that match", async () => {
      const { handle, storageId } = await uploads();
      expect((await failure(() => expect(handle).not.toHaveReceivedUpload())).message).toBe(
        [
          "[convex-storage-emulator] expect(emulator).not.toHaveReceivedUpload(expected)",
          "",
          "Expected: no upload answered 200",
          "Received: 1 of 2 upload requests matches:",
          "┌───┬────────┬───────────┬─────────┬──────────────────────────────────┬─────────────┐",
          "│ # │ status │ errorCode │ bytesIn │ storageId                        │ contentType │",
          "├───┼────────┼───────────┼─────────┼──────────────────────────────────┼─────────────┤",
          `│ 1 │    200 │           │     475 │ ${storageId} │ image/png   │`,
          "└───┴────────┴───────────┴─────────┴──────────────────────────────────┴─────────────┘",
        ].join("\n"),
      );
    });

    it("toHaveReceivedUpload: a deleted file no longer has the content type", async () => {
      const { emulator, handle, storageId } = await uploads();
      await emulator.storage.delete(storageId as never);
      await expect(handle).toHaveReceivedUpload();
      await expect(handle).not.toHaveReceivedUpload({ contentType: "image/png" });
      expect(
        (await failure(() => expect(handle).toHaveReceivedUpload({ contentType: "image/png" }))).message,
      ).toContain(`│ 1 │    200 │                     │     475 │ ${storageId} │ (deleted)   │`);
    });

    it("toHaveReceivedUpload: with no uploads, says so", async () => {
      expect((await failure(async () => expect(await empty()).toHaveReceivedUpload())).message).toBe(
        [
          "[convex-storage-emulator] expect(emulator).toHaveReceivedUpload(expected)",
          "",
          "Expected: an upload answered 200",
          "Received: no upload requests",
        ].join("\n"),
      );
    });
  });
});

describe("toBeStoredIn in process", () => {
  it("toBeStoredIn: works as an asymmetric matcher", async () => {
    const emulator = createStorageEmulator();
    const png = await emulator.seed({ path: fixtures.png.path });
    expect({ avatar: png }).toEqual({ avatar: expect.toBeStoredIn(emulator) });
  });
});

describe("registration", () => {
  it("registration: importing the module registers the matchers; the object is exported for expect.extend", () => {
    expect(Object.keys(storageEmulatorMatchers)).toEqual([
      "toHaveStoredFile",
      "toHaveStoredImage",
      "toHaveStoredFiles",
      "toBeStoredIn",
      "toHaveReceivedUpload",
    ]);
    expect.extend(storageEmulatorMatchers); // registering again is harmless
    expect(createStorageEmulator()).toHaveStoredFiles(0);
  });
});
