// --persist never loses or invents a file. The persist layer speaks BlobFs,
// so a memfs volume that "crashes" at its Nth fs call stands in for kill -9
// at every point of reset, restore, upload and delete; start-up checks move
// whatever is unsound to quarantine/; a second process is locked out.
import { createHash } from "node:crypto";
import { request as httpRequest } from "node:http";
import { mkdirSync, readdirSync, readFileSync, rmSync, truncateSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { Volume } from "memfs";
import { describe, expect, it } from "vitest";
import { FileStore, type StoredFile } from "../src/file-store.js";
import type { LockOwner } from "../src/file-store/lock.js";
import type { BlobFs } from "../src/file-store/types.js";
import { createStorageEmulator, type StorageEmulator } from "../src/index.js";
import { restoreSnapshot, takeSnapshot } from "../src/snapshot.js";
import { cleanupAfterEach } from "./support/cleanup.js";
import { failure } from "./support/failure.js";
import { json, runCli, send } from "./reliability/helpers.js";
import { waitFor } from "./support/wait.js";

const { tempDir, defer, listening } = cleanupAfterEach();
const ROOT = "/persist";
const sha256 = (bytes: Uint8Array) => createHash("sha256").update(bytes).digest("base64");

/** A BlobFs that counts its calls once armed and, from call `crashAt` on, throws: the process is gone. */
function crashingFs(inner: BlobFs) {
  let calls = 0;
  let crashAt = Infinity;
  const fs = new Proxy(inner, {
    get(target, name, receiver) {
      const value = Reflect.get(target, name, receiver) as unknown;
      if (typeof value !== "function") return value;
      return (...args: unknown[]) => {
        if (++calls >= crashAt) throw new Error(`simulated crash at fs call ${crashAt} (${String(name)})`);
        return (value as (...a: unknown[]) => unknown).apply(target, args);
      };
    },
  });
  return {
    fs,
    arm(n: number) {
      calls = 0;
      crashAt = n;
    },
    calls: () => calls,
  };
}

/** A durable store on `fs`, with deterministic uuids and clock, warnings collected. */
function store(fs: BlobFs, warnings: string[] = [], lock?: LockOwner) {
  let n = 0;
  let clock = 1000;
  return new FileStore({
    location: { fs, root: ROOT, warn: (line) => warnings.push(line), lock },
    now: () => (clock += 1),
    newUuid: () => `00000000-0000-4000-8000-${String(++n).padStart(12, "0")}`,
  });
}

/** Files by what identifies their content (storage ids are random per run, uuids are not here). */
const describeFiles = (files: StoredFile[]) =>
  files.map((f) => `${f.uuid} ${f.size} ${f.sha256} ${f.contentType}`).sort();

/** Every listed file has its bytes, whole and matching. */
function assertWhole(files: FileStore) {
  for (const file of files.list()) expect(sha256(files.reader.read(file)!), file.uuid).toBe(file.sha256);
}

const put = (s: FileStore, text: string, contentType: string | null = "text/plain") =>
  s.write(new TextEncoder().encode(text), { contentType, source: "upload" });

/**
 * Uploads "helloworld" to `emulator` in two halves: `between()` runs once the first half is a
 * partial file in `dir`, then the second half is sent. Resolves with the answer.
 */
function uploadInTwoHalves(
  emulator: StorageEmulator,
  dir: string,
  between: () => void,
): Promise<{ status: number; body: string }> {
  return emulator.storage.generateUploadUrl().then(
    (url) =>
      new Promise((resolve, reject) => {
        const req = httpRequest(
          new URL(url),
          { method: "POST", headers: { "Content-Length": 10, "Content-Type": "text/plain" } },
          (res) => {
            let body = "";
            res.on("data", (chunk: Buffer) => (body += chunk.toString()));
            res.on("end", () => resolve({ status: res.statusCode ?? 0, body }));
          },
        );
        req.on("error", reject);
        req.write("hello");
        void waitFor(() => readdirSync(join(dir, "partial")).length === 1).then(() => {
          between();
          req.end("world");
        }, reject);
      }),
  );
}

describe("persist: crash at every fs call", () => {
  /**
   * Runs `change` once to the end for reference; then for N = 1, 2, …: builds the old state on a
   * fresh volume, runs `change` on a store whose fs dies at call N, and opens a fresh store on the
   * same volume: it must list exactly the old or the finished state, every file whole. Stops at
   * the first N the change survives (every crash point has then been tried).
   */
  async function crashEverywhere(
    build: (s: FileStore) => Promise<void>,
    change: (s: FileStore) => Promise<unknown> | unknown,
  ) {
    const reference = store(new Volume() as unknown as BlobFs);
    await build(reference);
    const old = describeFiles(reference.list());
    await change(reference);
    const finished = describeFiles(reference.list());
    const outcomes = new Set<string>();
    const warnings: string[] = [];
    for (let n = 1; ; n++) {
      const volume = new Volume() as unknown as BlobFs;
      const crashing = crashingFs(volume);
      const live = store(crashing.fs);
      await build(live);
      crashing.arm(n);
      let crashed = true;
      try {
        await change(live);
        crashed = false;
      } catch (error) {
        if (!String((error as Error).message).startsWith("simulated crash")) throw error;
      }
      // A restart is another process; the crashed one is gone.
      const after = store(volume, warnings, { pid: process.pid + 1, isAlive: () => false });
      const listed = describeFiles(after.list());
      assertWhole(after);
      if (!crashed) {
        expect(listed, "the finished change is what a restart sees").toEqual(finished);
        return { crashPoints: n - 1, outcomes, old, finished, warnings };
      }
      expect([old, finished], `crash at fs call ${n}: neither the old nor the new state`).toContainEqual(listed);
      outcomes.add(listed.join() === old.join() ? "old" : "new");
    }
  }

  const build = async (s: FileStore) => {
    await put(s, "one");
    await put(s, "two", null);
    await put(s, "three", "image/png");
  };

  it("reset: after a crash at any fs call a restart lists all the old files or none", async () => {
    const result = await crashEverywhere(build, (s) => s.clear());
    expect(result.finished).toEqual([]);
    expect(result.crashPoints).toBeGreaterThan(5);
    expect([...result.outcomes].sort()).toEqual(["new", "old"]);
  });

  it("restore: after a crash at any fs call a restart lists the old files or the snapshot's, never a mix", async () => {
    // The snapshot shares two uuids with the old state (other records), drops one and brings one.
    const other = store(new Volume() as unknown as BlobFs);
    await build(other);
    await other.remove(other.list()[0]!.uuid);
    await put(other, "four");
    const snapshot = takeSnapshot(other);
    const result = await crashEverywhere(build, (s) => restoreSnapshot(s, snapshot));
    expect(result.finished).toEqual(describeFiles(other.list()));
    expect(result.crashPoints).toBeGreaterThan(10);
    expect([...result.outcomes].sort()).toEqual(["new", "old"]);
  });

  it("upload: after a crash at any fs call a restart lists the old files, or them and the whole new one", async () => {
    const result = await crashEverywhere(build, (s) => put(s, "a new upload"));
    expect(result.crashPoints).toBeGreaterThan(5);
    // The record's rename is the upload's last fs call: any crash comes before it.
    expect([...result.outcomes]).toEqual(["old"]);
    // A crash between the blob's rename and its record's leaves a blob no record names: moved aside, not deleted.
    expect(result.warnings.some((w) => w.includes("no metadata names this blob"))).toBe(true);
  });

  it("delete: after a crash at any fs call a restart lists the file whole or not at all", async () => {
    const result = await crashEverywhere(build, (s) => s.remove(s.list()[1]!.uuid));
    expect([...result.outcomes].sort()).toEqual(["new", "old"]);
  });
});

describe("persist: start-up checks", () => {
  const QUARANTINED = (moved: string, target: string, reason: string) =>
    `[convex-storage-emulator] warning: --persist ${ROOT}: moved ${moved} to quarantine/${target}: ${reason}.`;

  async function setup() {
    const volume = new Volume() as unknown as BlobFs;
    const first = store(volume);
    for (const text of ["a", "bb", "ccc", "dddd", "eeeee", "ffffff", "ggggggg", "hhhhhhhh"]) await put(first, text);
    const files = first.list();
    const meta = (i: number) => `${ROOT}/meta/${files[i]!.uuid}.json`;
    const blob = (i: number) => `${ROOT}/blobs/${files[i]!.uuid}`;
    const record = (i: number) => JSON.parse(String(volume.readFileSync(meta(i), "utf8"))) as Record<string, unknown>;
    return { volume, files, meta, blob, record };
  }

  it("open: every unsound record or blob is moved to quarantine/ with one warning each; the sound files are served", async () => {
    const { volume, files, meta, blob, record } = await setup();
    const u = (i: number) => files[i]!.uuid;
    volume.writeFileSync(meta(0), String(volume.readFileSync(meta(0), "utf8")).slice(0, 20)); // truncated
    volume.writeFileSync(meta(1), JSON.stringify({ ...record(1), size: "2" })); // a string size
    volume.unlinkSync(blob(2)); // missing blob
    volume.writeFileSync(blob(3), "dd"); // short blob
    volume.writeFileSync(blob(4), "EEEEE"); // same size, other bytes
    volume.writeFileSync(meta(5), JSON.stringify({ ...record(5), uuid: u(6) })); // names another file
    volume.writeFileSync(meta(6), JSON.stringify({ ...record(6), contentType: "text/plain\r\nX: y" }));
    volume.writeFileSync(`${ROOT}/blobs/00000000-0000-4000-8000-0000000000ff`, "orphan");
    const warnings: string[] = [];
    const second = store(volume, warnings);

    expect(second.list().map((f) => f.uuid)).toEqual([u(7)]);
    expect(second.totalBytes).toBe(8);
    expect(warnings.sort()).toEqual(
      [
        QUARANTINED(`meta/${u(0)}.json`, `meta-${u(0)}.json`, "the metadata is not readable JSON"),
        QUARANTINED(`blobs/${u(0)}`, `blobs-${u(0)}`, "the metadata is not readable JSON"),
        QUARANTINED(`meta/${u(1)}.json`, `meta-${u(1)}.json`, "the metadata has an invalid size"),
        QUARANTINED(`blobs/${u(1)}`, `blobs-${u(1)}`, "the metadata has an invalid size"),
        QUARANTINED(`meta/${u(2)}.json`, `meta-${u(2)}.json`, "its blob is missing"),
        QUARANTINED(`meta/${u(3)}.json`, `meta-${u(3)}.json`, "its blob's size differs from the metadata"),
        QUARANTINED(`blobs/${u(3)}`, `blobs-${u(3)}`, "its blob's size differs from the metadata"),
        QUARANTINED(`meta/${u(4)}.json`, `meta-${u(4)}.json`, "its blob's sha256 differs from the metadata"),
        QUARANTINED(`blobs/${u(4)}`, `blobs-${u(4)}`, "its blob's sha256 differs from the metadata"),
        QUARANTINED(`meta/${u(5)}.json`, `meta-${u(5)}.json`, "the metadata's uuid does not match its file name"),
        QUARANTINED(`blobs/${u(5)}`, `blobs-${u(5)}`, "the metadata's uuid does not match its file name"),
        QUARANTINED(`meta/${u(6)}.json`, `meta-${u(6)}.json`, "the metadata has an invalid contentType"),
        QUARANTINED(`blobs/${u(6)}`, `blobs-${u(6)}`, "the metadata has an invalid contentType"),
        QUARANTINED(
          "blobs/00000000-0000-4000-8000-0000000000ff",
          "blobs-00000000-0000-4000-8000-0000000000ff",
          "no metadata names this blob",
        ),
      ].sort(),
    );
    // Nothing deleted: every byte that was there is in quarantine/.
    expect(String(volume.readFileSync(`${ROOT}/quarantine/blobs-${u(0)}`, "utf8"))).toBe("a");
    expect(String(volume.readFileSync(`${ROOT}/quarantine/blobs-00000000-0000-4000-8000-0000000000ff`, "utf8"))).toBe(
      "orphan",
    );
    expect((volume.readdirSync(`${ROOT}/quarantine`) as string[]).length).toBe(14);
    // A third start finds nothing more to move.
    const third: string[] = [];
    store(volume, third);
    expect(third).toEqual([]);
  });

  it("open: a truncated record on disk keeps its blob (moved to quarantine/), and the emulator starts", async () => {
    const dir = tempDir();
    const first = createStorageEmulator({ persist: dir });
    const id = await first.seed({ bytes: "precious", contentType: "text/plain" });
    const { uuid } = first.file(id)!;
    writeFileSync(
      join(dir, "meta", `${uuid}.json`),
      readFileSync(join(dir, "meta", `${uuid}.json`), "utf8").slice(0, 10),
    );
    const warnings: string[] = [];
    const warn = console.warn;
    console.warn = (line: string) => warnings.push(line);
    defer(() => (console.warn = warn));
    const second = createStorageEmulator({ persist: dir });
    expect(second.files()).toEqual([]);
    expect(warnings).toEqual([
      `[convex-storage-emulator] warning: --persist ${dir}: moved meta/${uuid}.json to quarantine/meta-${uuid}.json: the metadata is not readable JSON.`,
      `[convex-storage-emulator] warning: --persist ${dir}: moved blobs/${uuid} to quarantine/blobs-${uuid}: the metadata is not readable JSON.`,
    ]);
    expect(readFileSync(join(dir, "quarantine", `blobs-${uuid}`), "utf8")).toBe("precious");
  });

  it("open: a blob path that is a directory is quarantined with its record, not a refusal of the whole store", async () => {
    const dir = tempDir();
    const first = createStorageEmulator({ persist: dir });
    const kept = await first.seed({ bytes: "kept", contentType: "text/plain" });
    const { uuid } = first.file(await first.seed({ bytes: "gone" }))!;
    rmSync(join(dir, "blobs", uuid));
    mkdirSync(join(dir, "blobs", uuid));
    writeFileSync(join(dir, "blobs", uuid, "inside"), "x");
    const warnings: string[] = [];
    const warn = console.warn;
    console.warn = (line: string) => warnings.push(line);
    defer(() => (console.warn = warn));
    const second = createStorageEmulator({ persist: dir });
    expect(second.files().map((f) => f.storageId)).toEqual([kept]);
    expect(warnings).toEqual([
      `[convex-storage-emulator] warning: --persist ${dir}: moved meta/${uuid}.json to quarantine/meta-${uuid}.json: its blob is not a file (a directory?).`,
      `[convex-storage-emulator] warning: --persist ${dir}: moved blobs/${uuid} to quarantine/blobs-${uuid}: its blob is not a file (a directory?).`,
    ]);
    expect(readFileSync(join(dir, "quarantine", `blobs-${uuid}`, "inside"), "utf8")).toBe("x");
  });

  it("open: a blob over 1 MiB with a flipped byte is kept by default (its size matches) and quarantined with persistVerifySha256", async () => {
    const dir = tempDir();
    const bytes = new Uint8Array(1024 * 1024 + 1).fill(7);
    const id = await createStorageEmulator({ persist: dir }).seed({ bytes });
    const { uuid } = createStorageEmulator({ persist: dir }).file(id)!;
    bytes[512 * 1024] = 6; // 7 to 6: one flipped bit, same size
    writeFileSync(join(dir, "blobs", uuid), bytes);
    const warnings: string[] = [];
    const warn = console.warn;
    console.warn = (line: string) => warnings.push(line);
    defer(() => (console.warn = warn));

    expect(createStorageEmulator({ persist: dir }).file(id)?.uuid).toBe(uuid);
    expect(warnings).toEqual([]);
    const verified = createStorageEmulator({ persist: dir, persistVerifySha256: true });
    expect(verified.files()).toEqual([]);
    expect(warnings).toEqual([
      `[convex-storage-emulator] warning: --persist ${dir}: moved meta/${uuid}.json to quarantine/meta-${uuid}.json: its blob's sha256 differs from the metadata.`,
      `[convex-storage-emulator] warning: --persist ${dir}: moved blobs/${uuid} to quarantine/blobs-${uuid}: its blob's sha256 differs from the metadata.`,
    ]);
    // Moved, never deleted: the flipped bytes are all there.
    expect(new Uint8Array(readFileSync(join(dir, "quarantine", `blobs-${uuid}`)))).toEqual(bytes);
    expect(
      failure(() => createStorageEmulator({ persist: dir, persistVerifySha256: "yes" as unknown as boolean })).message,
    ).toBe("[convex-storage-emulator] Invalid option `persistVerifySha256`: expected true or false, got yes.");
  });

  it("serve: a blob that goes missing or short on disk is a pinned 500 that names no path; bytes() throws the same", async () => {
    const dir = tempDir();
    const { emulator, server } = await listening({ persist: dir });
    const small = await emulator.seed({ bytes: "small" });
    const large = await emulator.seed({ bytes: new Uint8Array(3 * 1024 * 1024) });
    const [s, l] = [emulator.file(small)!.uuid, emulator.file(large)!.uuid];
    rmSync(join(dir, "blobs", s));
    truncateSync(join(dir, "blobs", l), 1024);
    for (const uuid of [s, l]) {
      const res = await send(`${server.url}/api/storage/${uuid}`);
      expect([res.status, json(res)]).toEqual([
        500,
        {
          code: "InternalError",
          message: `[convex-storage-emulator] Internal error: the bytes of file ${uuid} are missing or cut short; restart the emulator to quarantine it.`,
        },
      ]);
      expect(res.body.toString()).not.toContain(dir);
    }
    expect(failure(() => emulator.bytes(small)).message).toBe(
      `[convex-storage-emulator] Internal error: the bytes of file ${s} are missing or cut short; restart the emulator to quarantine it.`,
    );
  });
});

describe("persist: lock", () => {
  const owner = (pid: number, alive: boolean): LockOwner => ({ pid, isAlive: () => alive });

  it("open: a second process on the same directory fails at once with PersistLocked; nothing is touched", async () => {
    const volume = new Volume() as unknown as BlobFs;
    const first = store(volume, [], owner(111, true));
    await put(first, "in use");
    volume.writeFileSync(`${ROOT}/partial/00000000-0000-4000-8000-0000000000aa`, "an upload in flight");
    const error = failure(() => store(volume, [], owner(222, true)));
    expect([error.code ?? "", error.message]).toEqual([
      "PersistLocked",
      `[convex-storage-emulator] Another emulator (process 111) keeps its files in "${ROOT}". Stop it, or give this one another --persist directory.`,
    ]);
    // The first one's in-flight upload survives.
    expect(String(volume.readFileSync(`${ROOT}/partial/00000000-0000-4000-8000-0000000000aa`, "utf8"))).toBe(
      "an upload in flight",
    );
  });

  it("open: a lock whose process is dead is taken over", async () => {
    const volume = new Volume() as unknown as BlobFs;
    await put(store(volume, [], owner(111, true)), "kept");
    const second = store(volume, [], owner(222, false));
    expect(second.list()).toHaveLength(1);
    expect(String(volume.readFileSync(`${ROOT}/emulator.lock`, "utf8"))).toBe("222\n");
  });

  it("open: a second emulator in the same process (vitest's threads pool) leaves the first one's in-flight upload alone", async () => {
    const dir = tempDir();
    const { emulator, server } = await listening({ persist: dir });
    // The first half of the body arrives; the rest comes after the second emulator has opened the directory.
    const { status, body } = await uploadInTwoHalves(emulator, dir, () => {
      const second = createStorageEmulator({ persist: dir });
      expect(second.files()).toEqual([]);
    });
    expect([status, body]).toEqual([200, expect.stringMatching(/^\{"storageId":"/)]);
    const { storageId } = JSON.parse(body) as { storageId: string };
    expect(await (await fetch(`${server.url}/_emulator/files/${storageId}/bytes`)).text()).toBe("helloworld");
  });

  it("upload: a 500 from the file system names the failed call, not the persist directory's path", async () => {
    const dir = tempDir();
    const { emulator } = await listening({ persist: dir });
    // Someone removes the half-written upload under the emulator.
    const { status, body } = await uploadInTwoHalves(emulator, dir, () =>
      rmSync(join(dir, "partial"), { recursive: true }),
    );
    expect(status).toBe(500);
    expect(JSON.parse(body)).toEqual({
      code: "InternalError",
      message: "[convex-storage-emulator] Internal error: ENOENT during rename",
    });
    expect(body).not.toContain(dir);
  });

  it("cli: a second emulator on the same --persist directory exits 1 with one line; after the first stops, it starts", async () => {
    const dir = tempDir();
    const first = runCli(["--port", "0", "--quiet", "--persist", dir], defer);
    await first.waitForOutput(/files kept in/);
    const second = runCli(["--port", "0", "--quiet", "--persist", dir], defer);
    expect(await second.exited).toBe(1);
    expect(second.output()).toBe(
      `convex-storage-emulator: Another emulator (process ${first.child.pid}) keeps its files in "${dir}". Stop it, or give this one another --persist directory.\n`,
    );
    first.child.kill("SIGKILL");
    await first.exited;
    const third = runCli(["--port", "0", "--quiet", "--persist", dir], defer);
    await third.waitForOutput(/files kept in .* \(0 found\)/);
    expect(readdirSync(dir).sort()).toEqual(["blobs", "emulator.lock", "meta", "partial"]);
    third.child.kill("SIGTERM");
    expect(await third.exited).toBe(0);
  });
});
