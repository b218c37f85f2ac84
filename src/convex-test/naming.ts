// The FileNaming a connected emulator's file store uses: convex-test's database names
// files and keeps their `_storage` documents (in the caller's transaction, or one of our own).
import type { AsyncLocalStorage } from "node:async_hooks";
import type { FileNaming } from "../file-store.js";
import { isUuid, type StorageIdKind } from "../ids.js";
import type { Syscalls } from "./proxy.js";
import type { PendingStorage } from "./transactions.js";

/** The storage syscall a ctx.storage call came through, while the emulator serves it; with storeBlob, the caller's Blob. */
export type ViaSyscall = AsyncLocalStorage<{ op: string; blob?: Blob }>;

/** What the naming needs of the connection: the instance's raw syscalls, t.run, and who to tell of writes. */
export interface NamingDeps {
  syscalls: Syscalls;
  run: <T>(fn: () => Promise<T>) => Promise<T>;
  pending: PendingStorage;
  viaSyscall: ViaSyscall;
  noteWrite: () => void;
}

/** convex-test's ids: a decimal counter followed by the table name, e.g. "000000000000000000010000_storage". */
function classifyConvexTestId(id: string): StorageIdKind {
  if (/^\d+_storage$/.test(id)) return "storage";
  if (/^\d+[A-Za-z_]\w*$/.test(id)) return "otherTable";
  return isUuid(id) ? "uuid" : "invalid";
}

export function convexTestNaming({ syscalls, run, pending, viaSyscall, noteWrite }: NamingDeps): FileNaming {
  const call = async (op: string, args: object): Promise<unknown> =>
    JSON.parse(await syscalls.asyncSyscall(op, JSON.stringify(args)));
  return {
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
          ? (call("1.0/storageStore", {
              blob: Buffer.from(facts.bytes()).toString("base64"),
              contentType: contentType ?? "",
              ...(sha256 === undefined ? {} : { sha256 }),
            }) as Promise<string>)
          : (syscalls.jsSyscall("storage/storeBlob", {
              blob:
                kept !== undefined && kept.size === facts.size && kept.type === (contentType ?? "")
                  ? kept
                  : new Blob([facts.bytes() as Uint8Array<ArrayBuffer>], { type: contentType ?? "" }),
            }) as Promise<string>);
      if (inside) {
        // In the caller's transaction, so it commits or rolls back with it. The record keeps the
        // store's own creationTime: reading the document back (a `1.0/get`) would count as a read in
        // the caller's getTransactionMetrics().
        const storageId = await insert();
        pending.stored(storageId);
        noteWrite();
        return { storageId, creationTime };
      }
      // Else in a transaction of our own, where reading the document back counts against no one.
      const stored = await run(async () => {
        const storageId = await insert();
        const doc = (await call("1.0/get", { table: "_storage", id: storageId })) as { _creationTime: number };
        return { storageId, creationTime: doc._creationTime };
      });
      noteWrite();
      return stored;
    },
    release: async (storageId) => {
      const inside = viaSyscall.getStore() !== undefined && pending.inTransaction();
      // convex-test's own delete: gives a stored-in-this-mutation file's budget back.
      // In the caller's transaction when there is one (so it commits or rolls back with it); else in one of our own.
      await (inside ? call("1.0/storageDelete", { storageId }) : run(() => call("1.0/storageDelete", { storageId })));
      noteWrite();
      if (!inside) return;
      pending.deleted(storageId);
      return "deferred";
    },
  };
}
