// Uploads that lie or stall: memory follows the bytes received, never a
// declared length; absurd lengths are 413/400, never 500; a stalled upload is
// aborted; a body longer than its Content-Length stores nothing.
import { connect } from "node:net";
import v8 from "node:v8";
import vm from "node:vm";
import { describe, expect, it } from "vitest";
import { parseCli } from "../../src/cli/args.js";
import { createStorageEmulator } from "../../src/index.js";
import { cleanupAfterEach } from "../support/cleanup.js";
import { rawRequest } from "./helpers.js";

const MiB = 1024 * 1024;
const { listening: setup, defer } = cleanupAfterEach();

function arrayBuffersAfterGc(): number {
  v8.setFlagsFromString("--expose-gc");
  (vm.runInNewContext("gc") as () => void)();
  return process.memoryUsage().arrayBuffers;
}

/** The request line and headers of an upload to `uploadUrl`, declaring `length` bytes. */
async function uploadHead(uploadUrl: string, length: string): Promise<string> {
  const url = new URL(uploadUrl);
  return `POST ${url.pathname}${url.search} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: ${length}\r\n\r\n`;
}

/** Sends `text` and keeps the socket open (no FIN); resolves with what the server answers before it closes. */
function sendAndStall(port: number, text: string): Promise<string> {
  return new Promise((resolve, reject) => {
    let answer = "";
    const socket = connect(port, "127.0.0.1", () => socket.write(text, "latin1"));
    defer(() => socket.destroy());
    socket.setEncoding("latin1").on("data", (c: string) => (answer += c));
    socket.on("error", reject).on("close", () => resolve(answer));
  });
}

describe("upload abuse", () => {
  it("upload: 8 uploads declaring 15 MiB and sending 1 byte hold about 8 bytes, not 120 MiB", async () => {
    const { emulator } = await setup({ maxTotalBytes: 16 * MiB });
    const { gateway } = emulator;
    const before = arrayBuffersAfterGc();
    let release!: () => void;
    const stalled = new Promise<void>((resolve) => (release = resolve));
    const uploads = await Promise.all(
      Array.from({ length: 8 }, async () => {
        const token = new URL(await emulator.storage.generateUploadUrl()).searchParams.get("token");
        let wrote!: () => void;
        const written = new Promise<void>((resolve) => (wrote = resolve));
        const done = gateway.upload({
          token,
          headers: () => ({ contentType: null, declaredBytes: 15 * MiB }),
          body: async (write) => {
            write(new Uint8Array(1));
            wrote();
            await stalled;
          },
        });
        await written;
        return { done };
      }),
    );
    const growth = arrayBuffersAfterGc() - before;
    release();
    expect(growth, "arrayBuffers held by 8 stalled uploads").toBeLessThan(4 * MiB);
    // Each stored what it sent, and the budget was never held by the claims.
    expect((await Promise.all(uploads.map((u) => u.done))).map((f) => f.size)).toEqual(Array(8).fill(1));
  });

  it("upload: a declared length past the budget is 507 before any body byte is sent", async () => {
    const { emulator, server } = await setup({ maxTotalBytes: 1000 });
    const res = await rawRequest(server.port, await uploadHead(await emulator.storage.generateUploadUrl(), "1001"));
    expect([res.status, JSON.parse(res.body.toString()).code]).toEqual([507, "StorageFull"]);
    expect(emulator.files()).toEqual([]);
  });

  it.each([
    ["1 TiB", String(2 ** 40), 413],
    ["2^53 + 1", "9007199254740993", 413],
    ["2^64 - 1", "18446744073709551615", 413],
    ["past 2^64", "99999999999999999999999", 400],
    ["negative", "-1", 400],
    ["not a number", "lots", 400],
    ["a float", "1e3", 400],
  ])("upload: Content-Length of %s (%s) is %i before reading, never 500", async (_name, length, status) => {
    const { emulator, server } = await setup();
    const res = await rawRequest(server.port, await uploadHead(await emulator.storage.generateUploadUrl(), length));
    expect(res.status).toBe(status);
    if (status === 413) {
      expect(JSON.parse(res.body.toString())).toEqual({
        code: "FileTooLarge",
        message:
          "[convex-storage-emulator] The file is larger than the 4294967296 bytes one file can hold here; nothing was stored.",
      });
    }
    expect(emulator.files()).toEqual([]);
  });

  it("upload: a body that stops arriving is aborted after uploadIdleTimeoutMs with 408, nothing stored", async () => {
    const { emulator, server } = await setup({ uploadIdleTimeoutMs: 40 });
    const head = await uploadHead(await emulator.storage.generateUploadUrl(), "100");
    const started = performance.now();
    const answer = await sendAndStall(server.port, `${head}only ten b`);
    expect(performance.now() - started).toBeLessThan(5000);
    expect(answer).toMatch(/^HTTP\/1\.1 408 /);
    expect(JSON.parse(answer.slice(answer.indexOf("\r\n\r\n") + 4))).toEqual({
      code: "UploadTimedOut",
      message:
        "[convex-storage-emulator] The upload sent nothing for 40 ms and was aborted; nothing was stored. Raise uploadIdleTimeoutMs (--upload-timeout) for slow clients.",
    });
    expect(emulator.files()).toEqual([]);
    expect(emulator.fileStore.totalBytes).toBe(0);
  });

  it("upload: a body longer than its Content-Length stores nothing (the client reads Node's 400)", async () => {
    const { emulator, server } = await setup();
    const head = await uploadHead(await emulator.storage.generateUploadUrl(), "5");
    const res = await rawRequest(server.port, `${head}helloEXTRA BYTES THAT ARE NOT A REQUEST`);
    expect(res.status).toBe(400);
    expect(emulator.files()).toEqual([]);
    // Whole and exact, the same upload is stored.
    const ok = await rawRequest(
      server.port,
      `${await uploadHead(await emulator.storage.generateUploadUrl(), "5")}hello`.replace(
        "\r\n\r\n",
        "\r\nConnection: close\r\n\r\n",
      ),
    );
    expect(ok.status).toBe(200);
    expect(emulator.files().map((f) => emulator.text(f.storageId))).toEqual(["hello"]);
  });

  it("cli: --upload-timeout SECONDS sets uploadIdleTimeoutMs (0: never)", () => {
    expect(parseCli(["--upload-timeout", "3"])).toMatchObject({ emulator: { uploadIdleTimeoutMs: 3000 } });
    expect(parseCli(["--upload-timeout", "0"])).toMatchObject({ emulator: { uploadIdleTimeoutMs: 0 } });
    expect(() => parseCli(["--upload-timeout", "soon"])).toThrow('--upload-timeout expects a whole number, got "soon"');
  });

  // Node turns a timer past 2^31 - 1 ms into 1 ms: every upload would fail with 408 in a few ms.
  it.each([2 ** 31, 1e12, 0.5])(
    "createStorageEmulator: uploadIdleTimeoutMs %s is OptionInvalid",
    (uploadIdleTimeoutMs) => {
      expect(() => createStorageEmulator({ uploadIdleTimeoutMs })).toThrow(
        `[convex-storage-emulator] Invalid option \`uploadIdleTimeoutMs\`: expected a whole number of ms from 0 to 2147483647 (a timer's limit), got ${uploadIdleTimeoutMs}.`,
      );
    },
  );

  it("upload: the largest uploadIdleTimeoutMs a timer holds does not time a slow upload out", async () => {
    const { emulator, server } = await setup({ uploadIdleTimeoutMs: 2 ** 31 - 1 });
    const url = new URL(await emulator.storage.generateUploadUrl());
    const socket = connect(server.port, "127.0.0.1");
    const answer = new Promise<string>((resolve) => {
      let text = "";
      socket.on("data", (chunk) => (text += chunk.toString()));
      socket.on("close", () => resolve(text));
    });
    socket.write(
      `POST ${url.pathname}${url.search} HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\nConnection: close\r\n\r\nh`,
    );
    await new Promise((resolve) => setTimeout(resolve, 50));
    socket.write("i");
    expect(await answer).toMatch(/^HTTP\/1\.1 200 /);
  });
});
