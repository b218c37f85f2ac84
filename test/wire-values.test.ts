// The parsers the backend's Rust crates use, pinned on the cases run against them
// (mime 0.3.17 and base64 0.13.1, compiled from source: notes in docs/fidelity.md).
import { describe, expect, it } from "vitest";
import { decodeSha256Base64, parseMediaType } from "../src/wire-values.js";

const refused = (message: string) => ({ ok: false, message: `mime parse error: ${message}` });
const token = (hex: string, pos: number) => refused(`an invalid token was encountered, ${hex} at position ${pos}`);

describe("wire values", () => {
  it.each([
    ["Text/HTML", "text/html"],
    ["text/plain;", "text/plain"],
    ["text/plain; ", "text/plain"],
    ["text/plain; charset=UTF-8", "text/plain; charset=utf-8"],
    ["text/plain;charset=UTF-8", "text/plain;charset=utf-8"],
    ['TEXT/Plain; CharSet="UTF-8"', 'text/plain; charset="utf-8"'],
    ["text/plain; charset=UTF-8;", "text/plain; charset=utf-8;"],
    ["text/plain; a=b;", "text/plain; a=b;"],
    ["text/plain; charset=utf-8; Format=Flowed", "text/plain; charset=utf-8; format=Flowed"],
    ["multipart/form-data; Boundary=AbC", "multipart/form-data; boundary=AbC"],
    ["TEXT/PLAIN; A=B; CHARSET=UTF-8", "text/plain; a=B; charset=utf-8"],
    ["text/plain;  a=b", "text/plain;  a=b"],
    ['text/plain; a="B C" ; c=D', 'text/plain; a="B C" ; c=D'],
    ["text/plain; a=", "text/plain; a="],
    ["text/", "text/"],
    ["*/*", "*/*"],
    ["image/svg+xml", "image/svg+xml"],
  ])("parseMediaType: %j is %j", (input, value) => {
    expect(parseMediaType(input)).toEqual({ ok: true, value });
  });

  it.each([
    ["", refused("a slash (/) was missing between the type and subtype")],
    ["text", refused("a slash (/) was missing between the type and subtype")],
    ["/plain", token("2F", 0)],
    ["text/plain ; a=b", token("20", 10)],
    ["text/plain; a=b ;c=d", token("20", 15)],
    ["text/plain;;", token("3B", 11)],
    ["text/plain;\ta=b", token("9", 11)],
    ["text/plain; a", refused("an equals sign (=) was missing between a parameter and its value")],
    ['a/b; q="x\\"y"', token("79", 11)],
    ["text/plain, text/html", token("2C", 10)],
    ["téxt/plain", token("C3", 1)],
  ])("parseMediaType: %j is refused", (input, result) => {
    expect(parseMediaType(input)).toEqual(result);
  });

  it("decodeSha256Base64: padding optional, canonical standard base64 of exactly 32 bytes", () => {
    const digest = "47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=";
    expect(decodeSha256Base64(digest)).toBe(digest);
    expect(decodeSha256Base64(digest.slice(0, -1))).toBe(digest);
    for (const bad of [
      "47DEQpj8HBSa-_TImW+5JCeuQeRkm5NMpJWZG3hSuFU=",
      "47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFV=",
      `${digest}=`,
      ` ${digest}`,
      "AAAA",
      "",
    ]) {
      expect(decodeSha256Base64(bad), bad).toBeNull();
    }
  });
});
