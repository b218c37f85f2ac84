// One worker's part of the isolation check (see test/isolation.test.ts). Each *.iso.ts
// file runs this with its own name, in its own process, at the same time as the others.
import { mkdir, readdir, readFile, rename, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { expect, it } from "vitest";
import { cleanupAfterEach } from "../support/cleanup.js";
import { waitFor } from "../support/wait.js";

export const WORKERS = ["a", "b", "c", "d"] as const;
const UPLOADS = 5;

interface Arrival {
  name: string;
  pid: number;
  port: number;
}

/** Announces this worker at `stage` and waits until every worker has: the files really overlap. */
async function barrier(stage: string, me: Arrival): Promise<Arrival[]> {
  const dir = join(process.env.ISOLATION_DIR ?? "", stage);
  await mkdir(dir, { recursive: true });
  // Written under another name, then renamed: a peer never reads a half-written arrival.
  await writeFile(join(dir, `${me.name}.tmp`), JSON.stringify(me));
  await rename(join(dir, `${me.name}.tmp`), join(dir, `${me.name}.json`));
  let names: string[] = [];
  const everyoneArrived = async () => {
    names = (await readdir(dir)).filter((n) => n.endsWith(".json"));
    return names.length === WORKERS.length;
  };
  await waitFor(everyoneArrived, {
    timeoutMs: 20_000,
    what: () => `every worker at "${stage}" (only ${names.join(", ")} reached it: the files did not run in parallel)`,
  });
  return Promise.all(names.map(async (n) => JSON.parse(await readFile(join(dir, n), "utf8")) as Arrival));
}

export function isolationSuite(name: (typeof WORKERS)[number]): void {
  const { listening } = cleanupAfterEach();
  it(`worker ${name}: its emulator on port 0 sees only its own uploads`, async () => {
    if (process.env.ISOLATION_DIR === undefined) throw new Error("run through test/isolation.test.ts");
    const { emulator, server } = await listening();
    const { port, url } = server;
    const me = { name, pid: process.pid, port };
    const peers = (await barrier("started", me)).filter((p) => p.name !== name);

    // Every worker uploads at the same time, each its own content and type.
    for (let i = 0; i < UPLOADS; i++) {
      const res = await fetch(await emulator.storage.generateUploadUrl(), {
        method: "POST",
        headers: { "Content-Type": `text/x-${name}` },
        body: `${name}:${i}`,
      });
      expect(res.status).toBe(200);
    }
    // A token of this emulator means nothing to another one.
    const foreign = new URL(await emulator.storage.generateUploadUrl());
    foreign.port = String(peers[0]!.port);
    expect((await fetch(foreign, { method: "POST", body: "intruder" })).status).toBe(401);

    // Only check once everyone has uploaded, so any cross-talk would show.
    await barrier("uploaded", me);
    expect(emulator).toHaveStoredFiles(UPLOADS);
    expect(emulator.files().map((f) => emulator.text(f.storageId))).toEqual([0, 1, 2, 3, 4].map((i) => `${name}:${i}`));
    expect(emulator).toHaveReceivedUpload({ contentType: `text/x-${name}` });
    for (const peer of peers) expect(emulator).not.toHaveStoredFile({ contentType: `text/x-${peer.name}` });
    const listed = (await (await fetch(`${url}/_emulator/files`)).json()) as { files: { contentType: string }[] };
    expect(listed.files.map((f) => f.contentType)).toEqual(Array(UPLOADS).fill(`text/x-${name}`));
  });
}
