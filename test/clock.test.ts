// Clock control: upload-token expiry and `_creationTime` follow the emulator's clock,
// whether it is injected (`now`) or the default, Date.now, under vitest's fake timers.
import { afterEach, describe, expect, it, vi } from "vitest";
import type { StorageEmulatorOptions } from "../src/index.js";
import { cleanupAfterEach } from "./support/cleanup.js";

const { listening } = cleanupAfterEach();
// Registered after cleanupAfterEach, so it runs first: servers close under real timers.
afterEach(() => {
  vi.useRealTimers();
});

/** A listening emulator and a raw POST, for uploads with a given URL. */
async function setup(options: StorageEmulatorOptions = {}) {
  const { emulator } = await listening(options);
  const post = (url: string, body: string) => fetch(url, { method: "POST", body });
  return { emulator, post };
}

const EXPIRED = { code: "StorageTokenExpired", message: "Store File Authorization expired" };

describe("now", () => {
  it("now: a manual clock expires an upload URL exactly at its TTL", async () => {
    let clock = 0;
    const { emulator, post } = await setup({ now: () => clock, uploadUrlTtlMs: 60_000 });
    const url = await emulator.storage.generateUploadUrl();
    clock = 59_999;
    expect((await post(url, "in time")).status).toBe(200);
    clock = 60_000;
    const late = await post(url, "late");
    expect(late.status).toBe(401);
    expect(await late.json()).toEqual(EXPIRED);
    expect(emulator.files().map((f) => emulator.text(f.storageId))).toEqual(["in time"]);
  });

  it("now: _creationTime follows a manual clock and still increases when it stands still", async () => {
    let clock = 1_000;
    const { emulator } = await setup({ now: () => clock });
    const first = await emulator.storage.store(new Blob(["a"]));
    const second = await emulator.storage.store(new Blob(["b"]));
    clock = 5_000;
    const third = await emulator.storage.store(new Blob(["c"]));
    expect([first, second, third].map((id) => emulator.file(id)?.creationTime)).toEqual([1_000, 1_000.001, 5_000]);
  });

  it("now: the journal's `at` is the manual clock's time", async () => {
    let clock = 42;
    const { emulator } = await setup({ now: () => clock });
    await emulator.storage.generateUploadUrl();
    clock = 43;
    await emulator.storage.getUrl(await emulator.storage.store(new Blob(["x"])));
    expect(emulator.journal.storageCalls().map((c) => [c.operation, c.at])).toEqual([
      ["generateUploadUrl", 42],
      ["store", 43],
      ["getUrl", 43],
    ]);
  });
});

describe("fake timers", () => {
  it("fake timers: vi.setSystemTime and vi.advanceTimersByTime expire an upload URL", async () => {
    vi.useFakeTimers();
    vi.setSystemTime(new Date("2030-01-01T00:00:00Z"));
    const { emulator, post } = await setup({ uploadUrlTtlMs: 60_000 });
    const url = await emulator.storage.generateUploadUrl();
    vi.advanceTimersByTime(59_999);
    expect((await post(url, "in time")).status).toBe(200);
    vi.advanceTimersByTime(1);
    const late = await post(url, "late");
    expect(late.status).toBe(401);
    expect(await late.json()).toEqual(EXPIRED);
    expect(emulator.files().map((f) => f.creationTime)).toEqual([Date.parse("2030-01-01T00:00:59.999Z")]);
  });

  it("fake timers: an emulator created before vi.useFakeTimers() follows them too", async () => {
    // The default clock reads Date.now at each call, so faking Date later still takes effect.
    const { emulator, post } = await setup();
    vi.useFakeTimers({ toFake: ["Date"] });
    vi.setSystemTime(new Date("2030-01-01T00:00:00Z"));
    const url = await emulator.storage.generateUploadUrl();
    vi.setSystemTime(new Date("2030-01-01T01:00:00Z")); // the default TTL is one hour
    expect((await post(url, "late")).status).toBe(401);
    const id = await emulator.storage.store(new Blob(["x"]));
    expect(emulator.file(id)?.creationTime).toBe(Date.parse("2030-01-01T01:00:00Z"));
  });
});
