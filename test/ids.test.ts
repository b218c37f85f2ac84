import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  STORAGE_TABLE_NUMBER,
  base32Decode,
  base32Encode,
  classifyConvexId,
  decodeDocumentId,
  encodeDocumentId,
  fletcher16,
  isUuid,
  newFileUuid,
  newStorageId,
} from "../src/ids.js";

const ALPHABET = "0123456789abcdefghjkmnpqrstvwxyz";

describe("encodeDocumentId", () => {
  it("encodeDocumentId: matches convex-backend's stability vector", () => {
    // Fidelity: test_document_id_stability in crates/value/src/id_v6.rs.
    const internalId = new Uint8Array(16);
    internalId[0] = 251;
    for (let i = 1; i < 16; i++) internalId[i] = (internalId[i - 1]! * 251) & 0xff;
    expect(encodeDocumentId(1017, internalId)).toBe("z43zp6c3e75gkmz1kfwj6mbbx5sw281h");
  });

  it("encodeDocumentId: rejects a zero table number and a short internal id", () => {
    expect(() => encodeDocumentId(0, new Uint8Array(16))).toThrow(
      "table number must be an integer from 1 to 2^32-1, got 0",
    );
    expect(() => encodeDocumentId(1, new Uint8Array(15))).toThrow("internal id must be 16 bytes, got 15");
  });

  it("encodeDocumentId: round-trips any table number and internal id", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 0xffffffff }),
        fc.uint8Array({ minLength: 16, maxLength: 16 }),
        (table, internal) => {
          const decoded = decodeDocumentId(encodeDocumentId(table, internal));
          expect(decoded).not.toBeNull();
          expect(decoded!.tableNumber).toBe(table);
          expect([...decoded!.internalId]).toEqual([...internal]);
        },
      ),
    );
  });
});

describe("decodeDocumentId", () => {
  it("decodeDocumentId: reads real _storage ids from Convex deployments as table 540", () => {
    for (const id of ["kg2c5640qnbqmayh7zzch6f1xn8e184r", "kg28fq286rbx69w8thcepdgf218cf78w"]) {
      expect(decodeDocumentId(id)?.tableNumber).toBe(STORAGE_TABLE_NUMBER);
    }
  });

  it("decodeDocumentId: rejects bad lengths", () => {
    const id = newStorageId();
    expect(decodeDocumentId(id.slice(0, 30))).toBeNull();
    expect(decodeDocumentId(id + "00000000")).toBeNull();
    expect(decodeDocumentId("")).toBeNull();
    expect(decodeDocumentId("x".repeat(100_000))).toBeNull();
  });

  it("decodeDocumentId: rejects characters outside the lowercase Crockford alphabet", () => {
    const id = newStorageId();
    for (const bad of ["i", "l", "o", "u", "A", "K", "-", " ", "é"]) {
      expect(decodeDocumentId(bad + id.slice(1))).toBeNull();
    }
    expect(decodeDocumentId(id.toUpperCase())).toBeNull();
  });

  it("decodeDocumentId: rejects every single-character corruption of a storage id", () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 16, maxLength: 16 }), (internal) => {
        const id = encodeDocumentId(STORAGE_TABLE_NUMBER, internal);
        for (let pos = 0; pos < id.length; pos++) {
          for (const ch of ALPHABET) {
            if (ch === id[pos]) continue;
            const corrupted = id.slice(0, pos) + ch + id.slice(pos + 1);
            expect(decodeDocumentId(corrupted), `${corrupted} at ${pos}`).toBeNull();
          }
        }
      }),
      { numRuns: 30 },
    );
  });

  it("decodeDocumentId: rejects non-zero padding bits, so each id has one spelling", () => {
    // Table 1 gives 19 bytes = 31 characters, whose last character has 3 padding bits.
    const id = encodeDocumentId(1, new Uint8Array(16).fill(7));
    expect(id).toHaveLength(31);
    expect(decodeDocumentId(id)).not.toBeNull();
    const last = ALPHABET.indexOf(id[30]!);
    expect(decodeDocumentId(id.slice(0, 30) + ALPHABET[last | 1])).toBeNull();
  });

  it("decodeDocumentId: rejects a table number padded with zero varint bytes", () => {
    // 540 as three varint bytes (0x9c 0x84 0x00) instead of two: same number, another spelling.
    const internal = new Uint8Array(16).fill(3);
    const body = new Uint8Array([0x9c, 0x84, 0x00, ...internal]);
    const footer = fletcher16(body);
    const padded = base32Encode(new Uint8Array([...body, footer & 0xff, footer >> 8]));
    expect(decodeDocumentId(padded)).toBeNull();
    expect(decodeDocumentId(encodeDocumentId(STORAGE_TABLE_NUMBER, internal))?.tableNumber).toBe(540);
  });

  it("decodeDocumentId: rejects a bad checksum", () => {
    const bytes = base32Decode(newStorageId())!;
    bytes[bytes.length - 1] = bytes[bytes.length - 1]! ^ 0x01;
    expect(decodeDocumentId(base32Encode(bytes))).toBeNull();
  });
});

describe("newStorageId", () => {
  it("newStorageId: mints 32-character _storage ids, all different", () => {
    const ids = new Set(Array.from({ length: 1000 }, () => newStorageId()));
    expect(ids.size).toBe(1000);
    for (const id of ids) {
      expect(id).toMatch(/^[0-9a-hjkmnp-tv-z]{32}$/);
      expect(classifyConvexId(id)).toBe("storage");
    }
  });
});

describe("classifyConvexId", () => {
  it("classify: tells _storage ids, other tables' ids, UUIDs and garbage apart", () => {
    expect(classifyConvexId(newStorageId())).toBe("storage");
    expect(classifyConvexId(encodeDocumentId(10001, new Uint8Array(16)))).toBe("otherTable");
    expect(classifyConvexId(newFileUuid())).toBe("uuid");
    expect(classifyConvexId(newFileUuid().toUpperCase())).toBe("uuid");
    expect(classifyConvexId("garbage")).toBe("invalid");
  });
});

describe("newFileUuid", () => {
  it("newFileUuid: mints version 4 UUIDs", () => {
    const uuid = newFileUuid();
    expect(uuid).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(isUuid(uuid)).toBe(true);
    expect(isUuid(`${uuid}/../x`)).toBe(false);
  });

  it("newFileUuid: 10,000 in a row are all version 4 and all distinct (the random pool is refilled)", () => {
    const uuids = Array.from({ length: 10_000 }, () => newFileUuid());
    for (const uuid of uuids)
      expect(uuid).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(new Set(uuids).size).toBe(uuids.length);
  });
});

describe("base32", () => {
  it("base32Encode: round-trips arbitrary bytes", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 64 }), (bytes) => {
        expect([...base32Decode(base32Encode(bytes))!]).toEqual([...bytes]);
      }),
    );
  });
});
