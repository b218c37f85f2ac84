import type { StorageActionWriter, StorageReader, StorageWriter } from "convex/server";
import type { GenericId } from "convex/values";
import { describe, expect, expectTypeOf, it } from "vitest";
import { inject } from "vitest";
import type { StorageEmulatorFixtures } from "convex-storage-emulator/vitest";
import {
  connectStorageEmulator,
  createStorageEmulator,
  type PendingFault,
  type DatabaseTable,
  type DatabaseView,
  type RemoteOptions,
  type RemoteStorageEmulator,
  type StorageId,
  type StoredFile,
  type JournalEntry,
  type FunctionCallEntry,
  type ImageInfo,
  type StorageEmulator,
} from "../src/index.js";
import { connectConvexTest, type ConnectOptions } from "../src/convex-test.js";

const emulator = createStorageEmulator();

describe("types", () => {
  it("storage: is assignable to convex's StorageActionWriter", () => {
    expectTypeOf(emulator.storage).toExtend<StorageActionWriter>();
  });

  it("writer: is assignable to convex's StorageWriter", () => {
    expectTypeOf(emulator.writer).toExtend<StorageWriter>();
  });

  it("reader: is assignable to StorageReader and offers no writes", () => {
    expectTypeOf(emulator.reader).toExtend<StorageReader>();
    expectTypeOf(emulator.reader).not.toHaveProperty("store");
    expectTypeOf(emulator.reader).not.toHaveProperty("delete");
  });

  it("image: ImageInfo or null, in process and (as a promise) on a remote handle", () => {
    expectTypeOf(emulator.image).returns.toEqualTypeOf<ImageInfo | null>();
    expectTypeOf<RemoteStorageEmulator["image"]>().returns.resolves.toEqualTypeOf<ImageInfo | null>();
    expectTypeOf<ImageInfo["width"]>().toEqualTypeOf<number>();
  });

  it('store: returns Id<"_storage">', () => {
    expectTypeOf(emulator.storage.store).returns.resolves.toEqualTypeOf<GenericId<"_storage">>();
    expectTypeOf<StorageId>().toEqualTypeOf<GenericId<"_storage">>();
    expectTypeOf(emulator.seed).returns.resolves.toEqualTypeOf<GenericId<"_storage">>();
  });

  it("storage: stands in for ctx.storage of a Convex ctx", () => {
    const ctx: { storage: StorageActionWriter } = { storage: emulator.storage };
    expectTypeOf(ctx.storage.getUrl).returns.resolves.toEqualTypeOf<string | null>();
  });

  it("getUrl: rejects ids of other tables at compile time", () => {
    const other = "x" as GenericId<"messages">;
    // @ts-expect-error an Id of another table is not a storage id
    void emulator.storage.getUrl(other);
  });

  it("files: returns StoredFile records with a typed source", () => {
    expectTypeOf(emulator.files()).toEqualTypeOf<StoredFile[]>();
    expectTypeOf<StoredFile["source"]>().toEqualTypeOf<"upload" | "store" | "seed">();
    expectTypeOf<StoredFile["contentType"]>().toEqualTypeOf<string | null>();
    expectTypeOf(emulator.journal.entries).toEqualTypeOf<readonly JournalEntry[]>();
  });

  it("journal.functionCalls: the client calls, in process and remote, kept beside the entries", () => {
    expectTypeOf(emulator.journal.functionCalls).returns.toEqualTypeOf<FunctionCallEntry[]>();
    expectTypeOf(connectStorageEmulator("http://127.0.0.1:3210").journal.functionCalls).returns.resolves.toEqualTypeOf<
      FunctionCallEntry[]
    >();
    expectTypeOf<FunctionCallEntry["client"]>().toEqualTypeOf<"ws" | "http">();
    // Code that tells a storage call from a request by `type` is unchanged: no function entries there.
    expectTypeOf<Extract<JournalEntry, { type: "function" }>>().toBeNever();
  });

  it("connectConvexTest: takes the module map as an option", () => {
    expectTypeOf(connectConvexTest).parameter(2).toEqualTypeOf<ConnectOptions | undefined>();
    expectTypeOf<ConnectOptions["modules"]>().toEqualTypeOf<Record<string, () => Promise<unknown>> | undefined>();
  });

  it("seed: takes a path or bytes, nothing else", () => {
    expectTypeOf(emulator.seed).parameter(0).toExtend<object>();
    // @ts-expect-error a bare string is not a seed input
    void emulator.seed("fixtures/image.png");
  });

  it("remote: the in-process names and shapes, async", () => {
    const remote = connectStorageEmulator("http://127.0.0.1:3210");
    expectTypeOf(remote.files).returns.resolves.toEqualTypeOf<StoredFile[]>();
    expectTypeOf(remote.file).returns.resolves.toEqualTypeOf<StoredFile | null>();
    expectTypeOf(remote.bytes).returns.resolves.toEqualTypeOf<Uint8Array | null>();
    expectTypeOf(remote.seed).returns.resolves.toEqualTypeOf<GenericId<"_storage">>();
    expectTypeOf(remote.journal.entries).returns.resolves.toEqualTypeOf<JournalEntry[]>();
    expectTypeOf(remote.faults.pending).returns.resolves.toEqualTypeOf<PendingFault[]>();
    expectTypeOf(remote.database).returns.resolves.toEqualTypeOf<DatabaseView>();
    expectTypeOf<Extract<DatabaseView, { connected: true }>["tables"][number]>().toEqualTypeOf<DatabaseTable>();
    // @ts-expect-error an Error cannot cross the wire: a remote fault's error is its message
    void remote.faults.next({ route: "store", error: new Error("x") });
    expectTypeOf(connectStorageEmulator).parameter(1).toEqualTypeOf<RemoteOptions | undefined>();
    expectTypeOf<RemoteOptions>().toEqualTypeOf<{ timeoutMs?: number }>();
  });

  it("vitest: the matchers are typed on expect(), .not, and as asymmetric matchers", () => {
    const remote = connectStorageEmulator("http://127.0.0.1:3210");
    expectTypeOf(expect(emulator).toHaveStoredFiles).parameters.toEqualTypeOf<[count: number]>();
    expectTypeOf(expect(emulator).not.toHaveStoredFile).toBeFunction();
    expectTypeOf(expect("id").toBeStoredIn).parameter(0).toEqualTypeOf<StorageEmulator | RemoteStorageEmulator>();
    expectTypeOf(expect(remote).toHaveStoredImage).parameter(0).toMatchTypeOf<{ format?: unknown } | undefined>();
    expectTypeOf(expect.toBeStoredIn).toBeFunction();
    // @ts-expect-error a count is a number
    void expect(emulator).toHaveStoredFiles("one");
    // @ts-expect-error no such matcher
    void expect(emulator).toHaveStoredFilez(1);
  });

  it("vitest: fixtures are typed, and inject() knows the shared emulator's URL", () => {
    expectTypeOf<StorageEmulatorFixtures["storageEmulator"]>().toEqualTypeOf<RemoteStorageEmulator>();
    expectTypeOf<StorageEmulatorFixtures["emulatorUrl"]>().toEqualTypeOf<string>();
    expectTypeOf(inject("convexStorageEmulatorUrl")).toEqualTypeOf<string | undefined>();
  });
});
