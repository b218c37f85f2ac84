// The Range header of a file request, read as the backend reads it.
//
// Fidelity: get-convex/convex-backend crates/local_backend/src/storage.rs storage_get takes
// `TypedHeader<Range>` from headers 0.4.0 (src/common/range.rs): `decode` keeps any value that
// is visible ASCII and starts with exactly `bytes=` (anything else is no Range: 200);
// `satisfiable_ranges` splits on ",", trims each spec, splits it once at "-" and parses both
// sides as u64 (empty = unbounded), silently dropping a spec that does not parse. Unless exactly
// one spec is left the answer is an empty 416, before the file is looked up. If-Range is not
// read. The one range left is resolved against the file as RFC 9110 says, where the backend
// mishandles suffix and out-of-bounds ranges: a suffix longer than the file is the whole file, a
// last position past the end is clamped, a first position at or past the end is 416 with
// `Content-Range: bytes */size`; a spec RFC 9110 calls invalid (last < first, a bare "-") is 416.
import type { ServerResponse } from "node:http";
import { errors } from "../../errors.js";
import { requestNotes } from "../http-util.js";

/** One byte-range-spec as headers 0.4.0 keeps it: each side a u64, or null when empty. */
interface ByteRangeSpec {
  first: bigint | null;
  last: bigint | null;
}

/** What the header asks for, before the file is known. */
export type RangeHeader = { kind: "none" } | { kind: "notOne" } | { kind: "one"; spec: ByteRangeSpec };

/** What to send for a file of a known size. */
export type RangeRequest =
  { kind: "none" } | { kind: "single"; start: number; end: number } | { kind: "unsatisfiable" };

const U64_MAX = 2n ** 64n - 1n;
// HeaderValue::to_str: tab and visible ASCII only.
const VISIBLE_ASCII = /^[\t\x20-\x7e]*$/;
// Rust's u64 FromStr: an optional "+", then digits.
const U64_TEXT = /^\+?[0-9]+$/;
const trim = (text: string) => text.replace(/^[ \t]+|[ \t]+$/g, "");

/** The first Range header's value (headers decodes only the first) as the backend reads it. */
export function readRangeHeader(header: string | undefined): RangeHeader {
  if (header === undefined || !VISIBLE_ASCII.test(header) || !header.startsWith("bytes=")) return { kind: "none" };
  const specs: ByteRangeSpec[] = [];
  for (const part of header.slice("bytes=".length).split(",")) {
    const spec = parseSpec(trim(part));
    if (spec !== null) specs.push(spec);
    if (specs.length > 1) return { kind: "notOne" };
  }
  return specs.length === 1 ? { kind: "one", spec: specs[0]! } : { kind: "notOne" };
}

function parseSpec(spec: string): ByteRangeSpec | null {
  const dash = spec.indexOf("-");
  if (dash < 0) return null;
  const first = parseBound(spec.slice(0, dash));
  const last = parseBound(spec.slice(dash + 1));
  return first === undefined || last === undefined ? null : { first, last };
}

/** null: empty (unbounded); undefined: not a u64. */
function parseBound(text: string): bigint | null | undefined {
  if (text === "") return null;
  if (!U64_TEXT.test(text)) return undefined;
  const value = BigInt(text);
  return value > U64_MAX ? undefined : value;
}

/** The one range resolved against a file of `size` bytes (RFC 9110 §14.1.2). */
export function resolveRange(header: RangeHeader, size: number): RangeRequest {
  if (header.kind !== "one") return { kind: "none" };
  // RFC 9110 lets a server ignore Range; for an empty file there is nothing to slice.
  if (size === 0) return { kind: "none" };
  const { first, last } = header.spec;
  const length = BigInt(size);
  if (first === null) {
    if (last === null || last === 0n) return { kind: "unsatisfiable" };
    return { kind: "single", start: last >= length ? 0 : size - Number(last), end: size - 1 };
  }
  if ((last !== null && last < first) || first >= length) return { kind: "unsatisfiable" };
  return { kind: "single", start: Number(first), end: last === null || last >= length ? size - 1 : Number(last) };
}

/** The empty 416: with `Content-Range: bytes *\/size` when the file is known (RFC 9110 §15.5.17). */
export function sendRangeNotSatisfiable(res: ServerResponse, size?: number): void {
  const error = size === undefined ? errors.rangeNotOne() : errors.rangeNotSatisfiable(size);
  res.statusCode = error.status;
  if (size !== undefined) res.setHeader("Content-Range", `bytes */${size}`);
  res.setHeader("Content-Length", 0);
  Object.assign(requestNotes(res), { errorCode: error.code, errorMessage: error.message });
  res.end();
}
