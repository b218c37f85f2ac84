// Shared by the reliability tests: a seeded PRNG (so a failure reproduces
// from its seed), deterministic bodies, a bounded pool, and a raw HTTP client
// on a capped keep-alive agent. Traffic goes to 127.0.0.1 only.
import { spawn, type ChildProcess } from "node:child_process";
import { createHash } from "node:crypto";
import { Agent, request as httpRequest, type IncomingHttpHeaders } from "node:http";
import { connect } from "node:net";
import { fileURLToPath } from "node:url";
import v8 from "node:v8";
import vm from "node:vm";
import type { Defer } from "../support/cleanup.js";
import { waitFor } from "../support/wait.js";

/** mulberry32: a small seeded PRNG; `next()` is uniform in [0, 1). */
export function prng(seed: number) {
  let state = seed >>> 0;
  const next = () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return {
    next,
    /** An integer in [min, max]. */
    int: (min: number, max: number) => min + Math.floor(next() * (max - min + 1)),
    pick: <T>(items: readonly T[]): T => items[Math.floor(next() * items.length)]!,
  };
}

/** `size` bytes determined by `seed` (xorshift32), fast enough for hundreds of MiB. */
export function bodyOf(seed: number, size: number): Uint8Array<ArrayBuffer> {
  const words = new Uint32Array(Math.ceil(size / 4));
  let x = (seed ^ 0x9e3779b9) >>> 0 || 1;
  for (let i = 0; i < words.length; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    words[i] = x >>> 0;
  }
  return new Uint8Array(words.buffer, 0, size);
}

export const sha256 = (bytes: Uint8Array) => createHash("sha256").update(bytes).digest("base64");

/** Runs `task` for every index in [0, count), at most `concurrency` at a time. */
export async function pool(count: number, concurrency: number, task: (index: number) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < count) await task(next++);
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, count) }, worker));
}

export interface RawResponse {
  status: number;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

/** One request on `agent` (default: a fresh connection); the whole response body is collected. */
export function send(
  url: string | URL,
  options: {
    method?: string;
    headers?: Record<string, string | number>;
    body?: Uint8Array | string;
    agent?: Agent;
    timeoutMs?: number;
  } = {},
): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      url,
      { method: options.method ?? "GET", headers: options.headers, agent: options.agent ?? false },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("end", () => resolve({ status: res.statusCode!, headers: res.headers, body: Buffer.concat(chunks) }));
        res.on("error", reject);
        res.on("close", () => {
          if (!res.complete) reject(new Error(`response to ${options.method ?? "GET"} ${String(url)} was cut off`));
        });
      },
    );
    req.setTimeout(options.timeoutMs ?? 30_000, () => req.destroy(new Error(`no answer from ${String(url)} in time`)));
    req.on("error", reject);
    req.end(options.body);
  });
}

/** The JSON body of a response. */
export const json = (res: RawResponse) => JSON.parse(res.body.toString("utf8")) as Record<string, unknown>;

/** POSTs `chunks` with Transfer-Encoding: chunked (no Content-Length), one write each. */
export function postChunked(
  url: string | URL,
  chunks: Uint8Array[],
  headers: Record<string, string> = {},
): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      url,
      { method: "POST", headers: { ...headers, "Transfer-Encoding": "chunked" }, agent: false },
      (res) => {
        const body: Buffer[] = [];
        res.on("data", (c: Buffer) => body.push(c));
        res.on("end", () => resolve({ status: res.statusCode!, headers: res.headers, body: Buffer.concat(body) }));
      },
    );
    req.setTimeout(30_000, () => req.destroy(new Error(`no answer from ${String(url)} in time`)));
    // The server may answer (413, 507) and close before the whole body is out.
    req.on("error", (error: NodeJS.ErrnoException) =>
      error.code === "EPIPE" || error.code === "ECONNRESET" ? undefined : reject(error),
    );
    for (const chunk of chunks) req.write(chunk);
    req.end();
  });
}

/**
 * Starts a POST declaring `declared` bytes, sends the first `sendBytes` of `body`, then
 * destroys the connection once they are handed to the kernel. Resolves when the socket is closed.
 */
export function abortedPost(url: string | URL, body: Uint8Array, sendBytes: number): Promise<void> {
  return new Promise((resolve) => {
    const req = httpRequest(url, { method: "POST", headers: { "Content-Length": body.byteLength }, agent: false });
    req.on("error", () => undefined).on("close", () => resolve());
    req.write(body.subarray(0, sendBytes), () => req.destroy());
  });
}

/** Starts a GET, and destroys it after the first chunk of the body arrives. */
export function abortedGet(url: string | URL): Promise<{ status: number }> {
  return new Promise((resolve, reject) => {
    let status = 0;
    const req = httpRequest(url, { agent: false }, (res) => {
      status = res.statusCode!;
      res.once("data", () => req.destroy());
      res.on("error", () => undefined);
    });
    req
      .on("error", (error: NodeJS.ErrnoException) => (status === 0 ? reject(error) : undefined))
      .on("close", () => resolve({ status }));
    req.end();
  });
}

/**
 * Sends `text` (latin1: one byte per character) as-is on a fresh socket and reads until the server
 * closes it: for requests no client would send. Include `Connection: close` in well-formed ones.
 */
export function rawRequest(port: number, text: string): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    const socket = connect(port, "127.0.0.1", () => socket.end(Buffer.from(text, "latin1")));
    socket.setTimeout(10_000, () => socket.destroy(new Error("no answer in time")));
    socket.on("data", (c: Buffer) => chunks.push(c));
    // The server may reset a connection it refused before reading all of the request.
    socket.on("error", (error: NodeJS.ErrnoException) =>
      error.code === "ECONNRESET" || error.code === "EPIPE" ? undefined : reject(error),
    );
    socket.on("close", () => {
      const raw = Buffer.concat(chunks);
      const split = raw.indexOf("\r\n\r\n");
      if (split < 0) return reject(new Error(`not an HTTP response: ${JSON.stringify(raw.toString("latin1"))}`));
      const [statusLine, ...lines] = raw.subarray(0, split).toString("latin1").split("\r\n");
      const headers: IncomingHttpHeaders = {};
      for (const line of lines) {
        const colon = line.indexOf(":");
        headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
      }
      resolve({ status: Number(/^HTTP\/1\.1 (\d{3})/.exec(statusLine!)?.[1]), headers, body: raw.subarray(split + 4) });
    });
  });
}

/** The package's real bin (it runs dist/: `npm test` builds first). */
const BIN = fileURLToPath(new URL("../../bin/convex-storage-emulator.js", import.meta.url));

export interface Cli {
  child: ChildProcess;
  /** stdout and stderr so far. */
  output(): string;
  /** The exit code, or the signal that ended it. */
  exited: Promise<number | NodeJS.Signals | null>;
  /** Waits until the output matches `pattern`; returns the match. */
  waitForOutput(pattern: RegExp, timeoutMs?: number): Promise<RegExpExecArray>;
}

/** Spawns the CLI; `defer` (from cleanupAfterEach) SIGKILLs it after the test if it still runs. */
export function runCli(args: string[], defer: Defer): Cli {
  const child = spawn(process.execPath, [BIN, ...args], { stdio: ["ignore", "pipe", "pipe"] });
  defer(() => child.kill("SIGKILL"));
  let out = "";
  child.stdout!.setEncoding("utf8").on("data", (c: string) => (out += c));
  child.stderr!.setEncoding("utf8").on("data", (c: string) => (out += c));
  const exited = new Promise<number | NodeJS.Signals | null>((resolve) =>
    child.once("exit", (code, signal) => resolve(signal ?? code)),
  );
  const waitForOutput = (pattern: RegExp, timeoutMs = 10_000) =>
    waitFor(() => pattern.exec(out), {
      timeoutMs,
      what: () => `output matching ${pattern} (output so far: ${JSON.stringify(out)})`,
    });
  return { child, output: () => out, exited, waitForOutput };
}

/** A full garbage collection (the flag can be set at run time; vitest need not pass --expose-gc). */
function collectGarbage(): void {
  v8.setFlagsFromString("--expose-gc");
  (vm.runInNewContext("gc") as () => void)();
}

/**
 * process.memoryUsage().arrayBuffers after full GCs. Some backing stores are freed by tasks that
 * run after a GC, so it collects and yields until the figure stops falling (at most 10 rounds).
 */
export async function retainedArrayBuffers(): Promise<number> {
  let last = Infinity;
  for (let round = 0; round < 10; round++) {
    collectGarbage();
    await new Promise((r) => setTimeout(r, 10));
    const now = process.memoryUsage().arrayBuffers;
    if (now >= last) return now;
    last = now;
  }
  return last;
}
