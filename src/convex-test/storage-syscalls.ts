// The syscalls a connected instance runs with: its storage syscalls served by the emulator,
// `_storage` documents given their contentType, every other syscall passed to convex-test.
import type { StorageActionWriter } from "convex/server";
import type { FileStore } from "../file-store.js";
import type { ViaSyscall } from "./naming.js";
import type { Syscalls } from "./proxy.js";
import type { PendingStorage } from "./transactions.js";

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

/** What the replacement syscalls need of the connection: the instance's raw syscalls, the emulator's storage and files. */
export interface StorageSyscallDeps {
  syscalls: Syscalls;
  storage: StorageActionWriter;
  files: FileStore;
  pending: PendingStorage;
  viaSyscall: ViaSyscall;
  noteWrite: () => void;
}

export function storageSyscalls({
  syscalls,
  storage,
  files,
  pending,
  viaSyscall,
  noteWrite,
}: StorageSyscallDeps): Syscalls {
  const via = <T>(op: string, fn: () => Promise<T>, blob?: Blob) =>
    viaSyscall.run(blob === undefined ? { op } : { op, blob }, fn);
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
      storage.store(
        new Blob([Buffer.from(a.blob, "base64")], { type: a.contentType ?? "" }),
        a.sha256 === undefined ? undefined : { sha256: a.sha256 },
      ),
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
  return {
    syscall: syscalls.syscall,
    // Not an async function: every other syscall (the caller's db reads and writes) passes with no extra promise.
    asyncSyscall: (op, json) => {
      if (WRITE_SYSCALLS.has(op)) noteWrite();
      const handler = asyncOps[op];
      if (handler) return serve(op, handler, json);
      // A nested mutation or a scheduled function: a transaction of its own, which settling must look at.
      if (op === "1.0/runUdf" || op.startsWith("1.0/actions/")) pending.nested();
      const result = syscalls.asyncSyscall(op, json);
      return documentOps.has(op) ? result.then(withContentTypes) : result;
    },
    jsSyscall: (op, args) => {
      if (op === "storage/storeBlob") {
        noteWrite();
        const blob = args.blob as Blob;
        return via(
          op,
          () => storage.store(blob, args.options as { sha256?: string } | undefined),
          blob instanceof Blob ? blob : undefined,
        );
      }
      if (op === "storage/getBlob") return via(op, () => storage.get(args.storageId as string));
      return syscalls.jsSyscall(op, args);
    },
  };
}
