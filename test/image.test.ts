import { describe, expect, it } from "vitest";
import { connectStorageEmulator, createStorageEmulator } from "../src/index.js";
import { cleanupAfterEach } from "./support/cleanup.js";
import { fixtures, images } from "./support/fixtures.js";

const { defer, tempDir } = cleanupAfterEach();

function setup() {
  return { emulator: createStorageEmulator() };
}

describe("image", () => {
  it.each(Object.values(images))(
    "image: reads $format dimensions from the header ($width x $height)",
    async ({ bytes, contentType, format, width, height }) => {
      const { emulator } = setup();
      const id = await emulator.seed({ bytes, contentType });
      expect(emulator.image(id)).toEqual({ format, width, height });
    },
  );

  it("image: finds the format from the bytes, not the content type", async () => {
    const { emulator } = setup();
    const id = await emulator.seed({ bytes: images.webp.bytes, contentType: "application/octet-stream" });
    expect(emulator.image(id)).toEqual({ format: "webp", width: 12, height: 8 });
  });

  it.each([fixtures.pdf, fixtures.text, fixtures.empty, fixtures.allBytes])(
    "image: null for $name, which is no image",
    async ({ bytes, contentType }) => {
      const { emulator } = setup();
      const id = await emulator.seed({ bytes, contentType });
      expect(emulator.image(id)).toBeNull();
    },
  );

  it("image: an SVG whose width is past a double (1e400) is null in process, over the admin route and from a remote handle", async () => {
    const emulator = defer(createStorageEmulator());
    const server = await emulator.listen({ port: 0 });
    const huge = await emulator.seed({
      bytes: '<svg xmlns="http://www.w3.org/2000/svg" width="1e400" height="10"></svg>',
      contentType: "image/svg+xml",
    });
    const fractional = await emulator.seed({
      bytes: '<svg xmlns="http://www.w3.org/2000/svg" width="10.5" height="4"></svg>',
      contentType: "image/svg+xml",
    });
    const remote = connectStorageEmulator(server.url);
    const overRoute = (id: string) =>
      fetch(`${server.url}/_emulator/files/${id}`).then(
        async (res) => ((await res.json()) as { image: unknown }).image,
      );
    expect([emulator.image(huge), await overRoute(huge), await remote.image(huge)]).toEqual([null, null, null]);
    // A finite fractional size is kept, the same three ways.
    const kept = emulator.image(fractional);
    expect(kept).toEqual({ format: "svg", width: expect.any(Number), height: 4 });
    expect([await overRoute(fractional), await remote.image(fractional)]).toEqual([kept, kept]);
  });

  it("image: null for a missing file and for a header cut short", async () => {
    const { emulator } = setup();
    expect(emulator.image("no-such-id")).toBeNull();
    const id = await emulator.seed({ bytes: images.png.bytes.subarray(0, 12), contentType: "image/png" });
    expect(emulator.image(id)).toBeNull();
  });

  it.each([false, true])(
    "image: a file over 512 KiB is read from its head, stored in many chunks or with persist (%s)",
    async (persist) => {
      const emulator = defer(createStorageEmulator(persist ? { persist: tempDir() } : {}));
      // Uploaded in 64 KiB chunks: the head spans several stored buffers.
      const big = Buffer.concat([images.png.bytes, Buffer.alloc(3 * 1024 * 1024 - images.png.bytes.length, 7)]);
      const id = (
        await emulator.fileStore.write(
          async (write) => {
            for (let at = 0; at < big.length; at += 65536) write(big.subarray(at, at + 65536));
          },
          { contentType: "image/png", source: "upload" },
        )
      ).storageId;
      expect(emulator.image(id)).toEqual({ format: "png", width: images.png.width, height: images.png.height });
    },
  );

  it("image: by storage id or UUID, like file()", async () => {
    const { emulator } = setup();
    const id = await emulator.seed({ path: images.gif.path });
    expect(emulator.image(emulator.file(id)!.uuid)).toEqual({ format: "gif", width: 3, height: 2 });
  });
});
