import { describe, expect, it } from "vitest";
import { createStorageEmulator, type StorageEmulatorOptions } from "../src/index.js";
import { allFixtures, fixtures } from "./support/fixtures.js";

function setup(options: StorageEmulatorOptions = {}) {
  let clock = 1_700_000_000_000;
  const emulator = createStorageEmulator({ now: () => clock, ...options });
  return {
    emulator,
    advance: (ms: number) => {
      clock += ms;
    },
  };
}

describe("createStorageEmulator", () => {
  it("createStorageEmulator: instances share nothing", async () => {
    const a = setup().emulator;
    const b = setup().emulator;
    const id = await a.storage.store(new Blob(["only in a"]));
    expect(b.files()).toEqual([]);
    expect(await b.storage.getUrl(id)).toBeNull();
  });

  it("createStorageEmulator: rejects bad options with a message naming the option", () => {
    expect(() => createStorageEmulator({ url: "not a url" })).toThrow(
      '[convex-storage-emulator] Invalid option `url`: "not a url" is not a URL; expected an origin like http://127.0.0.1:3210.',
    );
    expect(() => createStorageEmulator({ url: "ftp://x" })).toThrow(
      '[convex-storage-emulator] Invalid option `url`: "ftp://x" must use http or https.',
    );
    expect(() => createStorageEmulator({ maxFileBytes: -1 })).toThrow(
      "[convex-storage-emulator] Invalid option `maxFileBytes`: expected a whole number of at least 0, got -1.",
    );
    expect(() => createStorageEmulator({ uploadUrlTtlMs: 1.5 })).toThrow(
      "[convex-storage-emulator] Invalid option `uploadUrlTtlMs`: expected a whole number of at least 0, got 1.5.",
    );
    expect(() => createStorageEmulator({ now: 5 as unknown as () => number })).toThrow(
      "[convex-storage-emulator] Invalid option `now`: expected a function returning milliseconds.",
    );
  });

  it("createStorageEmulator: a url with a trailing slash builds clean URLs", async () => {
    const emulator = createStorageEmulator({ url: "http://localhost:9999/" });
    expect(emulator.url).toBe("http://localhost:9999");
    expect(await emulator.storage.generateUploadUrl()).toMatch(
      /^http:\/\/localhost:9999\/api\/storage\/upload\?token=/,
    );
  });
});

describe("files", () => {
  it("files: lists every file in creation order with its metadata", async () => {
    const { emulator, advance } = setup();
    const first = await emulator.seed({ path: fixtures.png.path });
    advance(5);
    const second = await emulator.storage.store(new Blob([fixtures.text.bytes], { type: "text/plain" }));
    const files = emulator.files();
    expect(files.map((f) => f.storageId)).toEqual([first, second]);
    expect(files[0]).toEqual({
      storageId: first,
      uuid: expect.stringMatching(/^[0-9a-f-]{36}$/),
      size: fixtures.png.size,
      sha256: fixtures.png.sha256,
      contentType: "image/png",
      creationTime: 1_700_000_000_000,
      source: "seed",
    });
    expect(files[1]!.creationTime).toBe(1_700_000_000_005);
  });

  it("files: creation times strictly increase even when the clock stands still", async () => {
    const { emulator } = setup();
    await emulator.seed({ bytes: "a" });
    await emulator.seed({ bytes: "b" });
    const [a, b] = emulator.files();
    expect(b!.creationTime).toBeGreaterThan(a!.creationTime);
  });

  it("files: returned records are frozen", async () => {
    const { emulator } = setup();
    await emulator.seed({ bytes: "a" });
    expect(Object.isFrozen(emulator.files()[0])).toBe(true);
  });
});

describe("file / bytes / text", () => {
  it("file: finds a file by storage id or UUID, null otherwise", async () => {
    const { emulator } = setup();
    const id = await emulator.seed({ bytes: "x" });
    const uuid = emulator.file(id)!.uuid;
    expect(emulator.file(uuid)?.storageId).toBe(id);
    expect(emulator.file(uuid.toUpperCase())?.storageId).toBe(id);
    expect(emulator.file("nope")).toBeNull();
  });

  it("bytes: returns a copy the caller cannot use to change the stored file", async () => {
    const { emulator } = setup();
    const id = await emulator.seed({ bytes: fixtures.allBytes.bytes });
    const copy = emulator.bytes(id)!;
    copy[0] = 99;
    expect(emulator.bytes(id)).toEqual(fixtures.allBytes.bytes);
  });

  it("text: decodes UTF-8", async () => {
    const { emulator } = setup();
    const id = await emulator.seed({ path: fixtures.text.path });
    expect(emulator.text(id)).toBe("Hello, Convex!\nGrüße, 世界, 🚀\nCafé naïve façade — ok.\n");
    expect(emulator.text("missing")).toBeNull();
  });
});

describe("seed", () => {
  it("seed: stores every fixture byte-exact with the content type of its extension", async () => {
    const { emulator } = setup();
    for (const fixture of allFixtures) {
      const id = await emulator.seed({ path: fixture.path });
      expect(emulator.file(id)).toMatchObject({
        size: fixture.size,
        sha256: fixture.sha256,
        contentType: fixture.contentType,
      });
      expect(emulator.bytes(id)).toEqual(fixture.bytes);
    }
  });

  it("seed: takes bytes with an optional content type, lowercased", async () => {
    const { emulator } = setup();
    const id = await emulator.seed({ bytes: new Uint8Array([1, 2]), contentType: "Image/PNG" });
    expect(emulator.file(id)).toMatchObject({ size: 2, contentType: "image/png", source: "seed" });
    const untyped = await emulator.seed({ bytes: new ArrayBuffer(3) });
    expect(emulator.file(untyped)?.contentType).toBeNull();
  });

  it("seed: does not alias the caller's bytes", async () => {
    const { emulator } = setup();
    const bytes = new Uint8Array([1, 2, 3]);
    const id = await emulator.seed({ bytes });
    bytes[0] = 42;
    expect(emulator.bytes(id)).toEqual(new Uint8Array([1, 2, 3]));
  });

  it("seed: a missing path or a bad input is a clear error, nothing stored", async () => {
    const { emulator } = setup();
    await expect(emulator.seed({ path: "/no/such/file.png" })).rejects.toThrow(
      '[convex-storage-emulator] seed(): cannot read "/no/such/file.png": ENOENT.',
    );
    await expect(emulator.seed({} as never)).rejects.toThrow(
      "[convex-storage-emulator] seed(): expected { path } or { bytes, contentType? }.",
    );
    await expect(emulator.seed({ bytes: 5 } as never)).rejects.toThrow(
      "[convex-storage-emulator] seed(): `bytes` must be a Uint8Array, an ArrayBuffer or a string.",
    );
    expect(emulator.files()).toEqual([]);
  });

  it.each([
    ["CR/LF", "text/plain\r\nSet-Cookie: a=b"],
    ["NUL", "text/plain\u0000"],
    ["non-ASCII", "text/pl\u00e4in"],
    ["no subtype", "text"],
    ["empty", ""],
  ])("seed: a content type with %s is SeedInvalid, nothing stored", async (_name, contentType) => {
    const { emulator } = setup();
    await expect(emulator.seed({ bytes: "x", contentType })).rejects.toMatchObject({
      code: "SeedInvalid",
      message: `[convex-storage-emulator] seed(): \`contentType\` must be a media type like "image/png" (printable ASCII), got ${JSON.stringify(contentType)}.`,
    });
    expect(emulator.files()).toEqual([]);
  });
});

describe("reset", () => {
  it("reset: forgets files, upload tokens and the journal", async () => {
    const { emulator } = setup();
    const id = await emulator.storage.store(new Blob(["x"]));
    const url = await emulator.storage.generateUploadUrl();
    const token = new URL(url).searchParams.get("token");
    emulator.reset();
    expect(emulator.files()).toEqual([]);
    expect(await emulator.storage.getUrl(id)).toBeNull();
    const upload = emulator.gateway.upload({ token, headers: () => ({ contentType: null }), body: async () => {} });
    await expect(upload).rejects.toMatchObject({ code: "StorageTokenInvalid" });
    // The getUrl above is the only entry since the reset.
    expect(emulator.journal.entries).toHaveLength(1);
  });

  it("reset: the emulator keeps working afterwards", async () => {
    const { emulator } = setup();
    emulator.reset();
    const id = await emulator.storage.store(new Blob(["after"]));
    expect(emulator.text(id)).toBe("after");
  });
});
