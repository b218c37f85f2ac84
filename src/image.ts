// What a stored image is, read from its header: format and dimensions,
// never by decoding pixels. image-size reads the headers of every format
// apps store (png, jpeg, gif, webp, avif, svg, bmp, tiff, ico, …) with no
// dependencies of its own; writing those parsers here would be a second,
// less tested copy of it.
import { createRequire } from "node:module";

type ImageSize = typeof import("image-size").imageSize;
let loaded: ImageSize | undefined;
/**
 * image-size, loaded on first use: its format readers cost megabytes of RSS at import, which
 * every process that imports the package would pay, images or not. It ships
 * CommonJS too, so a synchronous require keeps `image()` synchronous.
 */
function imageSize(bytes: Uint8Array): ReturnType<ImageSize> {
  loaded ??= (createRequire(import.meta.url)("image-size") as typeof import("image-size")).imageSize;
  return loaded(bytes);
}

/** An image format, lowercase: "png", "jpeg", "gif", "webp", "avif", "svg", "bmp", or another image-size knows. */
export type ImageFormat = "png" | "jpeg" | "gif" | "webp" | "avif" | "svg" | "bmp" | "tiff" | "ico" | (string & {});

/** A stored image's format and size in pixels. */
export interface ImageInfo {
  readonly format: ImageFormat;
  readonly width: number;
  readonly height: number;
}

// image-size's names where they differ from the format's usual one.
const FORMAT_NAMES: Readonly<Record<string, ImageFormat>> = { jpg: "jpeg" };

/** The image `bytes` hold, or null when they are not one (or its header does not say its size). */
export function imageInfo(bytes: Uint8Array): ImageInfo | null {
  if (bytes.byteLength === 0) return null;
  let found: ReturnType<ImageSize>;
  try {
    found = imageSize(bytes);
  } catch {
    // Not an image format it knows, or a header cut short.
    return null;
  }
  const { type, width, height } = found;
  // An SVG can say width="1e400": Infinity, which JSON (the admin routes, a remote handle) would turn into null.
  if (type === undefined || !isDimension(width) || !isDimension(height)) return null;
  return Object.freeze({ format: FORMAT_NAMES[type] ?? type, width, height });
}

const isDimension = (n: number) => Number.isFinite(n) && n > 0;
