// convex-storage-emulator/convex-test: functions run by convex-test's
// t.query / t.mutation / t.action / t.run / t.fetch use an emulator's storage.
//
// How: Convex's server code reaches storage through the global `Convex`
// syscall object (convex-js src/server/impl/storage_impl.ts). convex-test
// installs that object once, as getters that return the running test
// instance's own syscall functions (convex-test 0.0.60 dist/index.js,
// ensureGlobalProxy and the per-instance syscallImpl/asyncSyscallImpl/
// jsSyscallImpl). We wrap that object once and, keyed by those per-instance
// functions, route the storage syscalls of a connected instance to its
// emulator; every other syscall, and every unconnected instance, is left to
// convex-test. `_storage` documents stay in convex-test's database (so
// `v.id("_storage")` and `ctx.db.system` work), which means the emulator
// adopts convex-test's ids while connected.
import { AsyncLocalStorage } from "node:async_hooks";
import { errors } from "./errors.js";
import type { StorageEmulator } from "./emulator.js";
import type { FileIdentity } from "./file-store.js";
import { isUuid, type StorageIdKind } from "./ids.js";

type SyscallKind = "syscall" | "asyncSyscall" | "jsSyscall";
type Syscalls = {
  syscall: (op: string, json: string) => string;
  asyncSyscall: (op: string, json: string) => Promise<string>;
  jsSyscall: (op: string, args: Record<string, unknown>) => unknown;
};

/** The part of convex-test's `t` this module uses: `t.run(fn)`. */
export interface ConvexTestInstance {
  run: (...args: never[]) => Promise<unknown>;
}

export interface ConvexTestConnection {
  /** Hands storage back to convex-test's own fake and restores the emulator's Convex ids. */
  disconnect(): void;
}

const MARK = Symbol.for("convex-storage-emulator.convex-test-proxy");
/** Per-instance raw syscall function -> the connected emulator's replacements. */
const connections = new WeakMap<object, Syscalls>();
const connectedEmulators = new WeakSet<StorageEmulator>();

interface ConvexGlobal {
  [MARK]?: { inner: object };
}

/** The syscall function convex-test's own global hands out for the running instance. */
function innerSyscall<K extends SyscallKind>(inner: object, kind: K): Syscalls[K] {
  const getter = Object.getOwnPropertyDescriptor(inner, kind)?.get;
  if (typeof getter !== "function") throw errors.convexTestUnsupported("its global `Convex` has no syscall getters");
  return getter.call(inner) as Syscalls[K];
}

/** Wraps convex-test's global `Convex` once (again after a module reload replaced it). */
function installProxy(): object {
  const holder = globalThis as { Convex?: ConvexGlobal & object };
  const current = holder.Convex;
  if (current?.[MARK]) return current[MARK].inner;
  if (current === undefined || typeof Object.getOwnPropertyDescriptor(current, "asyncSyscall")?.get !== "function") {
    throw errors.convexTestUnsupported("call convexTest(schema, modules) before connectConvexTest(t, emulator)");
  }
  const inner = current;
  const pick = <K extends SyscallKind>(kind: K): Syscalls[K] => {
    const raw = innerSyscall(inner, kind);
    return (connections.get(raw)?.[kind] as Syscalls[K] | undefined) ?? raw;
  };
  holder.Convex = {
    [MARK]: { inner },
    get syscall() {
      return pick("syscall");
    },
    get asyncSyscall() {
      return pick("asyncSyscall");
    },
    get jsSyscall() {
      return pick("jsSyscall");
    },
  } as ConvexGlobal & object;
  return inner;
}

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
 * Connect before storing files; one emulator per `t`.
 */
export async function connectConvexTest(instance: ConvexTestInstance, emulator: StorageEmulator): Promise<ConvexTestConnection> {
  const t = instance as unknown as { run<T>(fn: () => Promise<T>): Promise<T> };
  if (connectedEmulators.has(emulator)) throw errors.convexTestUnsupported("this emulator is already connected to a convex-test instance");
  if (emulator.files().length > 0) {
    throw errors.convexTestUnsupported("connect before storing files: their ids would have to change to convex-test's");
  }
  const inner = installProxy();
  let raw: Syscalls | undefined;
  await t.run(async () => {
    raw = { syscall: innerSyscall(inner, "syscall"), asyncSyscall: innerSyscall(inner, "asyncSyscall"), jsSyscall: innerSyscall(inner, "jsSyscall") };
  });
  if (raw === undefined) throw errors.convexTestUnsupported("t.run did not run its function");
  const syscalls = raw;
  if (connections.has(syscalls.asyncSyscall)) throw errors.convexTestUnsupported("this convex-test instance is already connected to an emulator");

  const call = async (op: string, args: object): Promise<unknown> => JSON.parse(await syscalls.asyncSyscall(op, JSON.stringify(args)));
  // convex-test's own test for "inside a transaction" (writeToDatabase): getSnapshotTs throws outside one.
  const inTransaction = () => {
    try {
      syscalls.syscall("1.0/getSnapshotTs", "{}");
      return true;
    } catch {
      return false;
    }
  };
  // Inside one of this t's functions, write into its transaction when there is one (so it rolls
  // back with it); otherwise (HTTP uploads, seed, actions) in a transaction of our own via t.run.
  const insideSyscall = new AsyncLocalStorage<true>();
  const write = <T>(fn: () => Promise<T>): Promise<T> =>
    insideSyscall.getStore() && inTransaction() ? fn() : t.run(async () => fn());
  // While connected, convex-test's database names files and keeps their `_storage` documents.
  const identity: FileIdentity = {
    classify: classifyConvexTestId,
    needsSha256: true,
    allocate: (facts) =>
      write(async () => {
        const { sha256, size, contentType } = facts;
        // needsSha256 made the store hash before naming the file.
        if (sha256 === undefined) throw errors.internal("a _storage document needs the file's sha256");
        const value = { sha256, size, ...(contentType === null ? {} : { contentType }) };
        const { _id } = (await call("1.0/insert", { table: "_storage", value })) as { _id: string };
        const doc = (await call("1.0/get", { table: "_storage", id: _id })) as { _creationTime: number };
        return { storageId: _id, creationTime: doc._creationTime };
      }),
    release: (storageId) =>
      write(async () => {
        await call("1.0/remove", { table: "_storage", id: storageId });
      }),
  };

  const { storage } = emulator;
  const within = <T>(fn: () => Promise<T>) => insideSyscall.run(true, fn);
  type Args = { storageId: string; blob: string; contentType?: string; sha256?: string };
  const asyncOps: Record<string, (a: Args) => Promise<unknown>> = {
    "1.0/storageGetUrl": (a) => storage.getUrl(a.storageId),
    "1.0/storageGetMetadata": (a) => storage.getMetadata(a.storageId),
    "1.0/storageGenerateUploadUrl": () => storage.generateUploadUrl(),
    "1.0/storageDelete": async (a) => {
      await storage.delete(a.storageId);
      return {};
    },
    // Fidelity: a mutation's store/get travel base64-encoded (storage_impl.ts setupStorageWriter).
    "1.0/storageStore": (a) =>
      storage.store(new Blob([Buffer.from(a.blob, "base64")], { type: a.contentType ?? "" }), a.sha256 === undefined ? undefined : { sha256: a.sha256 }),
    "1.0/storageGet": async (a) => {
      const blob = await storage.get(a.storageId);
      return blob && { blob: Buffer.from(await blob.arrayBuffer()).toString("base64"), contentType: blob.type === "" ? null : blob.type };
    },
  };
  const replacement: Syscalls = {
    syscall: syscalls.syscall,
    asyncSyscall: async (op, json) => {
      const handler = asyncOps[op];
      if (!handler) return syscalls.asyncSyscall(op, json);
      return JSON.stringify(await within(() => handler(JSON.parse(json) as Args)));
    },
    jsSyscall: (op, args) => {
      if (op === "storage/storeBlob") return within(() => storage.store(args.blob as Blob, args.options as { sha256?: string } | undefined));
      if (op === "storage/getBlob") return within(() => storage.get(args.storageId as string));
      return syscalls.jsSyscall(op, args);
    },
  };

  const { files } = emulator.gateway;
  files.connect(identity);
  for (const fn of Object.values(syscalls)) connections.set(fn, replacement);
  connectedEmulators.add(emulator);
  return {
    disconnect() {
      for (const fn of Object.values(syscalls)) connections.delete(fn);
      files.disconnect();
      connectedEmulators.delete(emulator);
    },
  };
}
