// Library calls racing each other: like Convex, one delete of a file wins;
// like any server, one listen() binds.
import { describe, expect, it } from "vitest";
import { createStorageEmulator } from "../src/index.js";
import { cleanupAfterEach } from "./support/cleanup.js";

const { defer } = cleanupAfterEach();

function setup() {
  return { emulator: createStorageEmulator() };
}

describe("races", () => {
  it("delete: of 5 concurrent deletes of one file, exactly one succeeds; the others throw StorageIdNotFound", async () => {
    const { emulator } = setup();
    const id = await emulator.storage.store(new Blob(["x"]));
    const outcomes = await Promise.allSettled(Array.from({ length: 5 }, () => emulator.storage.delete(id)));
    expect(outcomes.filter((o) => o.status === "fulfilled")).toHaveLength(1);
    const failures = outcomes.flatMap((o) =>
      o.status === "rejected" ? [o.reason as { code: string; message: string }] : [],
    );
    expect(failures.map((e) => [e.code, e.message])).toEqual(
      Array(4).fill(["StorageIdNotFound", `storage id ${id} not found`]),
    );
    expect(emulator.files()).toEqual([]);
    expect(
      emulator.journal
        .storageCalls("delete")
        .map((c) => c.outcome)
        .sort(),
    ).toEqual(["error", "error", "error", "error", "ok"]);
  });

  it("listen: while the first listen() is starting, a second rejects with AlreadyListening; after close() nothing listens", async () => {
    const { emulator } = setup();
    const first = emulator.listen({ port: 0 });
    const second = emulator.listen({ port: 0 });
    const [a, b] = await Promise.allSettled([first, second]);
    expect(a.status).toBe("fulfilled");
    expect(b).toMatchObject({
      status: "rejected",
      reason: {
        code: "AlreadyListening",
        message:
          "[convex-storage-emulator] This emulator is already starting to listen. Await that listen() (and close() it) first, or create another emulator.",
      },
    });
    const server = defer((a as PromiseFulfilledResult<Awaited<typeof first>>).value);
    await expect(emulator.listen({ port: 0 })).rejects.toMatchObject({ code: "AlreadyListening" });
    const url = server.url;
    await emulator.close();
    expect(server.server.listening).toBe(false);
    await expect(fetch(`${url}/_emulator/health`)).rejects.toThrow();
    // And it can listen again.
    const again = defer(await emulator.listen({ port: 0 }));
    expect(again.server.listening).toBe(true);
  });

  it("listen: a failed listen() (taken port) leaves the emulator free to listen elsewhere", async () => {
    const { emulator } = setup();
    const holder = defer(await createStorageEmulator().listen({ port: 0 }));
    await expect(emulator.listen({ port: holder.port })).rejects.toMatchObject({ code: "PortInUse" });
    const server = defer(await emulator.listen({ port: 0 }));
    expect(server.server.listening).toBe(true);
  });
});
