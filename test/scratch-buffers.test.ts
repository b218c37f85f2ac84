import { createHash, randomBytes } from "node:crypto";
import type { ServerResponse } from "node:http";
import { connect } from "node:net";
import { describe, expect, it } from "vitest";
import { createStorageEmulator } from "../src/index.js";
import { MAX_SCRATCH_BYTES, ScratchBuffers } from "../src/file-store/scratch-buffers.js";
import { cleanupAfterEach } from "./support/cleanup.js";
import { waitFor } from "./support/wait.js";

const cleanup = cleanupAfterEach();

function setup() {
  return { buffers: new ScratchBuffers() };
}

const sha256 = (bytes: Uint8Array) => createHash("sha256").update(bytes).digest("base64");

describe("ScratchBuffers", () => {
  it("take: sizes from 16 KiB to 1 MiB get a power-of-two buffer of their own", () => {
    const { buffers } = setup();
    for (const [size, capacity] of [
      [16 * 1024, 16 * 1024],
      [16 * 1024 + 1, 32 * 1024],
      [65_536, 65_536],
      [700_000, 1024 * 1024],
      [MAX_SCRATCH_BYTES, MAX_SCRATCH_BYTES],
    ]) {
      const buffer = buffers.take(size!);
      expect([size, buffer.byteLength]).toEqual([size, capacity]);
      // Its own memory: a slice of Node's shared pool would be handed to two owners.
      expect(buffer.buffer.byteLength).toBe(capacity);
    }
  });

  it("give: a returned buffer is taken again for the same size class, others are not", () => {
    const { buffers } = setup();
    const first = buffers.take(100_000);
    buffers.give(first);
    expect(buffers.take(70_000)).toBe(first);
    expect(buffers.take(70_000)).not.toBe(first);
    const small = buffers.take(1000);
    buffers.give(small);
    expect(buffers.take(1000)).not.toBe(small);
  });

  it("give: at most 4 buffers per class are kept", () => {
    const { buffers } = setup();
    const taken = Array.from({ length: 6 }, () => buffers.take(20_000));
    for (const buffer of taken) buffers.give(buffer);
    const again = new Set(Array.from({ length: 6 }, () => buffers.take(20_000)));
    expect(taken.filter((buffer) => again.has(buffer))).toHaveLength(4);
  });

  it("give: a buffer of a size no class has is dropped", () => {
    const { buffers } = setup();
    const odd = Buffer.allocUnsafeSlow(50_000);
    buffers.give(odd);
    expect(buffers.take(50_000)).not.toBe(odd);
    const huge = buffers.take(MAX_SCRATCH_BYTES + 1);
    buffers.give(huge);
    // Identity by ===: not.toBe() compares the contents too, for its message, and two fresh
    // (zeroed) 1 MiB buffers are equal byte by byte: that took 6 s here.
    expect(buffers.take(MAX_SCRATCH_BYTES + 1) === huge).toBe(false);
  });
});

describe("ScratchBuffers.clear", () => {
  it("clear: kept buffers are dropped", () => {
    const { buffers } = setup();
    const kept = buffers.take(100_000);
    buffers.give(kept);
    buffers.clear();
    expect(buffers.take(100_000)).not.toBe(kept);
  });
});

// Files up to 1 MiB are served from a copy in these buffers; with `persist`, get() reads into them too.
describe("reused read buffers", () => {
  it("get (persist): Blobs of files read one after another keep their own bytes", async () => {
    const { storage } = createStorageEmulator({ persist: cleanup.tempDir() });
    const contents = [randomBytes(200_000), randomBytes(150_000), randomBytes(1024 * 1024)];
    const ids = [];
    for (const bytes of contents) ids.push(await storage.store(new Blob([bytes])));
    const blobs = [];
    for (const id of ids) blobs.push(await storage.get(id));
    const hashes = await Promise.all(blobs.map(async (blob) => sha256(new Uint8Array(await blob!.arrayBuffer()))));
    expect(hashes).toEqual(contents.map(sha256));
  });

  it.each(["memory", "persist"])(
    "serve (%s): a buffer is reused only after its response is written, even when the client reads late",
    async (mode) => {
      const { emulator, server } = await cleanup.listening(mode === "persist" ? { persist: cleanup.tempDir() } : {});
      // 1 MiB-class files, more than the 4 kept buffers, pipelined on one connection that is
      // not read until the server has ended every response: the later ones wait in Node's queue.
      const contents = Array.from({ length: 12 }, (_, i) => randomBytes(600_000 + i * 1000));
      const ids = await Promise.all(contents.map((bytes) => emulator.seed({ bytes })));
      const responses: ServerResponse[] = [];
      server.server.on("request", (_req, res) => responses.push(res));
      const socket = connect(server.port, "127.0.0.1");
      cleanup.defer(() => void socket.destroy());
      socket.pause();
      // The last request asks the server to close the connection: its end means every response is in.
      const get = (id: string, last: boolean) =>
        `GET /api/storage/${emulator.file(id)!.uuid} HTTP/1.1\r\nHost: x\r\n${last ? "Connection: close\r\n" : ""}\r\n`;
      socket.write(ids.map((id, i) => get(id, i === ids.length - 1)).join(""));
      await waitFor(() => responses.length === contents.length && responses.every((res) => res.writableEnded), {
        what: `the server ending all ${contents.length} responses before the client reads`,
      });
      const received: Buffer[] = [];
      await new Promise<void>((resolve, reject) => {
        socket.on("data", (chunk: Buffer) => received.push(chunk));
        socket.on("end", resolve);
        socket.on("error", reject);
        socket.resume();
      });
      let stream = Buffer.concat(received);
      const bodies: Buffer[] = [];
      for (let i = 0; i < contents.length; i++) {
        const headerEnd = stream.indexOf("\r\n\r\n");
        const length = Number(/content-length: (\d+)/i.exec(stream.subarray(0, headerEnd).toString("latin1"))![1]);
        bodies.push(stream.subarray(headerEnd + 4, headerEnd + 4 + length));
        stream = stream.subarray(headerEnd + 4 + length);
      }
      expect(bodies.map(sha256)).toEqual(contents.map(sha256));
    },
  );
});
