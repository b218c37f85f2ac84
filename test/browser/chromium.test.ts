// Which Chromium the browser tests find: CHROMIUM_PATH, then a system one, then the packaged one.
import { existsSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { chromiumPath, packagedChromium } from "./chromium.js";

const EXISTING = process.execPath; // any file that exists stands in for a binary
const packaged = async () => "packaged";

describe("chromiumPath", () => {
  it("chromiumPath: CHROMIUM_PATH wins over a system Chromium", async () => {
    expect(await chromiumPath({ env: { CHROMIUM_PATH: EXISTING }, system: ["/bin/sh"], packaged })).toBe(EXISTING);
  });

  it("chromiumPath: a CHROMIUM_PATH that does not exist is an error, not a fallback", async () => {
    await expect(chromiumPath({ env: { CHROMIUM_PATH: "/no/such/chromium" }, packaged })).rejects.toThrow(
      "CHROMIUM_PATH=/no/such/chromium does not exist.",
    );
  });

  it("chromiumPath: the first system Chromium that exists comes before the packaged one", async () => {
    expect(await chromiumPath({ env: {}, system: ["/no/such/chromium", EXISTING], packaged })).toBe(EXISTING);
  });

  it("chromiumPath: with no other, the packaged one", async () => {
    expect(await chromiumPath({ env: {}, system: ["/no/such/chromium"], packaged })).toBe("packaged");
  });

  it("packagedChromium: unpacks once into node_modules/.cache and returns the same binary again", async () => {
    const first = await packagedChromium();
    expect(first).toMatch(/node_modules\/\.cache\/sparticuz-chromium-[\d.]+\/chromium$/);
    expect(existsSync(first)).toBe(true);
    expect(await packagedChromium()).toBe(first);
  }, 60_000);
});
