// The Range header of a file request (RFC 9110 §14).
//
// Fidelity: like Convex, one byte range is served as 206 and several ranges
// are answered 416 (the backend only supports one, as S3 does). Where the
// backend mishandles suffix and out-of-bounds ranges we follow RFC 9110:
// a suffix longer than the file is the whole file, a last position past the
// end is clamped, a first position at or past the end is 416 with
// `Content-Range: bytes */size`, and a header that does not parse is ignored.

export type RangeRequest =
  | { kind: "none" }
  | { kind: "single"; start: number; end: number }
  | { kind: "unsatisfiable" }
  | { kind: "multiple" };

// Whitespace is RFC 9110's OWS, spaces and tabs only: any other makes the header invalid.
const SPEC = /^[ \t]*(?:(\d+)[ \t]*-[ \t]*(\d*)|-[ \t]*(\d+))[ \t]*$/;
const trimOws = (text: string) => text.replace(/^[ \t]+|[ \t]+$/g, "");

export function parseRange(header: string | undefined, size: number): RangeRequest {
  if (header === undefined) return { kind: "none" };
  const eq = header.indexOf("=");
  // Another unit, or no unit: not a byte range request, so ignored.
  if (eq < 0 || trimOws(header.slice(0, eq)).toLowerCase() !== "bytes") return { kind: "none" };
  const specs = header.slice(eq + 1).split(",").filter((s) => trimOws(s) !== "");
  if (specs.length === 0) return { kind: "none" };
  const parsed = specs.map((spec) => SPEC.exec(spec));
  // One malformed spec makes the whole header invalid, and an invalid header is ignored.
  if (parsed.some((m) => m === null)) return { kind: "none" };
  const ranges = parsed.map((m) => toRange(m!, size));
  if (ranges.some((r) => r === "invalid")) return { kind: "none" };
  if (ranges.length > 1) return { kind: "multiple" };
  // RFC 9110 lets a server ignore Range; for an empty file there is nothing to slice.
  if (size === 0) return { kind: "none" };
  const range = ranges[0]!;
  return range === "unsatisfiable" ? { kind: "unsatisfiable" } : { kind: "single", ...(range as { start: number; end: number }) };
}

function toRange(match: RegExpExecArray, size: number): { start: number; end: number } | "unsatisfiable" | "invalid" {
  const [, first, last, suffix] = match;
  // RFC 9110 positions have any number of digits: compared exactly, as BigInts, so a last position
  // or suffix past 2^53 is clamped to the file and a first position past it is unsatisfiable.
  const length = BigInt(size);
  if (suffix !== undefined) {
    const suffixLength = BigInt(suffix);
    if (suffixLength === 0n) return "unsatisfiable";
    return { start: suffixLength >= length ? 0 : size - Number(suffixLength), end: size - 1 };
  }
  const start = BigInt(first!);
  const end = last === "" || last === undefined ? undefined : BigInt(last);
  if (end !== undefined && end < start) return "invalid";
  if (start >= length) return "unsatisfiable";
  return { start: Number(start), end: end === undefined || end >= length ? size - 1 : Number(end) };
}
