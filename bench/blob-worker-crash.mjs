// Can a helper thread read a store()'s Blob while the caller waits (Atomics.wait)? That is the
// synchronous read a store keeping the caller's Blob uncopied would need (bench/LIMITS.md,
// "The kept Blob"). Each Blob kind is tried in a child process of this Node, since a failure
// aborts the process:
//   node bench/blob-worker-crash.mjs
import { spawnSync } from "node:child_process";
import { mkdtempSync, openAsBlob, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { MessageChannel, receiveMessageOnPort, Worker } from "node:worker_threads";

const KINDS = [
  "bytes",
  "File",
  "openAsBlob",
  "new Blob([openAsBlob])",
  "openAsBlob slice",
  "mixed parts",
  "Response.blob()",
];

async function tryKind(kind) {
  const dir = mkdtempSync(join(tmpdir(), "blob-crash-"));
  const path = join(dir, "data.bin");
  writeFileSync(path, new Uint8Array(300_000).fill(7));
  const file = await openAsBlob(path);
  const blobs = {
    bytes: () => new Blob([new Uint8Array(1000)]),
    File: () => new File(["abc"], "a.txt"),
    openAsBlob: () => file,
    "new Blob([openAsBlob])": () => new Blob([file]),
    "openAsBlob slice": () => file.slice(10, 5000),
    "mixed parts": () => new Blob(["x", file.slice(0, 100), new Uint8Array(3)]),
    "Response.blob()": () => new Response("hello").blob(),
  };
  const blob = await blobs[kind]();
  const worker = new Worker(
    `require("node:worker_threads").parentPort.once("message", async ({ blob, port, flag }) => {
      port.postMessage((await blob.arrayBuffer()).byteLength);
      Atomics.store(flag, 0, 1);
      Atomics.notify(flag, 0);
    });`,
    { eval: true },
  );
  const { port1, port2 } = new MessageChannel();
  const flag = new Int32Array(new SharedArrayBuffer(4));
  try {
    worker.postMessage({ blob, port: port2, flag }, [port2]);
  } catch (error) {
    console.log(`refused: ${error.message}`);
    await worker.terminate();
    rmSync(dir, { recursive: true, force: true });
    return;
  }
  Atomics.wait(flag, 0, 0, 5000);
  console.log(`read ${receiveMessageOnPort(port1)?.message} bytes`);
  await worker.terminate();
  rmSync(dir, { recursive: true, force: true });
}

if (process.argv[2] !== undefined) await tryKind(process.argv[2]);
else {
  console.log(`Node ${process.version}`);
  for (const kind of KINDS) {
    const child = spawnSync(process.execPath, [process.argv[1], kind], { encoding: "utf8" });
    const outcome =
      child.status === 0
        ? child.stdout.trim()
        : `ABORTED (exit ${child.status ?? child.signal}): ${(child.stderr.match(/FATAL ERROR: .*|Assertion failed: .*/) ?? ["?"])[0]}`;
    console.log(`  ${kind.padEnd(24)} ${outcome}`);
  }
}
