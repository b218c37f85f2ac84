// One emulator per --persist directory: `<root>/emulator.lock` holds the pid
// of the process using it. A second process fails at once instead of wiping
// the first one's in-flight uploads (start-up clears partial/). A lock whose
// process is gone is stale and taken over. Two emulators in one process share
// it (same pid): the second is told so, and leaves the first's in-flight work alone.
import { errors } from "../errors.js";
import type { BlobFs } from "./types.js";

export interface LockOwner {
  readonly pid: number;
  /** Whether a process still runs (default: signal 0). */
  isAlive(pid: number): boolean;
}

const THIS_PROCESS: LockOwner = { pid: process.pid, isAlive: processIsAlive };

/**
 * Takes the directory's lock for `owner`, or throws PersistLocked naming the live holder.
 * "shared": this process already held it (another emulator here may be writing).
 */
export function acquireLock(fs: BlobFs, root: string, owner: LockOwner = THIS_PROCESS): "taken" | "shared" {
  const path = `${root}/emulator.lock`;
  const content = `${owner.pid}\n`;
  try {
    const fd = fs.openSync(path, "wx");
    try {
      const bytes = new TextEncoder().encode(content);
      fs.writeSync(fd, bytes, 0, bytes.byteLength, 0);
    } finally {
      fs.closeSync(fd);
    }
    return "taken";
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
  }
  const holder = Number.parseInt(String(fs.readFileSync(path, "utf8")), 10);
  if (holder === owner.pid) return "shared";
  if (Number.isSafeInteger(holder) && holder > 0 && owner.isAlive(holder)) throw errors.persistLocked(root, holder);
  // Stale (its process is gone) or unreadable (a crash while writing it).
  fs.writeFileSync(`${path}.${owner.pid}`, content);
  fs.renameSync(`${path}.${owner.pid}`, path);
  return "taken";
}

function processIsAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it exists, under another user.
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}
