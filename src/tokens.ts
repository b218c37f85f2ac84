// Upload tokens: the `token` query parameter of an upload URL.
//
// Fidelity: like Convex's StoreFileAuthorization tokens, a token is valid for
// one hour by default and may be used any number of times until it expires
// (crates/keybroker; nothing records its use). Convex's tokens are encrypted;
// ours are 192 random bits from nanoid's crypto source, looked up in a table
// that also holds each token's expiry, so a token can't be forged or extended.
import { nanoid } from "nanoid";
import { errors, type StorageEmulatorError } from "./errors.js";

/** 32 characters of nanoid's 64-letter alphabet: 192 bits. */
const TOKEN_LENGTH = 32;
const TOKEN_PATTERN = /^[A-Za-z0-9_-]{32}$/;

export type TokenCheck = { ok: true; expiresAt: number } | { ok: false; error: StorageEmulatorError };

export interface UploadTokenBookOptions {
  now: () => number;
  ttlMs: number;
}

/** Issues and verifies the upload tokens of one emulator. */
export class UploadTokenBook {
  readonly #expiries = new Map<string, number>();
  readonly #now: () => number;
  readonly #ttlMs: number;
  #issuedSincePrune = 0;

  constructor(options: UploadTokenBookOptions) {
    this.#now = options.now;
    this.#ttlMs = options.ttlMs;
  }

  issue(): { token: string; expiresAt: number } {
    const now = this.#now();
    this.#forgetExpired(now);
    const token = nanoid(TOKEN_LENGTH);
    const expiresAt = now + this.#ttlMs;
    this.#expiries.set(token, expiresAt);
    return { token, expiresAt };
  }

  /** Checks a token from a request; `undefined` or `null` means the parameter was absent. */
  verify(token: string | null | undefined): TokenCheck {
    if (token === undefined || token === null) return { ok: false, error: errors.tokenMissing() };
    if (!TOKEN_PATTERN.test(token)) return { ok: false, error: errors.tokenInvalid() };
    const expiresAt = this.#expiries.get(token);
    if (expiresAt === undefined) return { ok: false, error: errors.tokenInvalid() };
    if (this.#now() >= expiresAt) return { ok: false, error: errors.tokenExpired() };
    return { ok: true, expiresAt };
  }

  /** How many tokens are known (expired ones included until they are pruned). */
  get size(): number {
    return this.#expiries.size;
  }

  clear(): void {
    this.#expiries.clear();
  }

  // Expired tokens must keep answering "expired" for a while, not "invalid",
  // so they are only forgotten a full TTL after they expire.
  #forgetExpired(now: number): void {
    // Amortized: one sweep every 1024 issues keeps issue() O(1) on average.
    if (++this.#issuedSincePrune < 1024) return;
    this.#issuedSincePrune = 0;
    for (const [token, expiresAt] of this.#expiries) {
      if (now >= expiresAt + this.#ttlMs) this.#expiries.delete(token);
    }
  }
}
