// convex-storage-emulator/convex-test: functions run by convex-test's
// t.query / t.mutation / t.action / t.run / t.fetch use an emulator's storage.
//
// How: Convex's server code reaches storage through the global `Convex`
// syscall object (convex-js src/server/impl/storage_impl.ts). convex-test
// installs that object once, as getters that return the running test
// instance's own syscall functions (convex-test 0.0.71 dist/index.js,
// ensureGlobalProxy and the per-instance syscallImpl/asyncSyscallImpl/
// jsSyscallImpl). We wrap that object once and, keyed by those per-instance
// functions, route the storage syscalls of a connected instance to its
// emulator; every other syscall, and every unconnected instance, is left to
// convex-test. `_storage` documents stay in convex-test's database (so
// `v.id("_storage")` and `ctx.db.system` work), which means the emulator
// adopts convex-test's ids while connected.
//
// The file ops themselves still pass through convex-test's own handlers
// (1.0/storageStore, 1.0/storageGet, 1.0/storageDelete, storage/storeBlob), so
// its per-mutation file limits and getTransactionMetrics() counters (0.0.70+,
// dist/transactionMetrics.js) and its transactional files keep working; the
// emulator adds the bytes, URLs, HTTP routes, journal and faults around them.
// Effects inside a transaction settle when it commits (convex-test/transactions.ts).
import { AsyncLocalStorage } from "node:async_hooks";
import type { GenericSchema, SchemaDefinition } from "convex/server";
import { innerSyscall, installProxy, isRouted, route, unroute, type Syscalls } from "./convex-test/proxy.js";
import { ConvexTestRunner, type ConvexModules } from "./convex-test/runner.js";
import { PendingStorage, settleAfterCalls } from "./convex-test/transactions.js";
import { errors } from "./errors.js";
import type { StorageEmulator } from "./emulator.js";
import type { FileNaming } from "./file-store.js";
import { isUuid, type StorageIdKind } from "./ids.js";

/** The part of convex-test's `t` this module uses: `t.run(fn)`. */
export interface ConvexTestInstance {
  run: (...args: never[]) => Promise<unknown>;
}

export interface ConnectOptions {
  /**
   * The module map given to `convexTest(schema, modules)`. With it, Convex's clients on the
   * emulator's cloud origin get the backend's answers for internal functions (not found),
   * a function called as the wrong kind, and arguments that fail their validator.
   */
  modules?: ConvexModules;
  /** The schema given to `convexTest(schema, modules)`: the admin page's Database lists its tables (else those of the modules' schema.ts). */
  schema?: SchemaDefinition<GenericSchema, boolean>;
}

export type { ConvexModules };

/** Syscalls that write to the database or files: after one, subscribed clients refresh. */
const WRITE_SYSCALLS = new Set([
  "1.0/insert",
  "1.0/shallowMerge",
  "1.0/replace",
  "1.0/remove",
  "1.0/storageStore",
  "1.0/storageDelete",
  "1.0/actions/schedule",
  "1.0/actions/cancel_job",
]);

export interface ConvexTestConnection {
  /** Hands storage back to convex-test's own fake and restores the emulator's Convex ids. */
  disconnect(): void;
}

const connectedEmulators = new WeakSet<StorageEmulator>();

/** convex-test's ids: a decimal counter followed by the table name, e.g. "000000000000000000010000_storage". */
function classifyConvexTestId(id: string): StorageIdKind {
  if (/^\d+_storage$/.test(id)) return "storage";
  if (/^\d+[A-Za-z_]\w*$/.test(id)) return "otherTable";
  return isUuid(id) ? "uuid" : "invalid";
}

/**
 * Connects an emulator to a convex-test instance: its functions then store,
 * serve and delete files through the emulator, and files uploaded over the
 * emulator's HTTP surface get `_storage` documents in convex-test's database.
 * Connect before storing files; one emulator per `t`. `t`'s mutation, action,
 * run and fetch (and those of `t.withIdentity(...)`) are wrapped so that, once
 * they return, the storage effects of the transactions they ran are settled.
 */
export async function connectConvexTest(instance: ConvexTestInstance, emulator: StorageEmulator, options: ConnectOptions = {}): Promise<ConvexTestConnection> {
  const t = instance as unknown as { run<T>(fn: () => Promise<T>): Promise<T> } & Record<string, unknown>;
  if (connectedEmulators.has(emulator)) throw errors.convexTestUnsupported("this emulator is already connected to a convex-test instance");
  const files = emulator.fileStore;
  if (files.count > 0) throw errors.convexTestNotEmpty(files.count);
  const inner = installProxy();
  let raw: Syscalls | undefined;
  // convex-test finds its instance's state through async context; this one (of a t.run that has
  // ended, so in no transaction) lets the settling read committed documents without a t.run.
  let instanceContext: (<R>(fn: () => R) => R) | undefined;
  await t.run(async () => {
    raw = { syscall: innerSyscall(inner, "syscall"), asyncSyscall: innerSyscall(inner, "asyncSyscall"), jsSyscall: innerSyscall(inner, "jsSyscall") };
    instanceContext = AsyncLocalStorage.snapshot();
  });
  if (raw === undefined || instanceContext === undefined) throw errors.convexTestUnsupported("t.run did not run its function");
  const syscalls = raw;
  const inInstance = instanceContext;
  if (isRouted(syscalls)) throw errors.convexTestUnsupported("this convex-test instance is already connected to an emulator");

  const call = async (op: string, args: object): Promise<unknown> => JSON.parse(await syscalls.asyncSyscall(op, JSON.stringify(args)));
  // convex-test's own test for "inside a transaction" (writeToDatabase): getSnapshotTs throws outside one.
  const inTransaction = () => {
    // Outside one it throws: no stack trace wanted (capturing one is a cost on every connected call).
    const limit = Error.stackTraceLimit;
    Error.stackTraceLimit = 0;
    try {
      syscalls.syscall("1.0/getSnapshotTs", "{}");
      return true;
    } catch {
      return false;
    } finally {
      Error.stackTraceLimit = limit;
    }
  };
  const run = t.run.bind(t);
  // Convex's clients on the cloud origin run the app's functions here (server/clients/).
  const runner = new ConvexTestRunner(t, options.modules, options.schema);
  await runner.loadAuthConfig();
  const readDocuments = (ids: string[]) => ids.map((id) => syscalls.asyncSyscall("1.0/get", JSON.stringify({ table: "_storage", id })));
  const committedOf = async (ids: string[], docs: Promise<string>[]) => {
    const found = await Promise.all(docs);
    return ids.filter((_, i) => found[i] !== "null");
  };
  const pending = new PendingStorage({
    inTransaction,
    committed: (ids) => {
      // With no transaction running, convex-test's database holds committed state only: read it at
      // once (1.0/get reads synchronously, before its first await), so no other transaction can
      // start in between. A t.run per settle cost each connected call a second transaction.
      const now = inInstance(() => (inTransaction() ? undefined : readDocuments(ids)));
      if (now !== undefined) return committedOf(ids, now);
      // Else one of our own, which convex-test starts once the running one has ended.
      return run(async () => committedOf(ids, readDocuments(ids)));
    },
    discard: (id) => files.discard(id),
  });
  // The storage syscall a ctx.storage call came through, while the emulator serves it.
  // With storeBlob, the caller's Blob: immutable, so convex-test can keep it as alone it would.
  const viaSyscall = new AsyncLocalStorage<{ op: string; blob?: Blob }>();
  // While connected, convex-test's database names files and keeps their `_storage` documents.
  const naming: FileNaming = {
    classify: classifyConvexTestId,
    // convex-test hashes every file it stores itself; a second, eager digest here only cost time
    // (the record's sha256 is computed when first read, from the same bytes).
    needsSha256: false,
    exists: (storageId) => pending.exists(storageId),
    allocate: async (facts, creationTime) => {
      const { sha256, contentType } = facts;
      const via = viaSyscall.getStore();
      const inside = via !== undefined && pending.inTransaction();
      const kept = via?.blob;
      // A mutation's store goes through convex-test's 1.0/storageStore, which counts it against the
      // mutation's file limits; anything else as an action's storeBlob does (not counted).
      const insert = () =>
        via?.op === "1.0/storageStore"
          ? (call("1.0/storageStore", { blob: Buffer.from(facts.bytes()).toString("base64"), contentType: contentType ?? "", ...(sha256 === undefined ? {} : { sha256 }) }) as Promise<string>)
          : (syscalls.jsSyscall("storage/storeBlob", { blob: kept !== undefined && kept.size === facts.size && kept.type === (contentType ?? "") ? kept : new Blob([facts.bytes() as Uint8Array<ArrayBuffer>], { type: contentType ?? "" }) }) as Promise<string>);
      if (inside) {
        // In the caller's transaction, so it commits or rolls back with it. The record keeps the
        // store's own creationTime: reading the document back (a `1.0/get`) would count as a read in
        // the caller's getTransactionMetrics().
        const storageId = await insert();
        pending.stored(storageId);
        runner.noteWrite();
        return { storageId, creationTime };
      }
      // Else in a transaction of our own, where reading the document back counts against no one.
      const stored = await run(async () => {
        const storageId = await insert();
        const doc = (await call("1.0/get", { table: "_storage", id: storageId })) as { _creationTime: number };
        return { storageId, creationTime: doc._creationTime };
      });
      runner.noteWrite();
      return stored;
    },
    release: async (storageId) => {
      const inside = viaSyscall.getStore() !== undefined && pending.inTransaction();
      // convex-test's own delete: gives a stored-in-this-mutation file's budget back.
      // In the caller's transaction when there is one (so it commits or rolls back with it); else in one of our own.
      await (inside ? call("1.0/storageDelete", { storageId }) : run(() => call("1.0/storageDelete", { storageId })));
      runner.noteWrite();
      if (!inside) return;
      pending.deleted(storageId);
      return "deferred";
    },
  };

  const { storage } = emulator;
  const via = <T>(op: string, fn: () => Promise<T>, blob?: Blob) => viaSyscall.run(blob === undefined ? { op } : { op, blob }, fn);
  type Args = { storageId: string; blob: string; contentType?: string; sha256?: string };
  const asyncOps: Record<string, (a: Args, json: string) => Promise<unknown>> = {
    "1.0/storageGetUrl": (a) => storage.getUrl(a.storageId),
    "1.0/storageGetMetadata": (a) => storage.getMetadata(a.storageId),
    "1.0/storageGenerateUploadUrl": () => storage.generateUploadUrl(),
    "1.0/storageDelete": async (a) => {
      await storage.delete(a.storageId);
      return {};
    },
    // Fidelity: a mutation's store/get travel base64-encoded (convex 1.48 dist/esm/server/impl/storage_impl.js setupStorageWriter).
    "1.0/storageStore": (a) =>
      storage.store(new Blob([Buffer.from(a.blob, "base64")], { type: a.contentType ?? "" }), a.sha256 === undefined ? undefined : { sha256: a.sha256 }),
    "1.0/storageGet": async (a, json) => {
      const blob = await storage.get(a.storageId);
      if (blob === null) return null;
      // convex-test's own get counts the read against the mutation's limits; it holds the same bytes.
      const counted = JSON.parse(await syscalls.asyncSyscall("1.0/storageGet", json)) as { blob: string } | null;
      const bytes = counted?.blob ?? Buffer.from(await blob.arrayBuffer()).toString("base64");
      return { blob: bytes, contentType: blob.type === "" ? null : blob.type };
    },
  };
  // Fidelity: the backend always writes contentType on `_storage` documents, null when none
  // (get-convex/convex-backend crates/model/src/file_storage/virtual_table.rs); convex-test omits it.
  const documentOps = new Set(["1.0/get", "1.0/queryStreamNext", "1.0/queryPage"]);
  const withContentType = (doc: unknown) => {
    const d = doc as { _id?: unknown; sha256?: unknown; contentType?: unknown } | null;
    if (typeof d?._id !== "string" || !/^\d+_storage$/.test(d._id) || typeof d.sha256 !== "string") return;
    d.contentType = files.byStorageId(d._id)?.contentType ?? d.contentType ?? null;
  };
  const withContentTypes = (result: string) => {
    if (!result.includes("_storage")) return result;
    const value = JSON.parse(result) as { value?: unknown; page?: unknown[] };
    for (const doc of [value, value?.value, ...(value?.page ?? [])]) withContentType(doc);
    return JSON.stringify(value);
  };
  const serve = async (op: string, handler: (a: Args, json: string) => Promise<unknown>, json: string) =>
    JSON.stringify(await via(op, () => handler(JSON.parse(json) as Args, json)));
  const replacement: Syscalls = {
    syscall: syscalls.syscall,
    // Not an async function: every other syscall (the caller's db reads and writes) passes with no extra promise.
    asyncSyscall: (op, json) => {
      if (WRITE_SYSCALLS.has(op)) runner.noteWrite();
      const handler = asyncOps[op];
      if (handler) return serve(op, handler, json);
      // A nested mutation or a scheduled function: a transaction of its own, which settling must look at.
      if (op === "1.0/runUdf" || op.startsWith("1.0/actions/")) pending.nested();
      const result = syscalls.asyncSyscall(op, json);
      return documentOps.has(op) ? result.then(withContentTypes) : result;
    },
    jsSyscall: (op, args) => {
      if (op === "storage/storeBlob") {
        runner.noteWrite();
        const blob = args.blob as Blob;
        return via(op, () => storage.store(blob, args.options as { sha256?: string } | undefined), blob instanceof Blob ? blob : undefined);
      }
      if (op === "storage/getBlob") return via(op, () => storage.get(args.storageId as string));
      return syscalls.jsSyscall(op, args);
    },
  };

  files.connect(naming);
  route(syscalls, replacement);
  connectedEmulators.add(emulator);
  const unwrap = settleAfterCalls(t, pending);
  const detach = emulator.clients.attach(runner);
  return {
    disconnect() {
      detach();
      unwrap();
      unroute(syscalls);
      files.disconnect();
      connectedEmulators.delete(emulator);
    },
  };
}
