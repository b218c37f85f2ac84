// `test` from convex-storage-emulator/vitest (its fixtures) and the globalSetup module.
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { STORAGE_EMULATOR_URL_ENV, test } from "convex-storage-emulator/vitest";
import { connectStorageEmulator, createStorageEmulator } from "../src/index.js";
import globalSetup from "../src/vitest/global-setup.js";
import { sharedEmulatorUrl } from "../src/vitest/provided.js";
import { failure } from "./support/failure.js";
import { ROOT, runToEnd, VITEST } from "./support/run-to-end.js";

const PROJECT = "test/fixtures-projects/vitest-shared";

describe("emulator fixture", () => {
  let lastUrl = "";

  test("emulator: a fresh emulator per test, not listening", async ({ emulator }) => {
    expect(emulator.files()).toEqual([]);
    await emulator.seed({ bytes: "left behind" });
    // A file URL is on the cloud origin, which only a listening emulator serves.
    expect((await failure(emulator.fetch(`${emulator.url}/api/storage/x`))).code).toBe("NotListening");
  });

  test("emulator: the next test's is empty again", ({ emulator }) => {
    expect(emulator).toHaveStoredFiles(0);
  });

  test("emulatorUrl: the emulator listens on a free port", async ({ emulator, emulatorUrl }) => {
    expect(emulatorUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(emulator.url).toBe(emulatorUrl);
    expect((await fetch(`${emulatorUrl}/_emulator/health`)).status).toBe(200);
    lastUrl = emulatorUrl;
  });

  // Runs after the one above (tests in a file run in order): its server closed when it ended.
  test("emulatorUrl: the server is closed after the test", async () => {
    expect(lastUrl).not.toBe("");
    const error = await failure(fetch(`${lastUrl}/_emulator/health`));
    expect((error.cause as { code?: string }).code).toBe("ECONNREFUSED");
  });

  describe("with emulatorOptions", () => {
    const small = test.extend({ emulatorOptions: { maxFileBytes: 4 } });

    small("emulatorOptions: the emulator is created with them", async ({ emulator }) => {
      expect((await failure(emulator.seed({ bytes: "too big" }))).code).toBe("FileTooLarge");
    });
  });
});

describe("storageEmulator fixture", () => {
  const shared = createStorageEmulator();
  beforeAll(async () => {
    vi.stubEnv(STORAGE_EMULATOR_URL_ENV, (await shared.listen({ port: 0 })).url);
  });
  afterAll(async () => {
    vi.unstubAllEnvs();
    await shared.close();
  });

  test("storageEmulator: a remote handle on the emulator CONVEX_STORAGE_EMULATOR_URL names, reset first", async ({
    storageEmulator,
  }) => {
    expect(storageEmulator.url).toBe(shared.url);
    await expect(storageEmulator).toHaveStoredFiles(0);
    await storageEmulator.seed({ bytes: "kept until the next test" });
    expect(shared.files()).toHaveLength(1);
  });

  test("storageEmulator: the next test finds it reset", async ({ storageEmulator }) => {
    await expect(storageEmulator).toHaveStoredFiles(0);
  });

  test("convexUrl and siteUrl: the shared emulator's two origins, reset first", async ({ convexUrl, siteUrl }) => {
    expect(convexUrl).toBe(shared.url);
    expect(siteUrl).toBe(shared.siteUrl);
  });

  it("sharedEmulatorUrl: the provided URL, else the variable, else a FixtureUsage error", () => {
    expect(sharedEmulatorUrl("http://a:1", { [STORAGE_EMULATOR_URL_ENV]: "http://b:2" })).toBe("http://a:1");
    expect(sharedEmulatorUrl(undefined, { [STORAGE_EMULATOR_URL_ENV]: "http://b:2" })).toBe("http://b:2");
    const error = failure(() => sharedEmulatorUrl(undefined, { [STORAGE_EMULATOR_URL_ENV]: "" }));
    expect([error.code, error.message]).toEqual([
      "FixtureUsage",
      '[convex-storage-emulator] the storageEmulator fixture: no emulator to connect to. Add globalSetup: ["convex-storage-emulator/vitest/global-setup"] to the vitest config, or set CONVEX_STORAGE_EMULATOR_URL to the URL of a running one.',
    ]);
  });
});

describe("global-setup", () => {
  it("global-setup: with CONVEX_STORAGE_EMULATOR_CONVEX, the emulator runs that app; a reset empties its files and tables", async () => {
    let url = "";
    vi.stubEnv("CLIENT_ORIGIN", "http://localhost:5173");
    const teardown = await globalSetup(
      { provide: (_key, value) => (url = value) },
      { CONVEX_STORAGE_EMULATOR_CONVEX: "examples/chat/convex" },
    );
    try {
      const remote = connectStorageEmulator(url);
      // The app's http.ts on the site origin, its ctx.runMutation in the app's convex-test instance.
      const sent = await fetch(`${await remote.siteUrl()}/sendImage?author=setup`, {
        method: "POST",
        headers: { "Content-Type": "image/png" },
        body: new Uint8Array([0x89, 0x50]),
      });
      expect(sent.status).toBe(200);
      await expect(remote).toHaveStoredFiles(1);
      await remote.reset();
      await expect(remote).toHaveStoredFiles(0);
    } finally {
      vi.unstubAllEnvs();
      await teardown();
    }
  });

  it(`global-setup: a vitest run with it gives every test file the one emulator, reset before each test (${PROJECT})`, async () => {
    // Not the variable the fixture falls back on: the URL must come from the globalSetup module.
    const env = { [STORAGE_EMULATOR_URL_ENV]: undefined };
    const { code, output } = await runToEnd(
      process.execPath,
      [VITEST, "run", "--root", PROJECT, "--reporter", "verbose"],
      { cwd: ROOT, env },
    );
    expect(code, output).toBe(0);
    expect(output).toContain("✓ uploads.test.ts > an upload lands in the shared emulator");
    expect(output).toContain("✓ own-emulator.test.ts > the shared emulator is still there, and empty");
    expect(output).toMatch(/Tests {2}5 passed \(5\)/);
  }, 60_000);

  it("global-setup: with CONVEX_STORAGE_EMULATOR_CONVEX, tests reach the app with its Convex client at convexUrl, reset between tests (test/fixtures-projects/vitest-convex)", async () => {
    const env = { [STORAGE_EMULATOR_URL_ENV]: undefined, CONVEX_STORAGE_EMULATOR_CONVEX: "examples/chat/convex" };
    const { code, output } = await runToEnd(
      process.execPath,
      [VITEST, "run", "--root", "test/fixtures-projects/vitest-convex", "--reporter", "verbose"],
      { cwd: ROOT, env },
    );
    expect(code, output).toBe(0);
    expect(output).toContain("✓ messages.test.ts > the next test finds the database and the files empty");
    expect(output).toMatch(/Tests {2}2 passed \(2\)/);
  }, 60_000);
});
