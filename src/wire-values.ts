// Header-like values parsed exactly as the backend's Rust crates parse them:
// media types (the upload's Content-Type, store()'s blob.type) and sha256
// digests in base64 (the upload's Digest, store()'s sha256 option).
//
// Fidelity: hyperium/mime v0.3.17 src/parse.rs (the version the backend's Cargo.lock pins):
// `parse()` and `lower_ascii_with_params()`, ported byte for byte, errors included.
// The stored value is the parser's rewritten source: type and subtype, parameter
// names and the charset value lowercased, everything else (other values, quotes,
// spacing after ";", a trailing ";" after parameters) kept. Only a ";" with no
// parameter after it is chopped off.

export type MediaTypeResult = { ok: true; value: string } | { ok: false; message: string };

// RFC 7230 tchar, as mime's TOKEN_MAP.
const TOKEN = new Uint8Array(128);
for (const c of "!#$%&'*+-.^_`|~0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ")
  TOKEN[c.charCodeAt(0)] = 1;
const isToken = (c: number) => c < 128 && TOKEN[c] === 1;
const SEMI = 0x3b;
const SLASH = 0x2f;
const EQUALS = 0x3d;
const QUOTE = 0x22;
const SPACE = 0x20;

type Span = [start: number, end: number];

const fail = (message: string): MediaTypeResult => ({ ok: false, message: `mime parse error: ${message}` });
const invalidToken = (pos: number, byte: number) =>
  fail(`an invalid token was encountered, ${byte.toString(16).toUpperCase()} at position ${pos}`);

/** Lower-case `type/subtype` of token bytes, no parameters: what the parser below returns unchanged. */
const PLAIN_MEDIA_TYPE = /^[!#$%&'*+.^_`|~0-9a-z-]+\/[!#$%&'*+.^_`|~0-9a-z-]+$/;

/** A media type as `"...".parse::<mime::Mime>()` then `to_string()` gives it, or the parser's error text. */
export function parseMediaType(text: string): MediaTypeResult {
  // The common case (every upload's Content-Type) without the byte-by-byte parse and its copies.
  if (PLAIN_MEDIA_TYPE.test(text)) return { ok: true, value: text };
  // Positions are byte offsets in UTF-8, as in Rust.
  const s = Buffer.from(text, "utf8");
  let i = 0;
  // type
  for (;;) {
    if (i === s.length) return fail("a slash (/) was missing between the type and subtype");
    const c = s[i]!;
    if (c === SLASH && i > 0) break;
    if (!isToken(c)) return invalidToken(i, c);
    i++;
  }
  let start = ++i;
  // subtype (mime accepts an empty one: "text/")
  for (;;) {
    if (i === s.length) return { ok: true, value: lowerAscii(s, 0, s.length) };
    const c = s[i]!;
    if (c === SEMI && i > start) break;
    if (!isToken(c)) return invalidToken(i, c);
    i++;
  }
  const semicolon = i;
  start = ++i;
  const params: [Span, Span][] = [];
  params: while (start < s.length) {
    let name: Span;
    for (;;) {
      if (i === s.length) return fail("an equals sign (=) was missing between a parameter and its value");
      const c = s[i]!;
      if (c === SPACE && i === start) {
        start = ++i;
        continue params;
      }
      if (c === EQUALS && i > start) {
        name = [start, i];
        start = ++i;
        break;
      }
      if (!isToken(c)) return invalidToken(i, c);
      i++;
    }
    let value: Span;
    let quoted = false;
    for (;;) {
      if (i === s.length) {
        if (quoted) return fail('a quote (") was missing from a parameter value');
        value = [start, s.length];
        start = s.length;
        break;
      }
      const c = s[i]!;
      if (quoted) {
        if (c === QUOTE && i > start) {
          value = [start, i++];
          break;
        }
        if (!(c > 31 && c !== 127)) return invalidToken(i, c);
      } else if (c === QUOTE && i === start) {
        quoted = true;
        start = i + 1;
      } else if (c === SEMI && i > start) {
        value = [start, i];
        start = ++i;
        break;
      } else if (!isToken(c)) {
        return invalidToken(i, c);
      }
      i++;
    }
    if (quoted) {
      // After a closing quote: spaces, then ";" or the end.
      for (;;) {
        if (i === s.length) {
          start = s.length;
          break;
        }
        const c = s[i]!;
        i++;
        if (c === SEMI) {
          start = i;
          break;
        }
        if (c !== SPACE) return invalidToken(i - 1, c);
      }
    }
    params.push([name, value]);
  }
  // "Chop off the empty list": a ";" followed by nothing (or spaces only).
  if (params.length === 0) return { ok: true, value: lowerAscii(s, 0, semicolon) };
  const out = Buffer.from(s);
  lowerInPlace(out, 0, semicolon);
  for (const [[n0, n1], [v0, v1]] of params) {
    lowerInPlace(out, n0, n1);
    if (out.toString("latin1", n0, n1) === "charset") lowerInPlace(out, v0, v1);
  }
  return { ok: true, value: out.toString("utf8") };
}

function lowerAscii(s: Buffer, from: number, to: number): string {
  const out = Buffer.from(s.subarray(from, to));
  lowerInPlace(out, 0, out.length);
  return out.toString("utf8");
}

function lowerInPlace(s: Buffer, from: number, to: number): void {
  for (let i = from; i < to; i++) if (s[i]! >= 0x41 && s[i]! <= 0x5a) s[i]! += 0x20;
}

// Fidelity: get-convex/convex-backend crates/value/src/sha256.rs Sha256Digest::from_base64:
// base64 0.13.1 `decode` (STANDARD alphabet, padding optional, the unused bits of the last
// character must be zero), then exactly 32 bytes. 43 characters carry 32 bytes.
const SHA256_BASE64 = /^([A-Za-z0-9+/]{42}[AEIMQUYcgkosw048])=?$/;

/** A base64 SHA-256 digest as the backend accepts it, in canonical padded form; null when refused. */
export function decodeSha256Base64(value: string): string | null {
  const match = SHA256_BASE64.exec(value);
  return match ? `${match[1]}=` : null;
}
