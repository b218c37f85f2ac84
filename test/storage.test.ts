import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import { createStorageEmulator, StorageEmulatorError, type StorageEmulatorOptions } from "../src/index.js";
import { encodeDocumentId } from "../src/ids.js";
import { failure, type Failure } from "./support/failure.js";
import { fixtures } from "./support/fixtures.js";

function setup(options: StorageEmulatorOptions = {}) {
  const emulator = createStorageEmulator({ url: "https://happy-animal-123.convex.cloud", ...options });
  const { storage } = emulator;
  const storePng = () => storage.store(new Blob([fixtures.png.bytes], { type: "image/png" }));
  return { emulator, storage, storePng };
}

const OTHER_TABLE_ID = encodeDocumentId(10001, new Uint8Array(16).fill(9));

describe("store", () => {
  it("store: returns a _storage id and keeps the bytes, type, size and sha256", async () => {
    const { emulator, storePng } = setup();
    const id = await storePng();
    expect(id).toMatch(/^[0-9a-hjkmnp-tv-z]{32}$/);
    expect(emulator.file(id)).toMatchObject({
      storageId: id,
      size: fixtures.png.size,
      sha256: fixtures.png.sha256,
      contentType: "image/png",
      source: "store",
    });
    expect(emulator.bytes(id)).toEqual(fixtures.png.bytes);
  });

  it("store: a Blob without a type stores contentType null", async () => {
    const { emulator, storage } = setup();
    const id = await storage.store(new Blob([fixtures.allBytes.bytes]));
    expect(emulator.file(id)?.contentType).toBeNull();
    expect(emulator.bytes(id)).toEqual(fixtures.allBytes.bytes);
  });

  it("store: an empty Blob stores a 0-byte file", async () => {
    const { emulator, storage } = setup();
    const id = await storage.store(new Blob([]));
    expect(emulator.file(id)).toMatchObject({ size: 0, sha256: fixtures.empty.sha256 });
  });

  it("store: accepts a matching sha256", async () => {
    const { emulator, storage } = setup();
    const id = await storage.store(new Blob([fixtures.pdf.bytes]), { sha256: fixtures.pdf.sha256 });
    expect(emulator.file(id)?.sha256).toBe(fixtures.pdf.sha256);
  });

  it("store: a sha256 that does not match throws Convex's message and stores nothing", async () => {
    const { emulator, storage } = setup();
    const error = await failure(storage.store(new Blob([fixtures.text.bytes]), { sha256: fixtures.png.sha256 }));
    expect(error).toBeInstanceOf(StorageEmulatorError);
    expect(error.code).toBe("Sha256Mismatch");
    expect(error.message).toBe(`Sha256 mismatch. Expected: ${fixtures.png.sha256} Actual: ${fixtures.text.sha256}`);
    expect(emulator.files()).toEqual([]);
  });

  // Fidelity: udf-runtime storage.ts sends `sha-256=<option>`; action/storage.rs run_storage_store decodes it.
  it.each([
    ["hex", "a".repeat(64), "invalid HTTP header"],
    ["short base64", "abc", "invalid HTTP header"],
    ["a control character", "ab\ncd", "failed to parse header value"],
  ])("store: a sha256 option in %s is 400 InvalidDigestHeader, nothing stored", async (_kind, sha256, message) => {
    const { emulator, storage } = setup();
    const error = await failure(storage.store(new Blob(["x"]), { sha256 }));
    expect(error).toMatchObject({ code: "InvalidDigestHeader", message, status: 400 });
    expect(emulator.files()).toEqual([]);
  });

  it("store: the content type is checked before the sha256 option", async () => {
    const { storage } = setup();
    const error = await failure(storage.store(new Blob(["x"], { type: "text" }), { sha256: "abc" }));
    expect(error.code).toBe("InvalidContentTypeHeader");
  });

  it("store: a blob.type mime cannot parse is refused with mime's error, nothing stored", async () => {
    const { emulator, storage } = setup();
    // Node's Blob lowercases the type but keeps it otherwise; the backend then parses it with mime.
    for (const [type, message] of [
      ["text/plain ; a=1", "mime parse error: an invalid token was encountered, 20 at position 10"],
      ["text", "mime parse error: a slash (/) was missing between the type and subtype"],
      [" text/plain", "mime parse error: an invalid token was encountered, 20 at position 0"],
    ] as const) {
      const error = await failure(storage.store(new Blob(["x"], { type })));
      expect(error).toMatchObject({ code: "InvalidContentTypeHeader", message, status: 400 });
    }
    expect(emulator.files()).toEqual([]);
    expect(emulator.journal.storageCalls().map((c) => c.errorCode)).toEqual(Array(3).fill("InvalidContentTypeHeader"));
  });

  it("store: blob.type is stored as mime normalises it (an empty parameter list chopped off)", async () => {
    const { emulator, storage } = setup();
    const id = await storage.store(new Blob(["x"], { type: "text/plain;" }));
    expect(emulator.file(id)?.contentType).toBe("text/plain");
    const withParams = await storage.store(new Blob(["x"], { type: "text/plain; charset=utf-8;" }));
    expect(emulator.file(withParams)?.contentType).toBe("text/plain; charset=utf-8;");
  });

  it("store: a sha256 option without its '=' padding is accepted, as base64 0.13 decodes it", async () => {
    const { emulator, storage } = setup();
    const id = await storage.store(new Blob([fixtures.pdf.bytes]), { sha256: fixtures.pdf.sha256.replace(/=$/, "") });
    expect(emulator.file(id)?.sha256).toBe(fixtures.pdf.sha256);
  });

  it("store: a non-Blob is a TypeError with Convex's message", async () => {
    const { emulator, storage } = setup();
    for (const bad of ["text", new Uint8Array([1]), null, new Request("http://x", { method: "POST", body: "b" })]) {
      const error = await failure(storage.store(bad as unknown as Blob));
      expect(error).toBeInstanceOf(TypeError);
      expect(error.code).toBe("StoreExpectsBlob");
      expect(error.message).toBe(
        "store() expects a Blob. If you are trying to store a Request, `await request.blob()` will give you the correct input.",
      );
    }
    expect(emulator.files()).toEqual([]);
  });

  it("store: streams a large Blob byte-exact", async () => {
    const { emulator, storage } = setup();
    const big = new Uint8Array(3 * 1024 * 1024 + 17).map((_, i) => (i * 31) & 0xff);
    const id = await storage.store(new Blob([big], { type: "application/octet-stream" }));
    expect(emulator.file(id)?.sha256).toBe(createHash("sha256").update(big).digest("base64"));
    // toEqual walks typed arrays element by element: compare as Buffers instead.
    expect(Buffer.from(emulator.bytes(id)!).equals(big)).toBe(true);
  });

  it("store: over maxFileBytes throws FileTooLarge and stores nothing", async () => {
    const { emulator, storage } = setup({ maxFileBytes: 100 });
    const error = await failure(storage.store(new Blob([fixtures.png.bytes])));
    expect(error.code).toBe("FileTooLarge");
    expect(error.message).toBe(
      "[convex-storage-emulator] The file is larger than maxFileBytes (100 bytes); nothing was stored. Raise maxFileBytes (--max-file-bytes) to allow it.",
    );
    expect(emulator.files()).toEqual([]);
  });

  it("store: over maxTotalBytes throws StorageFull and stores nothing", async () => {
    const { emulator, storage } = setup({ maxTotalBytes: 700 });
    await storage.store(new Blob([fixtures.png.bytes]));
    const error = await failure(storage.store(new Blob([fixtures.pdf.bytes])));
    expect(error.code).toBe("StorageFull");
    expect(error.message).toBe(
      "[convex-storage-emulator] Storing this file would exceed maxTotalBytes (700 bytes); nothing was stored. Delete files, reset(), or raise maxTotalBytes.",
    );
    expect(emulator.files()).toHaveLength(1);
  });
});

describe("getUrl", () => {
  it("getUrl: returns {url}/api/storage/<uuid>", async () => {
    const { emulator, storage, storePng } = setup();
    const id = await storePng();
    const uuid = emulator.file(id)!.uuid;
    expect(await storage.getUrl(id)).toBe(`https://happy-animal-123.convex.cloud/api/storage/${uuid}`);
  });

  it("getUrl: uses http://127.0.0.1:3210 when no url is given and no server listens", async () => {
    const emulator = createStorageEmulator();
    const id = await emulator.storage.store(new Blob(["x"]));
    expect(await emulator.storage.getUrl(id)).toBe(`http://127.0.0.1:3210/api/storage/${emulator.file(id)!.uuid}`);
  });

  it("getUrl: returns null for a missing file and after delete", async () => {
    const { storage, storePng } = setup();
    const id = await storePng();
    const other = await storePng();
    await storage.delete(other);
    expect(await storage.getUrl(other)).toBeNull();
    expect(await storage.getUrl(id)).not.toBeNull();
  });

  it("getUrl: accepts the legacy UUID id, in any case", async () => {
    const { emulator, storage, storePng } = setup();
    const id = await storePng();
    const uuid = emulator.file(id)!.uuid;
    expect(await storage.getUrl(uuid)).toBe(await storage.getUrl(id));
    expect(await storage.getUrl(uuid.toUpperCase())).toBe(await storage.getUrl(id));
    expect(await storage.getUrl(crypto.randomUUID())).toBeNull();
  });

  it("getUrl: an invalid id throws Convex's message", async () => {
    const { storage } = setup();
    const error = await failure(storage.getUrl("garbage"));
    expect(error.code).toBe("InvalidArgument");
    expect(error.message).toBe(
      "Invalid argument `storageId` for `storage.getUrl`: Invalid storage ID: \"garbage\". Storage ID should be an\n                    Id of '_storage' table, or a UUID string.",
    );
  });

  it("getUrl: an id of another table throws Convex's message", async () => {
    const { storage } = setup();
    const error = await failure(storage.getUrl(OTHER_TABLE_ID));
    expect(error.message).toBe("Invalid storage ID. Storage ID cannot be an ID on any table other than '_storage'.");
  });

  it("getUrl: no argument throws Convex's TypeError", async () => {
    const { storage } = setup();
    const error = await failure((storage.getUrl as (id?: string) => Promise<string | null>)());
    expect(error).toBeInstanceOf(TypeError);
    expect(error.message).toBe("Must provide arg 1 `storageId` to `getUrl`");
  });
});

describe("getMetadata", () => {
  it("getMetadata: returns the uuid, hex sha256, size and content type", async () => {
    const { emulator, storage, storePng } = setup();
    const id = await storePng();
    expect(await storage.getMetadata(id)).toEqual({
      storageId: emulator.file(id)!.uuid,
      sha256: Buffer.from(fixtures.png.sha256, "base64").toString("hex"),
      size: fixtures.png.size,
      contentType: "image/png",
    });
  });

  it("getMetadata: returns null for a missing file", async () => {
    const { storage } = setup();
    expect(await storage.getMetadata(crypto.randomUUID())).toBeNull();
  });

  it("getMetadata: names itself in the invalid-id message", async () => {
    const { storage } = setup();
    expect((await failure(storage.getMetadata("nope"))).message).toBe(
      "Invalid argument `storageId` for `storage.getMetadata`: Invalid storage ID: \"nope\". Storage ID should be an\n                    Id of '_storage' table, or a UUID string.",
    );
  });
});

describe("get", () => {
  it("get: returns a Blob with the bytes and the stored content type", async () => {
    const { storage, storePng } = setup();
    const blob = await storage.get(await storePng());
    expect(blob).toBeInstanceOf(Blob);
    expect(blob!.type).toBe("image/png");
    expect(new Uint8Array(await blob!.arrayBuffer())).toEqual(fixtures.png.bytes);
  });

  it("get: returns null for a missing or deleted file", async () => {
    const { storage, storePng } = setup();
    const id = await storePng();
    await storage.delete(id);
    expect(await storage.get(id)).toBeNull();
  });

  it('get: a Blob of a file without content type has type ""', async () => {
    const { storage } = setup();
    const blob = await storage.get(await storage.store(new Blob([fixtures.allBytes.bytes])));
    expect(blob!.type).toBe("");
    expect(new Uint8Array(await blob!.arrayBuffer())).toEqual(fixtures.allBytes.bytes);
  });

  it("get: an id of another table throws Convex's message", async () => {
    const { storage } = setup();
    expect((await failure(storage.get(OTHER_TABLE_ID))).message).toBe(
      "Invalid storage ID. Storage ID cannot be an ID on any table other than '_storage'.",
    );
  });
});

describe("delete", () => {
  it("delete: removes the file and its bytes", async () => {
    const { emulator, storage, storePng } = setup();
    const id = await storePng();
    await storage.delete(id);
    expect(emulator.files()).toEqual([]);
    expect(emulator.bytes(id)).toBeNull();
  });

  it("delete: a missing file throws `storage id <id> not found`", async () => {
    const { storage, storePng } = setup();
    const id = await storePng();
    await storage.delete(id);
    const error = await failure(storage.delete(id));
    expect(error.code).toBe("StorageIdNotFound");
    expect((error as Failure & { status?: number }).status).toBe(400);
    expect(error.message).toBe(`storage id ${id} not found`);
  });

  it("delete: accepts the legacy UUID id", async () => {
    const { emulator, storage, storePng } = setup();
    const id = await storePng();
    await storage.delete(emulator.file(id)!.uuid);
    expect(emulator.file(id)).toBeNull();
  });

  it("delete: an invalid id throws Convex's message naming delete", async () => {
    const { storage } = setup();
    expect((await failure(storage.delete("x"))).message).toBe(
      "Invalid argument `storageId` for `storage.delete`: Invalid storage ID: \"x\". Storage ID should be an\n                    Id of '_storage' table, or a UUID string.",
    );
  });
});

describe("generateUploadUrl", () => {
  it("generateUploadUrl: returns {url}/api/storage/upload?token=<token>, a new token each time", async () => {
    const { storage } = setup();
    const first = await storage.generateUploadUrl();
    const second = await storage.generateUploadUrl();
    expect(first).toMatch(/^https:\/\/happy-animal-123\.convex\.cloud\/api\/storage\/upload\?token=[A-Za-z0-9_-]{32}$/);
    expect(second).not.toBe(first);
  });
});

describe("views", () => {
  it("reader: offers only getUrl and getMetadata, over the same files", async () => {
    const { emulator, storePng } = setup();
    const id = await storePng();
    expect(Object.keys(emulator.reader).sort()).toEqual(["getMetadata", "getUrl"]);
    expect(await emulator.reader.getUrl(id)).toBe(await emulator.storage.getUrl(id));
  });

  it("writer: offers the full mutation surface over the same files", async () => {
    const { emulator } = setup();
    expect(Object.keys(emulator.writer).sort()).toEqual([
      "delete",
      "generateUploadUrl",
      "get",
      "getMetadata",
      "getUrl",
      "store",
    ]);
    const id = await emulator.writer.store(new Blob(["hi"], { type: "text/plain" }));
    expect(await (await emulator.storage.get(id))!.text()).toBe("hi");
  });
});

describe("journal", () => {
  it("journal: records each call with its outcome", async () => {
    const { emulator, storage, storePng } = setup();
    const id = await storePng();
    await storage.getUrl(id);
    await storage.getUrl(crypto.randomUUID());
    await failure(storage.delete("bad"));
    expect(emulator.journal.storageCalls().map((e) => [e.operation, e.outcome, e.errorCode])).toEqual([
      ["store", "ok", undefined],
      ["getUrl", "ok", undefined],
      ["getUrl", "null", undefined],
      ["delete", "error", "InvalidArgument"],
    ]);
    expect(emulator.journal.storageCalls("store")[0]).toMatchObject({ storageId: id, bytes: fixtures.png.size });
  });
});
