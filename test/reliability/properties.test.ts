// Property tests: Range parsing against an independent headers 0.4.0 + RFC 9110 reference,
// and store/get and upload/serve round trips of arbitrary bytes and content
// types. ID encode/decode/rejection and snapshot round trips have theirs in
// test/ids.test.ts and test/snapshot.test.ts.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { createStorageEmulator } from "../../src/index.js";
import { readRangeHeader, resolveRange, type RangeRequest } from "../../src/server/api/range.js";
import { parseMediaType } from "../../src/wire-values.js";
import { cleanupAfterEach } from "../support/cleanup.js";
import { json, send, sha256 } from "./helpers.js";

const SEED = Number(process.env.RELIABILITY_SEED ?? 0x5eed);
const { listening } = cleanupAfterEach();

// --- The reference: headers 0.4.0 src/common/range.rs (decode, satisfiable_ranges) as the backend
// calls it (crates/local_backend/src/storage.rs: not exactly one range is 416), then RFC 9110
// §14.1.2 for the one range left; written from those sources, not from range.ts ---
type Served = RangeRequest | { kind: "notOne" };
const U64_MAX = 2n ** 64n - 1n;

/** Rust's `u64::from_str`: an optional "+" and one or more ASCII digits, at most 2^64-1. */
function rustU64(text: string): bigint | undefined {
  const digits = text.startsWith("+") ? text.slice(1) : text;
  if (digits === "" || [...digits].some((c) => c < "0" || c > "9")) return undefined;
  const value = BigInt(digits);
  return value > U64_MAX ? undefined : value;
}

function referenceRange(header: string | undefined, size: number): Served {
  // decode: HeaderValue::to_str (HTAB and visible ASCII) and starts_with("bytes=").
  if (
    header === undefined ||
    [...header].some((c) => c !== "\t" && (c < " " || c > "~")) ||
    !header.startsWith("bytes=")
  )
    return { kind: "none" };
  const kept: [bigint | null, bigint | null][] = [];
  for (const raw of header.slice(6).split(",")) {
    // str::trim (the header holds ASCII only, so spaces and tabs), then splitn(2, '-').
    const spec = raw.replace(/^[ \t]+|[ \t]+$/g, "");
    const dash = spec.indexOf("-");
    if (dash < 0) continue;
    const [a, b] = [spec.slice(0, dash), spec.slice(dash + 1)];
    const first = a === "" ? null : rustU64(a);
    const last = b === "" ? null : rustU64(b);
    if (first !== undefined && last !== undefined) kept.push([first, last]);
  }
  if (kept.length !== 1) return { kind: "notOne" };
  if (size === 0) return { kind: "none" };
  const [first, last] = kept[0]!;
  const big = BigInt(size);
  if (first === null) {
    // "-" alone is no range in RFC 9110; a zero suffix selects nothing; a long one selects all.
    if (last === null || last === 0n) return { kind: "unsatisfiable" };
    return { kind: "single", start: Number(last >= big ? 0n : big - last), end: size - 1 };
  }
  if ((last !== null && last < first) || first >= big) return { kind: "unsatisfiable" };
  return { kind: "single", start: Number(first), end: Number(last === null || last >= big ? big - 1n : last) };
}

const served = (header: string | undefined, size: number): Served => {
  const read = readRangeHeader(header);
  return read.kind === "notOne" ? read : resolveRange(read, size);
};

// --- Generators ---
const ows = fc.constantFrom("", "", " ", "\t", "  ", "\u00a0");
const digits = fc.oneof(
  fc.nat(1200).map(String),
  fc.nat(99).map((n) => `00${n}`),
  fc.bigInt({ min: 0n, max: 10n ** 30n }).map(String),
  fc.bigInt({ min: 2n ** 64n - 3n, max: 2n ** 64n + 3n }).map(String),
);
const spec = fc.oneof(
  {
    weight: 4,
    arbitrary: fc.tuple(digits, ows, ows, fc.option(digits)).map(([a, w1, w2, b]) => `${a}${w1}-${w2}${b ?? ""}`),
  },
  { weight: 2, arbitrary: fc.tuple(ows, digits).map(([w, n]) => `-${w}${n}`) },
  {
    weight: 1,
    arbitrary: fc.constantFrom(
      "",
      " ",
      "-",
      "--1",
      "1-2-3",
      "abc",
      "0x10-",
      "1e3-",
      "+1-2",
      "\u0661-\u0662",
      "1 2-3",
      "=0-1",
    ),
  },
);
const specList = fc
  .array(fc.tuple(ows, spec, ows), { minLength: 0, maxLength: 4 })
  .map((specs) => specs.map(([a, s, b]) => `${a}${s}${b}`).join(","));
const rangeHeader = fc.oneof(
  { weight: 8, arbitrary: specList.map((specs) => `bytes=${specs}`) },
  {
    weight: 8,
    arbitrary: fc
      .tuple(
        fc.constantFrom("bytes", "BYTES", "Bytes", "byte", "items", "", "by tes"),
        ows,
        ows,
        fc.array(fc.tuple(ows, spec, ows), { minLength: 0, maxLength: 4 }),
      )
      .map(([unit, w1, w2, specs]) => `${unit}${w1}=${w2}${specs.map(([a, s, b]) => `${a}${s}${b}`).join(",")}`),
  },
  { weight: 1, arbitrary: fc.string({ maxLength: 30 }) },
);
const fileSize = fc.oneof(fc.constant(0), fc.integer({ min: 1, max: 1500 }), fc.integer({ min: 0, max: 2 ** 40 }));

describe("readRangeHeader", () => {
  it("readRangeHeader: agrees with a headers 0.4.0 + RFC 9110 reference on generated headers and sizes", () => {
    fc.assert(
      fc.property(fc.option(rangeHeader, { nil: undefined }), fileSize, (header, size) => {
        expect(served(header, size), JSON.stringify(header)).toEqual(referenceRange(header, size));
      }),
      { numRuns: 5000, seed: SEED },
    );
  });

  it("resolveRange: a single satisfiable range always lies inside the file", () => {
    fc.assert(
      fc.property(rangeHeader, fc.integer({ min: 1, max: 10_000 }), (header, size) => {
        const range = served(header, size);
        if (range.kind === "single") {
          expect(range.start).toBeGreaterThanOrEqual(0);
          expect(range.end).toBeGreaterThanOrEqual(range.start);
          expect(range.end).toBeLessThan(size);
        }
      }),
      { numRuns: 2000, seed: SEED },
    );
  });
});

// --- Content types: accepted and normalised as the backend's mime 0.3.17 does (the parser is
// pinned case by case in test/wire-values.test.ts; here the HTTP and store() wiring around it).
const token = fc.stringMatching(/^[!#$%&'*+.^_`|~0-9A-Za-z-]{1,12}$/);
const validMediaType = fc
  .tuple(
    token,
    token,
    fc.array(
      fc.tuple(fc.constantFrom("", " ", "\t"), token, fc.oneof(token, fc.stringMatching(/^"[ !#-[\]-~]{0,10}"$/))),
      { maxLength: 3 },
    ),
  )
  .map(([type, subtype, params]) => `${type}/${subtype}${params.map(([w, k, v]) => `;${w}${k}=${v}`).join("")}`);
// Printable ASCII (what a client can put in a header), often almost a media type.
const anyHeaderValue = fc.oneof(
  validMediaType,
  fc.stringMatching(/^[\x20-\x7e]{1,30}$/),
  validMediaType.map((t) => `${t};`),
  validMediaType.map((t) => t.replace("/", "")),
);

describe("round trips", () => {
  it("store/get: arbitrary bytes and Blob types come back byte-exact with their type", async () => {
    const emulator = createStorageEmulator();
    await fc.assert(
      fc.asyncProperty(
        fc.uint8Array({ maxLength: 4096 }),
        fc.oneof(fc.string({ maxLength: 20 }), validMediaType),
        async (bytes, type) => {
          const blob = new Blob([bytes], { type });
          const parsed = blob.type === "" ? { ok: true as const, value: "" } : parseMediaType(blob.type);
          if (!parsed.ok) {
            const before = emulator.files().length;
            await expect(emulator.storage.store(blob)).rejects.toMatchObject({
              code: "InvalidContentTypeHeader",
              message: parsed.message,
            });
            expect(emulator.files()).toHaveLength(before);
            return;
          }
          const id = await emulator.storage.store(blob);
          const back = (await emulator.storage.get(id))!;
          expect(back.type).toBe(parsed.value);
          expect(new Uint8Array(await back.arrayBuffer())).toEqual(bytes);
          expect(emulator.file(id)).toMatchObject({
            size: bytes.length,
            sha256: sha256(bytes),
            contentType: parsed.value === "" ? null : parsed.value,
          });
          const meta = (await emulator.storage.getMetadata(id))!;
          expect(meta.sha256).toBe(Buffer.from(sha256(bytes), "base64").toString("hex"));
        },
      ),
      { numRuns: 200, seed: SEED },
    );
  });

  it("upload/serve: arbitrary bytes and Content-Type headers round-trip over HTTP, or are 400 and store nothing", async () => {
    const { emulator } = await listening();
    await fc.assert(
      fc.asyncProperty(
        fc.uint8Array({ maxLength: 200_000 }),
        fc.option(anyHeaderValue, { nil: undefined }),
        async (bytes, contentType) => {
          const before = emulator.files().length;
          const headers: Record<string, string> = contentType === undefined ? {} : { "Content-Type": contentType };
          const res = await send(await emulator.storage.generateUploadUrl(), { method: "POST", headers, body: bytes });
          // HTTP trims the value; present but empty is refused like any value mime cannot parse.
          const value = contentType?.trim();
          const parsed = value === undefined ? undefined : parseMediaType(value);
          if (parsed?.ok === false) {
            expect([res.status, json(res)]).toEqual([
              400,
              { code: "BadHeader", message: "Bad header for content-type: invalid HTTP header" },
            ]);
            expect(emulator.files()).toHaveLength(before);
            return;
          }
          expect(res.status, contentType).toBe(200);
          const { storageId } = json(res) as { storageId: string };
          const served = await send((await emulator.storage.getUrl(storageId as never))!);
          expect(served.status).toBe(200);
          expect(served.body.equals(bytes)).toBe(true);
          expect(served.headers["content-type"]).toBe(parsed?.value);
          expect(served.headers.digest).toBe(`sha-256=${sha256(bytes)}`);
        },
      ),
      { numRuns: 150, seed: SEED },
    );
  });
});
