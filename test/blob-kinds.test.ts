// store() takes every kind of Blob a handler can hold, on every Node the package supports:
// the store reads it into bytes of its own (file-store/blob-read.ts). Keeping the Blob instead
// and reading it synchronously on a helper thread aborts Node 22, 24 and 26 for the kinds built
// from an fs.openAsBlob() file (bench/blob-worker-crash.mjs); this test fails loudly if a
// change brings that back (the worker process dies).
import { openAsBlob, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { createStorageEmulator } from "../src/index.js";
import { cleanupAfterEach } from "./support/cleanup.js";

const { tempDir } = cleanupAfterEach();

async function setup() {
  const path = join(tempDir(), "data.bin");
  const data = new Uint8Array(3000).map((_, i) => i % 251);
  writeFileSync(path, data);
  const file = await openAsBlob(path, { type: "application/octet-stream" });
  const kinds: Record<string, { blob: Blob; bytes: Uint8Array }> = {
    "a Blob of bytes": { blob: new Blob([data]), bytes: data },
    "a File": { blob: new File([data], "data.bin"), bytes: data },
    "fs.openAsBlob()": { blob: file, bytes: data },
    "a Blob wrapping openAsBlob()": { blob: new Blob([file]), bytes: data },
    "a slice of openAsBlob()": { blob: file.slice(10, 2010), bytes: data.slice(10, 2010) },
    "a Blob of strings, bytes and a file slice": {
      blob: new Blob(["ab", file.slice(0, 5), new Uint8Array([7])]),
      bytes: new Uint8Array([97, 98, ...data.slice(0, 5), 7]),
    },
    "Response.blob()": { blob: await new Response(data).blob(), bytes: data },
  };
  return { emulator: createStorageEmulator(), kinds };
}

describe("store: every kind of Blob", () => {
  it("store: each kind is stored byte-exact; bytes(), snapshot() and get() read it back", async () => {
    const { emulator, kinds } = await setup();
    for (const [kind, { blob, bytes }] of Object.entries(kinds)) {
      const id = await emulator.storage.store(blob);
      expect(emulator.bytes(id), kind).toEqual(bytes);
      expect(emulator.file(id)?.size, kind).toBe(bytes.byteLength);
      expect(new Uint8Array(await (await emulator.storage.get(id))!.arrayBuffer()), kind).toEqual(bytes);
    }
    // A snapshot reads every file's bytes at once; restored elsewhere, it holds them all.
    const copy = createStorageEmulator();
    copy.restore(emulator.snapshot());
    expect(copy.files().map((file) => copy.bytes(file.storageId))).toEqual(
      Object.values(kinds).map(({ bytes }) => bytes),
    );
  });
});
