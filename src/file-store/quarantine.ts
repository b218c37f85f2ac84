// Start-up checks of a --persist directory: every metadata record is parsed
// and checked field by field, every blob is present with the recorded size
// (and sha256: where that is cheap, or for every blob on request). Whatever
// fails is MOVED to `<root>/quarantine/` with one warning line, never
// deleted: the bytes may be the only copy of something a user wants back.
import { classifyConvexId } from "../ids.js";
import { messages } from "../errors.js";
import { checkRecord } from "./record.js";
import type { BlobFs, StoredFile } from "./types.js";
import { hashPublished } from "./writer.js";

/** Blobs up to this size get their sha256 checked at start-up (about 1 ms each); all with `verifySha256`. */
const HASH_AT_START_BYTES = 1024 * 1024;

export interface CheckOptions {
  warn: (line: string) => void;
  /** Largest size a record may claim. */
  maxSize: number;
  /** Check the sha256 of every blob, not only those up to HASH_AT_START_BYTES (reads every byte). */
  verifySha256?: boolean;
}

/** The files whose record and blob are sound, in creation order; everything else goes to quarantine/. */
export function checkDurableFiles(fs: BlobFs, root: string, options: CheckOptions): StoredFile[] {
  const move = (dir: "meta" | "blobs", name: string, reason: string) =>
    quarantine(fs, root, dir, name, reason, options.warn);
  const blobs = new Set(listDir(fs, `${root}/blobs`));
  const files: StoredFile[] = [];
  const storageIds = new Set<string>();
  for (const name of listDir(fs, `${root}/meta`)) {
    const uuid = name.endsWith(".json") ? name.slice(0, -5) : name;
    const problem = (() => {
      let raw: unknown;
      try {
        raw = JSON.parse(String(fs.readFileSync(`${root}/meta/${name}`, "utf8")));
      } catch {
        return messages.quarantineReason.unreadable;
      }
      const file = checkRecord(raw, classifyConvexId, options.maxSize);
      if ("invalid" in file) return messages.quarantineReason.invalid(file.invalid);
      if (`${file.uuid}.json` !== name) return messages.quarantineReason.misnamed;
      if (storageIds.has(file.storageId)) return messages.quarantineReason.duplicateId;
      if (!blobs.has(file.uuid)) return messages.quarantineReason.blobMissing;
      const path = `${root}/blobs/${file.uuid}`;
      const size = blobSize(fs, path, file.size);
      if (size !== "ok")
        return size === "notAFile" ? messages.quarantineReason.blobNotAFile : messages.quarantineReason.sizeMismatch;
      const hash = options.verifySha256 === true || file.size <= HASH_AT_START_BYTES;
      if (hash && hashPublished(fs, path, file.size) !== file.sha256) {
        return messages.quarantineReason.sha256Mismatch;
      }
      files.push(file);
      storageIds.add(file.storageId);
      return null;
    })();
    if (problem === null) continue;
    move("meta", name, problem);
    if (blobs.delete(uuid)) move("blobs", uuid, problem);
  }
  // Blobs no record names: a crash between a blob's rename and its record's, or a record moved away.
  const listed = new Set(files.map((f) => f.uuid));
  for (const name of blobs) if (!listed.has(name)) move("blobs", name, messages.quarantineReason.orphanBlob);
  return files.sort((a, b) => a.creationTime - b.creationTime);
}

/** Moves `<root>/<dir>/<name>` to `<root>/quarantine/` under a name not yet taken, and says so. */
export function quarantine(
  fs: BlobFs,
  root: string,
  dir: string,
  name: string,
  reason: string,
  warn: (line: string) => void,
): void {
  fs.mkdirSync(`${root}/quarantine`, { recursive: true });
  const taken = new Set(listDir(fs, `${root}/quarantine`));
  const base = dir === "." ? name : `${dir}-${name}`;
  let target = base;
  for (let n = 1; taken.has(target); n++) target = `${base}.${n}`;
  fs.renameSync(`${root}/${dir}/${name}`, `${root}/quarantine/${target}`);
  warn(messages.quarantined(root, dir === "." ? name : `${dir}/${name}`, target, reason));
}

/** The names in a directory; none when it does not exist. */
export function listDir(fs: BlobFs, path: string): string[] {
  try {
    return fs.readdirSync(path).map(String);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return [];
    throw error;
  }
}

/**
 * Whether the blob at `path` has exactly `size` bytes (read probes: BlobFs has no stat). A
 * directory opens but does not read (EISDIR): it is "notAFile", one entry to quarantine, not
 * a reason to refuse the whole store.
 */
function blobSize(fs: BlobFs, path: string, size: number): "ok" | "differs" | "notAFile" {
  let fd: number;
  try {
    fd = fs.openSync(path, "r");
  } catch {
    return "differs";
  }
  try {
    const probe = new Uint8Array(1);
    if (size > 0 && fs.readSync(fd, probe, 0, 1, size - 1) !== 1) return "differs";
    return fs.readSync(fd, probe, 0, 1, size) === 0 ? "ok" : "differs";
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "EISDIR") return "notAFile";
    throw error;
  } finally {
    fs.closeSync(fd);
  }
}
