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
import { convexTestNaming, type ViaSyscall } from "./convex-test/naming.js";
import { innerSyscall, installProxy, isRouted, route, unroute, type Syscalls } from "./convex-test/proxy.js";
import { ConvexTestRunner, type ConvexModules } from "./convex-test/runner.js";
import { storageSyscalls } from "./convex-test/storage-syscalls.js";
import { PendingStorage, settleAfterCalls } from "./convex-test/transactions.js";
import { errors } from "./errors.js";
import type { StorageEmulator } from "./emulator.js";

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

export interface ConvexTestConnection {
  /** Hands storage back to convex-test's own fake and restores the emulator's Convex ids. */
  disconnect(): void;
}

const connectedEmulators = new WeakSet<StorageEmulator>();

/**
 * Connects an emulator to a convex-test instance: its functions then store,
 * serve and delete files through the emulator, and files uploaded over the
 * emulator's HTTP surface get `_storage` documents in convex-test's database.
 * Connect before storing files; one emulator per `t`. `t`'s mutation, action,
 * run and fetch (and those of `t.withIdentity(...)`) are wrapped so that, once
 * they return, the storage effects of the transactions they ran are settled.
 */
export async function connectConvexTest(
  instance: ConvexTestInstance,
  emulator: StorageEmulator,
  options: ConnectOptions = {},
): Promise<ConvexTestConnection> {
  const t = instance as unknown as { run<T>(fn: () => Promise<T>): Promise<T> } & Record<string, unknown>;
  if (connectedEmulators.has(emulator))
    throw errors.convexTestUnsupported("this emulator is already connected to a convex-test instance");
  const files = emulator.fileStore;
  if (files.count > 0) throw errors.convexTestNotEmpty(files.count);
  const inner = installProxy();
  let raw: Syscalls | undefined;
  // convex-test finds its instance's state through async context; this one (of a t.run that has
  // ended, so in no transaction) lets the settling read committed documents without a t.run.
  let instanceContext: (<R>(fn: () => R) => R) | undefined;
  await t.run(async () => {
    raw = {
      syscall: innerSyscall(inner, "syscall"),
      asyncSyscall: innerSyscall(inner, "asyncSyscall"),
      jsSyscall: innerSyscall(inner, "jsSyscall"),
    };
    instanceContext = AsyncLocalStorage.snapshot();
  });
  if (raw === undefined || instanceContext === undefined)
    throw errors.convexTestUnsupported("t.run did not run its function");
  const syscalls = raw;
  const inInstance = instanceContext;
  if (isRouted(syscalls))
    throw errors.convexTestUnsupported("this convex-test instance is already connected to an emulator");

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
  const readDocuments = (ids: string[]) =>
    ids.map((id) => syscalls.asyncSyscall("1.0/get", JSON.stringify({ table: "_storage", id })));
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
  const viaSyscall: ViaSyscall = new AsyncLocalStorage();
  const noteWrite = () => runner.noteWrite();
  // While connected, convex-test's database names files and keeps their `_storage` documents.
  const naming = convexTestNaming({ syscalls, run, pending, viaSyscall, noteWrite });
  // Its storage syscalls served by the emulator; every other one passes to convex-test.
  const replacement = storageSyscalls({ syscalls, storage: emulator.storage, files, pending, viaSyscall, noteWrite });

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
