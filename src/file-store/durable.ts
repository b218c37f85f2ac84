// The on-disk layout of `persist`, and crash recovery:
//   <root>/emulator.lock        the pid of the process using it (lock.ts)
//   <root>/partial/<uuid>       a blob being written (and <uuid>.json, metadata being written)
//   <root>/blobs/<uuid>         a published blob
//   <root>/meta/<uuid>.json     its metadata record: the commit point of one file
//   <root>/staging/             the files of a restore being prepared
//   <root>/replace.json         a committed reset/restore: the uuids to keep
//   <root>/quarantine/          whatever start-up found unsound (quarantine.ts)
// One file is committed by one rename (its record). A reset or restore is
// committed by one rename too (replace.json): before it the old state stands
// whole, after it the new one is finished at once or, after a crash, at the
// next start. Every step is written against BlobFs, so tests crash it at
// every fs call on a memfs volume.
import { messages } from "../errors.js";
import type { BlobFs, StoredFile } from "./types.js";
import { acquireLock, type LockOwner } from "./lock.js";
import { checkDurableFiles, listDir, quarantine, type CheckOptions } from "./quarantine.js";
import { isUuid } from "../ids.js";
import { DiskWriter, unlinkIfPresent } from "./writer.js";

export interface DurableOptions extends CheckOptions {
  lock?: LockOwner | undefined;
}

/** Moves a written blob into blobs/, then commits its metadata record (temp file + rename). */
export function publishDurable(fs: BlobFs, root: string, file: StoredFile, writtenAt: string): void {
  fs.renameSync(writtenAt, `${root}/blobs/${file.uuid}`);
  const tmp = `${root}/partial/${file.uuid}.json`;
  fs.writeFileSync(tmp, JSON.stringify(file));
  fs.renameSync(tmp, `${root}/meta/${file.uuid}.json`);
}

/** Removes a file: its record first (the commit point), then its blob. */
export function removeDurable(fs: BlobFs, root: string, uuid: string): void {
  fs.unlinkSync(`${root}/meta/${uuid}.json`);
  unlinkIfPresent(fs, `${root}/blobs/${uuid}`);
}

/**
 * Takes the directory: locks it, finishes (or drops) a reset/restore a crash
 * interrupted, drops partial uploads, and returns the sound files in
 * creation order, having moved anything else to quarantine/.
 */
export function openDurable(fs: BlobFs, root: string, options: DurableOptions): StoredFile[] {
  for (const dir of ["blobs", "partial", "meta"]) fs.mkdirSync(`${root}/${dir}`, { recursive: true });
  // Another emulator in this process holds the directory: its reset, restore or uploads may be
  // under way, so nothing of them is a crash's leftover to finish or drop.
  if (acquireLock(fs, root, options.lock) === "shared") return checkDurableFiles(fs, root, options);
  const pending = readReplace(fs, root);
  if (pending === "unreadable") {
    // Cannot happen by renames alone; keep what there is and let the checks below sort it.
    quarantine(fs, root, ".", "replace.json", "a reset/restore marker that does not parse", options.warn);
    if (listDir(fs, root).includes("staging"))
      quarantine(fs, root, ".", "staging", messages.quarantineReason.unfinishedReplace, options.warn);
  } else if (pending !== null) {
    applyReplace(fs, root, pending);
  } else {
    // A restore that was never committed: its files are copies of a snapshot its caller still has.
    fs.rmSync(`${root}/staging`, { recursive: true, force: true });
  }
  // Uploads a dead process was receiving: never acknowledged to anyone.
  fs.rmSync(`${root}/partial`, { recursive: true, force: true });
  fs.mkdirSync(`${root}/partial`, { recursive: true });
  return checkDurableFiles(fs, root, options);
}

/**
 * Replaces every file with `entries` (restore; reset is no entries): stages
 * them under staging/, commits with one rename, then applies.
 */
export function replaceDurable(
  fs: BlobFs,
  root: string,
  entries: readonly { file: StoredFile; bytes: Uint8Array }[],
): void {
  const staging = `${root}/staging`;
  fs.rmSync(staging, { recursive: true, force: true });
  if (entries.length > 0) {
    fs.mkdirSync(`${staging}/blobs`, { recursive: true });
    fs.mkdirSync(`${staging}/meta`, { recursive: true });
    for (const { file, bytes } of entries) {
      const blob = new DiskWriter(fs, `${staging}/blobs/${file.uuid}`, { hash: false });
      blob.write(bytes);
      blob.finish();
      fs.writeFileSync(`${staging}/meta/${file.uuid}.json`, JSON.stringify(file));
    }
  }
  const keep = entries.map((e) => e.file.uuid);
  fs.writeFileSync(`${root}/partial/replace.json`, JSON.stringify({ keep }));
  fs.renameSync(`${root}/partial/replace.json`, `${root}/replace.json`); // the commit point
  applyReplace(fs, root, keep);
}

/** Finishes a committed replace; safe to run again after a crash at any step. */
function applyReplace(fs: BlobFs, root: string, keep: readonly string[]): void {
  const kept = new Set(keep);
  // Records before blobs: no moment lists a file whose bytes are gone.
  for (const name of listDir(fs, `${root}/meta`))
    if (!kept.has(name.replace(/\.json$/, ""))) unlinkIfPresent(fs, `${root}/meta/${name}`);
  for (const name of listDir(fs, `${root}/blobs`)) if (!kept.has(name)) unlinkIfPresent(fs, `${root}/blobs/${name}`);
  // Blobs before records, as in publishDurable.
  for (const dir of ["blobs", "meta"]) {
    for (const name of listDir(fs, `${root}/staging/${dir}`))
      fs.renameSync(`${root}/staging/${dir}/${name}`, `${root}/${dir}/${name}`);
  }
  fs.rmSync(`${root}/staging`, { recursive: true, force: true });
  fs.unlinkSync(`${root}/replace.json`);
}

function readReplace(fs: BlobFs, root: string): string[] | null | "unreadable" {
  let text: string;
  try {
    text = String(fs.readFileSync(`${root}/replace.json`, "utf8"));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return null;
    return "unreadable";
  }
  try {
    const keep = (JSON.parse(text) as { keep?: unknown }).keep;
    if (Array.isArray(keep) && keep.every((uuid) => typeof uuid === "string" && isUuid(uuid))) return keep as string[];
  } catch {
    // below
  }
  return "unreadable";
}
