// Who names stored files: the `_storage` id format, and who keeps the
// `_storage` documents. The file store holds exactly one naming at a time;
// by default its own (Convex's real id format, no documents outside the
// store), swapped through FileStore.connect()/disconnect() while convex-test
// owns the documents (convex-test/naming.ts). A naming whose documents live in
// transactions says which files exist (`exists`) and may defer a removal
// until the document's removal commits (`release` answering "deferred").
import { classifyConvexId, newStorageId, type StorageIdKind } from "../ids.js";

/** What a new file's name is derived from. */
interface FileFacts {
  /** Base64; undefined only when the naming does not need it (see `needsSha256`). */
  sha256: string | undefined;
  size: number;
  contentType: string | null;
  /** The file's bytes, read back from where they were written (for a naming that keeps a copy). */
  bytes(): Uint8Array;
}

/** What became of a file's document: removed now (the default), or removed when a transaction commits. */
type Release = void | "deferred";

/** A new file's `_storage` id and `_creationTime`. */
interface FileName {
  storageId: string;
  creationTime: number;
}

export interface FileNaming {
  /** What kind of storage id a string is. */
  classify(id: string): StorageIdKind;
  /**
   * Names a file whose bytes are written and verified, just before it is
   * published. `creationTime` is the store's proposal (strictly increasing);
   * a naming that keeps documents may answer its own.
   */
  allocate(facts: FileFacts, creationTime: number): FileName | Promise<FileName>;
  /**
   * Forgets a file's document, before its bytes are removed. "deferred": the removal commits
   * later, so the file stays until the naming's owner calls FileStore.discard().
   */
  release(storageId: string): Release | Promise<Release>;
  /** Whether the file's document exists for whoever asks now; files that do not are hidden. Absent: all exist. */
  exists?(storageId: string): boolean;
  /** True when `allocate` records the sha256, so the store cannot defer hashing. */
  readonly needsSha256: boolean;
}

/** The emulator's own naming: Convex's id format, no outside documents. */
export const localNaming: FileNaming = {
  classify: classifyConvexId,
  allocate: (_facts, creationTime) => ({ storageId: newStorageId(), creationTime }),
  release: () => {},
  needsSha256: false,
};
