// Property tests: Range parsing against an independent RFC 9110 reference,
// and store/get and upload/serve round trips of arbitrary bytes and content
// types. ID encode/decode/rejection and snapshot round trips have theirs in
// test/ids.test.ts and test/snapshot.test.ts.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { createStorageEmulator } from "../../src/index.js";
import { parseRange, type RangeRequest } from "../../src/server/api/range.js";
import { parseMediaType } from "../../src/wire-values.js";
import { cleanupAfterEach } from "../cleanup.js";
import { json, send, sha256 } from "./helpers.js";

const SEED = Number(process.env.RELIABILITY_SEED ?? 0x5eed);
const { listening } = cleanupAfterEach();

// --- The reference: RFC 9110 §14.1.1, §14.1.2, §14.2, written from the RFC, not from range.ts ---
//
//   Range            = ranges-specifier
//   ranges-specifier = range-unit "=" range-set
//   range-set        = 1#range-spec           ; §5.6.1: OWS "," OWS between, empty elements allowed
//   range-spec       = int-range / suffix-range / other-range
//   int-range        = first-pos "-" [ last-pos ]
//   suffix-range     = "-" suffix-length
//   range-unit       = token                  ; compared case-insensitively
//   OWS              = *( SP / HTAB )
//
// A server MAY ignore Range; SHOULD ignore one that is invalid or of another unit. The emulator's
// own documented choices on top: OWS is also tolerated around "=" and "-", several ranges are
// answered 416 (like Convex), and a 0-byte file ignores Range.
const OWS = "[ \\t]*";
const TOKEN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
const INT_RANGE = new RegExp(`^([0-9]+)${OWS}-${OWS}([0-9]*)$`);
const SUFFIX_RANGE = new RegExp(`^-${OWS}([0-9]+)$`);
const trimOws = (s: string) => s.replace(/^[ \t]+|[ \t]+$/g, "");

function referenceRange(header: string | undefined, size: number): RangeRequest {
  if (header === undefined) return { kind: "none" };
  const eq = header.indexOf("=");
  if (eq < 0) return { kind: "none" };
  const unit = trimOws(header.slice(0, eq));
  if (!TOKEN.test(unit) || unit.toLowerCase() !== "bytes") return { kind: "none" };
  const elements = header.slice(eq + 1).split(",").map(trimOws).filter((e) => e !== "");
  if (elements.length === 0) return { kind: "none" };
  const big = BigInt(size);
  const ranges: ({ start: bigint; end: bigint } | "unsatisfiable")[] = [];
  for (const element of elements) {
    const int = INT_RANGE.exec(element);
    const suffix = SUFFIX_RANGE.exec(element);
    if (int) {
      const first = BigInt(int[1]!);
      const last = int[2] === "" ? undefined : BigInt(int[2]!);
      // §14.1.1: a last-pos below the first-pos makes the whole field invalid.
      if (last !== undefined && last < first) return { kind: "none" };
      // §14.1.2: satisfiable when first-pos is below the length; last-pos is clamped.
      if (first >= big) ranges.push("unsatisfiable");
      else ranges.push({ start: first, end: last === undefined || last >= big ? big - 1n : last });
    } else if (suffix) {
      const length = BigInt(suffix[1]!);
      // A zero suffix-length selects nothing; a longer suffix than the file selects all of it.
      if (length === 0n) ranges.push("unsatisfiable");
      else ranges.push({ start: length >= big ? 0n : big - length, end: big - 1n });
    } else {
      return { kind: "none" };
    }
  }
  if (ranges.length > 1) return { kind: "multiple" };
  if (size === 0) return { kind: "none" };
  const range = ranges[0]!;
  return range === "unsatisfiable" ? { kind: "unsatisfiable" } : { kind: "single", start: Number(range.start), end: Number(range.end) };
}

// --- Generators ---
const ows = fc.constantFrom("", "", " ", "\t", "  ", "\u00a0");
const digits = fc.oneof(
  fc.nat(1200).map(String),
  fc.nat(99).map((n) => `00${n}`),
  fc.bigInt({ min: 0n, max: 10n ** 30n }).map(String),
);
const spec = fc.oneof(
  { weight: 4, arbitrary: fc.tuple(digits, ows, ows, fc.option(digits)).map(([a, w1, w2, b]) => `${a}${w1}-${w2}${b ?? ""}`) },
  { weight: 2, arbitrary: fc.tuple(ows, digits).map(([w, n]) => `-${w}${n}`) },
  { weight: 1, arbitrary: fc.constantFrom("", " ", "-", "--1", "1-2-3", "abc", "0x10-", "1e3-", "+1-2", "\u0661-\u0662", "1 2-3", "=0-1") },
);
const rangeHeader = fc.oneof(
  {
    weight: 8,
    arbitrary: fc
      .tuple(fc.constantFrom("bytes", "BYTES", "Bytes", "byte", "items", "", "by tes"), ows, ows, fc.array(fc.tuple(ows, spec, ows), { minLength: 0, maxLength: 4 }))
      .map(([unit, w1, w2, specs]) => `${unit}${w1}=${w2}${specs.map(([a, s, b]) => `${a}${s}${b}`).join(",")}`),
  },
  { weight: 1, arbitrary: fc.string({ maxLength: 30 }) },
);
const fileSize = fc.oneof(fc.constant(0), fc.integer({ min: 1, max: 1500 }), fc.integer({ min: 0, max: 2 ** 40 }));

describe("parseRange", () => {
  it("parseRange: agrees with an RFC 9110 reference on generated headers and sizes", () => {
    fc.assert(
      fc.property(fc.option(rangeHeader, { nil: undefined }), fileSize, (header, size) => {
        expect(parseRange(header, size), JSON.stringify(header)).toEqual(referenceRange(header, size));
      }),
      { numRuns: 5000, seed: SEED },
    );
  });

  it("parseRange: a single satisfiable range always lies inside the file", () => {
    fc.assert(
      fc.property(rangeHeader, fc.integer({ min: 1, max: 10_000 }), (header, size) => {
        const range = parseRange(header, size);
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
  .tuple(token, token, fc.array(fc.tuple(fc.constantFrom("", " ", "\t"), token, fc.oneof(token, fc.stringMatching(/^"[ !#-[\]-~]{0,10}"$/))), { maxLength: 3 }))
  .map(([type, subtype, params]) => `${type}/${subtype}${params.map(([w, k, v]) => `;${w}${k}=${v}`).join("")}`);
// Printable ASCII (what a client can put in a header), often almost a media type.
const anyHeaderValue = fc.oneof(validMediaType, fc.stringMatching(/^[\x20-\x7e]{1,30}$/), validMediaType.map((t) => `${t};`), validMediaType.map((t) => t.replace("/", "")));

describe("round trips", () => {
  it("store/get: arbitrary bytes and Blob types come back byte-exact with their type", async () => {
    const emulator = createStorageEmulator();
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ maxLength: 4096 }), fc.oneof(fc.string({ maxLength: 20 }), validMediaType), async (bytes, type) => {
        const blob = new Blob([bytes], { type });
        const parsed = blob.type === "" ? { ok: true as const, value: "" } : parseMediaType(blob.type);
        if (!parsed.ok) {
          const before = emulator.files().length;
          await expect(emulator.storage.store(blob)).rejects.toMatchObject({ code: "InvalidContentTypeHeader", message: parsed.message });
          expect(emulator.files()).toHaveLength(before);
          return;
        }
        const id = await emulator.storage.store(blob);
        const back = (await emulator.storage.get(id))!;
        expect(back.type).toBe(parsed.value);
        expect(new Uint8Array(await back.arrayBuffer())).toEqual(bytes);
        expect(emulator.file(id)).toMatchObject({ size: bytes.length, sha256: sha256(bytes), contentType: parsed.value === "" ? null : parsed.value });
        const meta = (await emulator.storage.getMetadata(id))!;
        expect(meta.sha256).toBe(Buffer.from(sha256(bytes), "base64").toString("hex"));
      }),
      { numRuns: 200, seed: SEED },
    );
  });

  it("upload/serve: arbitrary bytes and Content-Type headers round-trip over HTTP, or are 400 and store nothing", async () => {
    const { emulator } = await listening();
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ maxLength: 200_000 }), fc.option(anyHeaderValue, { nil: undefined }), async (bytes, contentType) => {
        const before = emulator.files().length;
        const headers: Record<string, string> = contentType === undefined ? {} : { "Content-Type": contentType };
        const res = await send(await emulator.storage.generateUploadUrl(), { method: "POST", headers, body: bytes });
        // HTTP trims the value; present but empty is refused like any value mime cannot parse.
        const value = contentType?.trim();
        const parsed = value === undefined ? undefined : parseMediaType(value);
        if (parsed?.ok === false) {
          expect([res.status, json(res)]).toEqual([400, { code: "BadHeader", message: "Bad header for content-type: invalid HTTP header" }]);
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
      }),
      { numRuns: 150, seed: SEED },
    );
  });
});
