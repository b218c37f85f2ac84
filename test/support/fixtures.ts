// The files in fixtures/, with the facts tests assert on (described in test/fixtures.md, kept out
// of fixtures/ so that `npm start`, which seeds that folder, stores only the fixtures).
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

export const FIXTURES_DIR = fileURLToPath(new URL("../../fixtures/", import.meta.url));

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

/** One small image per format apps store, each with dimensions of its own. */
export const images = {
  png: { ...fixtures.png, format: "png", width: 16, height: 16 },
  jpeg: { ...fixtures.jpeg, format: "jpeg", width: 16, height: 16 },
  gif: {
    ...fixture("image.gif", "image/gif", 38, "JZ1WjhSIqV7sU2Ksn1eqbGSVUjNJcaF3Q6d/Ci1AKmk="),
    format: "gif",
    width: 3,
    height: 2,
  },
  webp: {
    ...fixture("image.webp", "image/webp", 116, "adYWIpOyFYi7zCL6loMibUKJrJTUlX46PYxQ9O955pA="),
    format: "webp",
    width: 12,
    height: 8,
  },
  avif: {
    ...fixture("image.avif", "image/avif", 349, "ycwEE/NmkLqFVXhPcxmd4LwzXPLcIjTmn2Rt6S6Sc/c="),
    format: "avif",
    width: 10,
    height: 6,
  },
  svg: {
    ...fixture("image.svg", "image/svg+xml", 176, "xZvpIfMC0IsTvjjFIdgFVtTBbBLVDfTlRINAtD4rZ6w="),
    format: "svg",
    width: 40,
    height: 30,
  },
  bmp: {
    ...fixture("image.bmp", "image/bmp", 102, "8bPiBf4J8wvu1FTRG+BS6M/Gab7pQ0HOygn/zRQlBS8="),
    format: "bmp",
    width: 5,
    height: 3,
  },
} as const;
