import { describe, expect, it, vi } from "vitest";
import { cleanupAfterEach } from "./support/cleanup.js";
import type { JournalEntry, StorageCallEntry } from "../src/index.js";
import { waitFor } from "./support/wait.js";

const { listening, defer } = cleanupAfterEach();

/** A listening emulator with one stored file, one null lookup and one failed delete in its journal. */
async function setup() {
  const { emulator } = await listening();
  const id = await emulator.storage.store(new Blob(["kept"], { type: "text/plain" }));
  const gone = await emulator.storage.store(new Blob(["gone"]));
  await emulator.storage.delete(gone);
  await emulator.storage.getUrl(gone);
  await emulator.storage.delete(gone).catch(() => {});
  return { emulator, id, gone };
}

describe("journal", () => {
  it("storageCalls: lists calls in order with their outcomes", async () => {
    const { emulator, id, gone } = await setup();
    expect(emulator.journal.storageCalls().map((c) => [c.operation, c.storageId, c.outcome])).toEqual([
      ["store", id, "ok"],
      ["store", gone, "ok"],
      ["delete", gone, "ok"],
      ["getUrl", gone, "null"],
      ["delete", gone, "error"],
    ]);
    expect(emulator.journal.storageCalls("store").map((c) => c.bytes)).toEqual([4, 4]);
  });

  it("filter: keeps the entries a predicate accepts, narrowed by a type guard", async () => {
    const { emulator, gone } = await setup();
    const touchedGone = emulator.journal.filter(
      (e): e is StorageCallEntry => e.type === "storage" && e.storageId === gone,
    );
    expect(touchedGone.map((c) => c.operation)).toEqual(["store", "delete", "getUrl", "delete"]);
    expect(emulator.journal.filter((e) => e.durationMs < 0)).toEqual([]);
  });

  it("failures: failed calls and HTTP requests answered >= 400 or cut off", async () => {
    const { emulator } = await setup();
    await fetch(`${emulator.url}/api/storage/${crypto.randomUUID()}`);
    await fetch(`${emulator.url}/_emulator/health`);
    emulator.faults.next({ route: "getMetadata", error: "down" });
    await emulator.storage.getMetadata("x").catch(() => {});
    // HTTP requests are journaled once their response closes.
    await waitFor(() => emulator.journal.httpRequests().length >= 2, { what: "2 HTTP journal entries" });
    const summary = (e: JournalEntry) =>
      e.type === "storage" ? `${e.operation} ${e.errorCode}` : `${e.route} ${e.status} ${e.errorCode}`;
    expect(emulator.journal.failures().map(summary)).toEqual([
      "delete StorageIdNotFound",
      "serve 404 FileNotFound",
      "getMetadata InjectedFault",
    ]);
  });

  it("reset: empties the journal; clear() too, without touching files", async () => {
    const { emulator, id } = await setup();
    emulator.journal.clear();
    expect(emulator.journal.entries).toEqual([]);
    expect(emulator.file(id)).not.toBeNull();
    await emulator.storage.getUrl(id);
    emulator.reset();
    expect(emulator.journal.entries).toEqual([]);
    expect(emulator.journal.failures()).toEqual([]);
  });

  it("subscribe: sees each new entry until unsubscribed", async () => {
    const { emulator, id } = await setup();
    const seen: string[] = [];
    const unsubscribe = emulator.journal.subscribe((e) => seen.push(e.type === "storage" ? e.operation : e.route));
    await emulator.storage.getUrl(id);
    unsubscribe();
    await emulator.storage.getUrl(id);
    expect(seen).toEqual(["getUrl"]);
  });

  it("httpRequests: requests are recorded under vi.useFakeTimers() without advancing timers", async () => {
    const { emulator } = await listening();
    vi.useFakeTimers();
    defer(() => vi.useRealTimers());
    await (await fetch(`${emulator.url}/_emulator/health`)).text();
    // Only microtasks and I/O turns: a faked setImmediate would never fire here.
    for (let i = 0; i < 50 && emulator.journal.httpRequests().length === 0; i++) {
      await new Promise((resolve) => process.nextTick(resolve));
      await new Promise((resolve) => queueMicrotask(() => resolve(undefined)));
      await (await fetch(`${emulator.url}/_emulator/health`, { method: "HEAD" }).catch(() => null))?.text();
    }
    expect(emulator.journal.httpRequests()[0]).toMatchObject({
      route: "admin",
      path: "/_emulator/health",
      status: 200,
    });
  });
});

describe("Journal limit", () => {
  it("record: keeps the newest `limit` entries, oldest first", async () => {
    const { Journal } = await import("../src/journal.js");
    const journal = new Journal(10);
    for (let i = 0; i < 37; i++) {
      journal.record({
        type: "storage",
        operation: "getUrl",
        storageId: String(i),
        outcome: "null",
        at: i,
        durationMs: 0,
      });
      expect(journal.entries.length).toBe(Math.min(i + 1, 10));
    }
    expect(journal.entries.map((e) => (e as StorageCallEntry).storageId)).toEqual([
      "27",
      "28",
      "29",
      "30",
      "31",
      "32",
      "33",
      "34",
      "35",
      "36",
    ]);
    expect(journal.storageCalls()).toHaveLength(10);
  });
});
