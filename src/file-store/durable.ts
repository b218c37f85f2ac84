// The on-disk layout of `persist`, and crash recovery:
//   <root>/partial/<uuid>       a blob being written (and <uuid>.json, metadata being written)
//   <root>/blobs/<uuid>         a published blob
//   <root>/meta/<uuid>.json     its metadata record: the commit point
// Each step is a rename, so after a crash a file is either fully listed or
// not at all.
import type { BlobFs, StoredFile } from "./types.js";
import { isUuid } from "../ids.js";

/** Moves a written blob into blobs/, then commits its metadata record (temp file + rename). */
export function publishDurable(fs: BlobFs, root: string, file: StoredFile, writtenAt: string): void {
  fs.renameSync(writtenAt, `${root}/blobs/${file.uuid}`);
  const tmp = `${root}/partial/${file.uuid}.json`;
  fs.writeFileSync(tmp, JSON.stringify(file));
  fs.renameSync(tmp, `${root}/meta/${file.uuid}.json`);
}

/**
 * The files a previous run published, in creation order. Drops what a crash
 * left: partial writes, unreadable metadata, blobs without metadata.
 */
export function recoverDurableFiles(fs: BlobFs, root: string): StoredFile[] {
  fs.rmSync(`${root}/partial`, { recursive: true, force: true });
  fs.mkdirSync(`${root}/partial`, { recursive: true });
  const files: StoredFile[] = [];
  for (const name of fs.readdirSync(`${root}/meta`).map(String)) {
    if (!name.endsWith(".json")) continue;
    try {
      const file = JSON.parse(String(fs.readFileSync(`${root}/meta/${name}`, "utf8"))) as StoredFile;
      if (isUuid(file.uuid) && `${file.uuid}.json` === name) files.push(Object.freeze(file));
    } catch {
      // A metadata file that does not parse was never published.
    }
  }
  files.sort((a, b) => a.creationTime - b.creationTime);
  const listed = new Set(files.map((file) => file.uuid));
  // Blobs whose metadata never got written are garbage from a crash.
  for (const name of fs.readdirSync(`${root}/blobs`).map(String)) {
    if (!listed.has(name)) fs.unlinkSync(`${root}/blobs/${name}`);
  }
  return files;
}
