// The byte limits of one file store: how many bytes are committed (stored
// files) and in flight (writes under way), and the checks a write makes on
// every chunk so that a limit is refused before the bytes are kept.
import { errors } from "../errors.js";
import { MAX_FILE_BYTES_CEILING } from "./record.js";

export interface ByteLimits {
  maxFileBytes?: number | undefined;
  maxTotalBytes?: number | undefined;
}

export class ByteBudget {
  /** Bytes of the stored files. */
  committed = 0;
  /** Bytes received by writes not finished yet: they count against maxTotalBytes too. */
  inFlight = 0;

  constructor(readonly limits: ByteLimits) {}

  /** Throws the limit error for `more` bytes on top of a file's `alreadyWritten`. */
  check(alreadyWritten: number, more: number): void {
    const { maxFileBytes, maxTotalBytes } = this.limits;
    if (maxFileBytes !== undefined && alreadyWritten + more > maxFileBytes) throw errors.fileTooLarge(maxFileBytes);
    if (alreadyWritten + more > MAX_FILE_BYTES_CEILING) throw errors.fileTooLargeToHold(MAX_FILE_BYTES_CEILING);
    if (maxTotalBytes !== undefined && this.committed + this.inFlight + more > maxTotalBytes)
      throw errors.storageFull(maxTotalBytes);
  }

  /** Throws the limit error that storing files of these sizes into an empty store would raise. */
  assertFitsWhenEmpty(sizes: readonly number[]): void {
    const { maxFileBytes, maxTotalBytes } = this.limits;
    let total = 0;
    for (const size of sizes) {
      if (maxFileBytes !== undefined && size > maxFileBytes) throw errors.fileTooLarge(maxFileBytes);
      total += size;
    }
    if (maxTotalBytes !== undefined && total > maxTotalBytes) throw errors.storageFull(maxTotalBytes);
  }
}
