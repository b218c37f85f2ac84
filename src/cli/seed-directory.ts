// --seed DIR: stores every file of a directory at start, once. With --persist a
// restart finds the files of earlier runs: a file whose bytes (sha256) and content
// type are already stored is skipped, so restarts do not pile up copies.
import { createHash } from "node:crypto";
import { readdir, readFile, stat } from "node:fs/promises";
import { join } from "node:path";
import { contentTypeForPath } from "../seed.js";
import type { StorageEmulator } from "../emulator.js";
import { errors } from "../errors.js";

export interface SeededFile {
  name: string;
  storageId: string;
  contentType: string;
  size: number;
  /** True when an identical file was stored before: `storageId` is that file's. */
  skipped: boolean;
}

/** Seeds DIR's files (not its subdirectories) in name order. */
export async function seedDirectory(emulator: StorageEmulator, dir: string): Promise<SeededFile[]> {
  let names: string[];
  try {
    names = (await readdir(dir)).sort();
  } catch (error) {
    throw errors.seedDirectoryUnreadable(dir, (error as NodeJS.ErrnoException).code ?? String(error));
  }
  // Only files stored before this call count: two equal files in DIR are both seeded.
  const stored = new Map(emulator.files().map((file) => [key(file.sha256, file.contentType), file.storageId]));
  const seeded: SeededFile[] = [];
  for (const name of names) {
    const path = join(dir, name);
    if (!(await stat(path)).isFile()) continue;
    const bytes = await readFile(path);
    const contentType = contentTypeForPath(name);
    const existing = stored.get(key(createHash("sha256").update(bytes).digest("base64"), contentType));
    const storageId = existing ?? (await emulator.seed({ bytes, contentType }));
    seeded.push({ name, storageId, contentType, size: bytes.length, skipped: existing !== undefined });
  }
  return seeded;
}

const key = (sha256: string, contentType: string | null) => `${sha256} ${contentType}`;
