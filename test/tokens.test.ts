import { describe, expect, it } from "vitest";
import { UploadTokenBook } from "../src/tokens.js";

function setup(ttlMs = 3_600_000) {
  let clock = 0;
  const book = new UploadTokenBook({ now: () => clock, ttlMs });
  return { book, setClock: (ms: number) => (clock = ms) };
}

describe("UploadTokenBook", () => {
  it("issue: tokens are 32 url-safe characters (192 random bits), all different", () => {
    const { book } = setup();
    const tokens = new Set(Array.from({ length: 2000 }, () => book.issue().token));
    expect(tokens.size).toBe(2000);
    for (const token of tokens) expect(token).toMatch(/^[A-Za-z0-9_-]{32}$/);
  });

  it("verify: a token is valid until its TTL and reusable meanwhile", () => {
    const { book, setClock } = setup(1000);
    const { token, expiresAt } = book.issue();
    expect(expiresAt).toBe(1000);
    expect(book.verify(token)).toEqual({ ok: true, expiresAt: 1000 });
    setClock(999);
    expect(book.verify(token).ok).toBe(true);
  });

  it("verify: at and after the TTL the token is expired, with Convex's message", () => {
    const { book, setClock } = setup(1000);
    const { token } = book.issue();
    setClock(1000);
    const check = book.verify(token);
    expect(check.ok).toBe(false);
    if (!check.ok) {
      expect(check.error.code).toBe("StorageTokenExpired");
      expect(check.error.status).toBe(401);
      expect(check.error.message).toBe("Store File Authorization expired");
    }
  });

  it("verify: unknown, forged and malformed tokens are invalid with Convex's message", () => {
    const { book } = setup();
    const { token } = book.issue();
    const forged = (token[0] === "A" ? "B" : "A") + token.slice(1);
    for (const bad of [forged, "", "short", `${token}x`, "../../etc/passwd", "x".repeat(10_000)]) {
      const check = book.verify(bad);
      expect(check).toMatchObject({
        ok: false,
        error: {
          code: "StorageTokenInvalid",
          status: 401,
          message: "Couldn't decode the StoreFileAuthorization token",
        },
      });
    }
  });

  it("verify: a missing token is BadQueryArgs", () => {
    const { book } = setup();
    expect(book.verify(null)).toMatchObject({
      ok: false,
      error: {
        code: "BadQueryArgs",
        status: 400,
        message: "Failed to deserialize query string: missing field `token`",
      },
    });
  });

  it("issue: long-expired tokens are pruned, recently expired ones still say expired", () => {
    const { book, setClock } = setup(10);
    const old = book.issue().token;
    setClock(15);
    const recent = book.issue().token;
    setClock(30);
    for (let i = 0; i < 1100; i++) book.issue();
    expect(book.verify(old)).toMatchObject({ ok: false, error: { code: "StorageTokenInvalid" } });
    expect(book.verify(recent)).toMatchObject({ ok: false, error: { code: "StorageTokenExpired" } });
  });
});
