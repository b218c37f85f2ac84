// The files in fixtures/, with the facts tests assert on.
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

export const FIXTURES_DIR = fileURLToPath(new URL("../fixtures/", import.meta.url));

export interface Fixture {
  name: string;
  path: string;
  contentType: string;
  size: number;
  /** base64 SHA-256 */
  sha256: string;
  bytes: Uint8Array<ArrayBuffer>;
}

function fixture(name: string, contentType: string, size: number, sha256: string): Fixture {
  const path = FIXTURES_DIR + name;
  return { name, path, contentType, size, sha256, bytes: new Uint8Array(readFileSync(path)) };
}

export const fixtures = {
  png: fixture("image.png", "image/png", 475, "5eHPQvDGvtnPUsjP54uerAQG9MrpEM8GWhjKBHXHfyU="),
  jpeg: fixture("photo.jpg", "image/jpeg", 378, "MFwMp5t2b+3OFdGxAXVz+EI0xaW95URMdcou8ECB+tY="),
  pdf: fixture("document.pdf", "application/pdf", 606, "6s4uFs8X9WOqGj4+TdOU5F4i7wUlYwyGOiE940WqeZ0="),
  text: fixture("hello.txt", "text/plain", 66, "oxYfKcJ+sc87FaUjzGCU4pDsK5alQ5Rn3/VtGpwLstw="),
  empty: fixture("empty.bin", "application/octet-stream", 0, "47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU="),
  allBytes: fixture("all-bytes.bin", "application/octet-stream", 256, "QK/y6dLYki5Hr9RkjmlnSXFYeF+9Hahw5xECZr+USIA="),
} as const;

export const allFixtures: readonly Fixture[] = Object.values(fixtures);
