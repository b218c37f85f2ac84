// convex-test interop: what the emulator adds must not change what convex-test (and Convex)
// do with `_storage` documents, transactions and per-mutation file limits.
import { mkdirSync } from "node:fs";
import { makeFunctionReference } from "convex/server";
import { convexTest } from "convex-test";
import { describe, expect, it, vi } from "vitest";
import { createStorageEmulator, type StorageEmulatorOptions } from "../src/index.js";
import { connectConvexTest } from "../src/convex-test.js";
import { cleanupAfterEach } from "./support/cleanup.js";
import { failure } from "./support/failure.js";

const { defer, tempDir } = cleanupAfterEach();
const modules = import.meta.glob("./convex-app/convex/**/*.ts");

const fn = {
  storeThenMaybeThrow: makeFunctionReference<"mutation", { text: string; fail: boolean; type?: string }, string>(
    "files:storeThenMaybeThrow",
  ),
  deleteThenMaybeThrow: makeFunctionReference<"mutation", { id: string; fail: boolean }, string | null>(
    "files:deleteThenMaybeThrow",
  ),
  storeMany: makeFunctionReference<"mutation", { count: number }, Metrics>("files:storeMany"),
  readAll: makeFunctionReference<"mutation", { ids: string[] }, Metrics>("files:readAll"),
  deleteInActionThenThrow: makeFunctionReference<"action", { id: string }, null>("files:deleteInActionThenThrow"),
  storeViaMutationThenThrow: makeFunctionReference<"action", Record<string, never>, null>(
    "files:storeViaMutationThenThrow",
  ),
  storeViaFailingMutation: makeFunctionReference<"action", Record<string, never>, string | null>(
    "files:storeViaFailingMutation",
  ),
  storeViaFailingNestedMutation: makeFunctionReference<"mutation", Record<string, never>, string>(
    "files:storeViaFailingNestedMutation",
  ),
  storeThenDelete: makeFunctionReference<"mutation", Record<string, never>, string>("files:storeThenDelete"),
  scheduleStore: makeFunctionReference<"mutation", { fail: boolean }, string>("files:scheduleStore"),
};
type Metric = { used: number; remaining: number };
type Metrics = Record<
  "filesWritten" | "fileWriteBytes" | "filesRead" | "fileReadBytes" | "documentsRead" | "databaseQueries",
  Metric
>;

async function setup(options: { transactionLimits?: boolean } = {}, emulatorOptions: StorageEmulatorOptions = {}) {
  const t = convexTest({ modules, ...options });
  const emulator = createStorageEmulator(emulatorOptions);
  const connection = await connectConvexTest(t, emulator);
  defer(() => connection.disconnect());
  const server = await emulator.listen({ port: 0 });
  defer(() => server.close());
  const served = async (id: string) => {
    const url = await t.run(async (ctx) => ctx.storage.getUrl(id as never));
    return url === null ? null : await (await fetch(url)).text();
  };
  return { t, emulator, served };
}

describe("convex-test interop", () => {
  it("_storage documents: contentType is always present, null when the file has none", async () => {
    const { t, emulator } = await setup();
    const plain = await t.mutation(fn.storeThenMaybeThrow, { text: "a", fail: false });
    const typed = await t.mutation(fn.storeThenMaybeThrow, { text: "b", fail: false, type: "text/plain" });
    const uploaded = await emulator.seed({ bytes: "c" });
    const docs = await t.run(async (ctx) => ({
      one: await ctx.db.system.get(plain as never),
      all: await ctx.db.system.query("_storage").collect(),
      page: (await ctx.db.system.query("_storage").paginate({ numItems: 10, cursor: null })).page,
    }));
    expect(docs.one).toMatchObject({ contentType: null, size: 1 });
    expect(docs.all.map((d) => [d._id, d.contentType])).toEqual([
      [plain, null],
      [typed, "text/plain"],
      [uploaded, null],
    ]);
    expect(docs.page.map((d) => d.contentType)).toEqual([null, "text/plain", null]);
  });

  it('_storage documents: ctx.db.system.get("_storage", id) (table-first, convex 1.51\'s advice) describes the file getMetadata describes', async () => {
    const { t, emulator } = await setup();
    const id = await t.mutation(fn.storeThenMaybeThrow, { text: "hello", fail: false, type: "text/plain" });
    const seen = await t.run(async (ctx) => ({
      tableFirst: await ctx.db.system.get("_storage", id as never),
      idOnly: await ctx.db.system.get(id as never),
      metadata: await ctx.storage.getMetadata(id as never),
    }));
    const file = emulator.file(id)!;
    expect(seen.tableFirst).toEqual({
      _id: id,
      _creationTime: expect.any(Number),
      sha256: file.sha256,
      size: 5,
      contentType: "text/plain",
    });
    expect(seen.idOnly).toEqual(seen.tableFirst);
    // getMetadata (deprecated in convex 1.51) has the uuid and a hex sha256.
    expect(seen.metadata).toEqual({
      storageId: file.uuid,
      sha256: Buffer.from(file.sha256, "base64").toString("hex"),
      size: 5,
      contentType: "text/plain",
    });
  });

  it("transactions: a delete in a mutation that throws is rolled back; the file is still listed, URL'd and served", async () => {
    const { t, emulator, served } = await setup();
    const id = await t.mutation(fn.storeThenMaybeThrow, { text: "keep me", fail: false });
    const error = await failure(t.mutation(fn.deleteThenMaybeThrow, { id, fail: true }));
    // Inside the mutation the file was already gone.
    expect(error.message).toContain("after delete (getUrl: null)");
    expect(emulator.files().map((f) => f.storageId)).toEqual([id]);
    expect(emulator.text(id)).toBe("keep me");
    expect(await served(id)).toBe("keep me");
    expect(await t.run(async (ctx) => ctx.db.system.get(id as never))).not.toBeNull();
  });

  it("transactions: a delete in a mutation that commits removes the file", async () => {
    const { t, emulator, served } = await setup();
    const id = await t.mutation(fn.storeThenMaybeThrow, { text: "bye", fail: false });
    const uuid = emulator.file(id)!.uuid;
    expect(await t.mutation(fn.deleteThenMaybeThrow, { id, fail: false })).toBeNull();
    expect(emulator.files()).toEqual([]);
    expect(await served(id)).toBeNull();
    expect((await fetch(`${emulator.url}/api/storage/${uuid}`)).status).toBe(404);
  });

  it("transactions: a store in a mutation that throws leaves no file", async () => {
    const { t, emulator } = await setup();
    await expect(t.mutation(fn.storeThenMaybeThrow, { text: "never", fail: true })).rejects.toThrow("after store");
    expect(emulator.files()).toEqual([]);
    expect(emulator.fileStore.count).toBe(0);
    expect(await t.run(async (ctx) => ctx.db.system.query("_storage").collect())).toEqual([]);
  });

  it("transactions: mutations run side by side each settle their own stores, kept or dropped", async () => {
    const { t, emulator, served } = await setup();
    const calls = [true, false, true, false].map((fail, i) =>
      t.mutation(fn.storeThenMaybeThrow, { text: `m${i}`, fail }),
    );
    const results = await Promise.allSettled(calls);
    expect(results.map((r) => r.status)).toEqual(["rejected", "fulfilled", "rejected", "fulfilled"]);
    expect(emulator.files().map((f) => emulator.text(f.storageId))).toEqual(["m1", "m3"]);
    expect(await served((results[1] as PromiseFulfilledResult<string>).value)).toBe("m1");
  });

  it("transactions: actions are not transactional; a mutation run by an action commits on its own", async () => {
    const { t, emulator } = await setup();
    const id = await t.mutation(fn.storeThenMaybeThrow, { text: "x", fail: false });
    await expect(t.action(fn.deleteInActionThenThrow, { id })).rejects.toThrow("after delete in an action");
    expect(emulator.files()).toEqual([]);
    await expect(t.action(fn.storeViaMutationThenThrow, {})).rejects.toThrow("after runMutation");
    expect(emulator.files().map((f) => emulator.text(f.storageId))).toEqual(["from action"]);
  });

  it("transactions: a store in a mutation that an action runs and that throws leaves no file", async () => {
    const { t, emulator } = await setup();
    expect(await t.action(fn.storeViaFailingMutation, {})).toContain("after store");
    expect(emulator.files()).toEqual([]);
    expect(emulator.fileStore.count).toBe(0);
  });

  it("transactions: a store in a nested mutation that throws leaves no file; its parent's store is kept", async () => {
    const { t, emulator } = await setup();
    const kept = await t.mutation(fn.storeViaFailingNestedMutation, {});
    expect(emulator.files().map((f) => [f.storageId, emulator.text(f.storageId)])).toEqual([[kept, "kept"]]);
    expect(emulator.fileStore.count).toBe(1);
  });

  it("transactions: a file stored and deleted in one mutation is gone once it commits, and in t.run", async () => {
    const { t, emulator, served } = await setup();
    const id = await t.mutation(fn.storeThenDelete, {});
    expect(
      await t.run(async (ctx) => {
        const other = await ctx.storage.store(new Blob(["also gone"]));
        await ctx.storage.delete(other);
        return ctx.storage.getUrl(other);
      }),
    ).toBeNull();
    expect(emulator.files()).toEqual([]);
    expect(emulator.fileStore.count).toBe(0);
    expect(await served(id)).toBeNull();
  });

  it("transactions: a store in t.run that throws leaves no file; one that returns is listed at once", async () => {
    const { t, emulator } = await setup();
    await expect(
      t.run(async (ctx) => {
        await ctx.storage.store(new Blob(["never"]));
        throw new Error("after store in t.run");
      }),
    ).rejects.toThrow("after store in t.run");
    expect(emulator.fileStore.count).toBe(0);
    const id = await t.run(async (ctx) => ctx.storage.store(new Blob(["kept"])));
    expect(emulator.files().map((f) => f.storageId)).toEqual([id]);
  });

  it("transactions: a function scheduled by a mutation settles its own store, kept or dropped", async () => {
    const { t, emulator } = await setup();
    // convex-test reports the scheduled mutation that throws on the console.
    const consoleError = vi.spyOn(console, "error").mockImplementation(() => {});
    vi.useFakeTimers();
    try {
      const first = await t.mutation(fn.scheduleStore, { fail: false });
      await t.finishAllScheduledFunctions(vi.runAllTimers);
      const second = await t.mutation(fn.scheduleStore, { fail: true });
      await t.finishAllScheduledFunctions(vi.runAllTimers);
      expect(emulator.files().map((f) => emulator.text(f.storageId))).toEqual(["scheduler", "scheduled", "scheduler"]);
      expect(emulator.files().map((f) => f.storageId)).toContain(first);
      expect(emulator.files().map((f) => f.storageId)).toContain(second);
      expect(emulator.fileStore.count).toBe(3);
      expect(consoleError).toHaveBeenCalledWith(
        expect.stringContaining("files:storeThenMaybeThrow"),
        expect.objectContaining({ message: "after store" }),
      );
    } finally {
      vi.useRealTimers();
      consoleError.mockRestore();
    }
  });

  it("limits: a mutation's stores and gets still count in convex-test's transaction metrics", async () => {
    const { t } = await setup();
    const metrics = await t.mutation(fn.storeMany, { count: 3 });
    expect(metrics.filesWritten.used).toBe(3);
    expect(metrics.fileWriteBytes.used).toBe(18);
    const ids = [
      await t.mutation(fn.storeThenMaybeThrow, { text: "12345", fail: false }),
      await t.mutation(fn.storeThenMaybeThrow, { text: "678", fail: false }),
    ];
    const read = await t.mutation(fn.readAll, { ids });
    expect([read.filesRead.used, read.fileReadBytes.used]).toEqual([2, 8]);
  });

  it("limits: a mutation's stores count in convex-test's transaction metrics as without the emulator, and nothing else", async () => {
    const alone = await convexTest({ modules }).mutation(fn.storeMany, { count: 2 });
    const { t } = await setup();
    const connected = await t.mutation(fn.storeMany, { count: 2 });
    expect(connected).toEqual(alone);
    expect([connected.documentsRead.used, connected.databaseQueries.used, connected.filesWritten.used]).toEqual([
      0, 0, 2,
    ]);
  });

  it("limits: convex-test's per-mutation file limit still applies when enforced, and nothing is kept", async () => {
    const { t, emulator } = await setup({ transactionLimits: true });
    await expect(t.mutation(fn.storeMany, { count: 11 })).rejects.toThrow(
      "Too many files stored by this mutation (limit: 10). This is a Convex limit: https://docs.convex.dev/production/state/limits",
    );
    expect(emulator.files()).toEqual([]);
    expect(emulator.fileStore.count).toBe(0);
  });

  it("connectConvexTest: refuses an emulator that holds files, also ones found in its persist directory", async () => {
    const dir = tempDir();
    mkdirSync(dir, { recursive: true });
    const first = createStorageEmulator({ persist: dir });
    await first.seed({ bytes: "kept on disk" });
    const reopened = createStorageEmulator({ persist: dir });
    const error = await failure(connectConvexTest(convexTest({ modules }), reopened));
    expect(error.message).toBe(
      "[convex-storage-emulator] connectConvexTest: connect before storing files: this emulator already holds 1 file (stored, seeded, restored or found in its persist directory), and convex-test has no _storage documents for them. Connect a fresh emulator (without persist, or with an empty directory).",
    );
    const restored = createStorageEmulator();
    restored.restore(first.snapshot());
    await expect(connectConvexTest(convexTest({ modules }), restored)).rejects.toThrow(
      "this emulator already holds 1 file",
    );
  });

  it("restore: refused while connected, with a pinned message", async () => {
    const { emulator } = await setup();
    const snapshot = createStorageEmulator().snapshot();
    expect(() => emulator.restore(snapshot)).toThrow(
      "[convex-storage-emulator] restore() is not supported while connected to convex-test: the restored files would have no _storage documents. Disconnect first.",
    );
  });
});
