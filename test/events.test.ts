// The admin page's live feed (GET /_emulator/events): opens at once, keeps a
// heartbeat, and never buffers without limit for a subscriber that stops reading.
import { createServer, type ServerResponse } from "node:http";
import { connect, type AddressInfo } from "node:net";
import { ConvexHttpClient } from "convex/browser";
import { makeFunctionReference } from "convex/server";
import { convexTest } from "convex-test";
import { describe, expect, it } from "vitest";
import { connectConvexTest } from "../src/convex-test.js";
import { createStorageEmulator } from "../src/index.js";
import { Journal } from "../src/journal.js";
import { sendJournalEvents, type FeedLimits } from "../src/server/admin/events.js";
import { cleanupAfterEach } from "./support/cleanup.js";
import schema from "./clients/convex/schema.js";
import { waitFor } from "./support/wait.js";

const { defer } = cleanupAfterEach();

/** A server whose every request is the feed of `journal`; the last response is kept. */
async function setup(limits: FeedLimits) {
  const journal = new Journal();
  let listeners = 0;
  const feed = {
    get entries() {
      return journal.entries;
    },
    functionCalls: () => journal.functionCalls(),
    subscribeFunctionCalls(listener: Parameters<Journal["subscribeFunctionCalls"]>[0]) {
      listeners++;
      const off = journal.subscribeFunctionCalls(listener);
      let subscribed = true;
      return () => {
        if (subscribed) listeners--;
        subscribed = false;
        off();
      };
    },
    subscribe(listener: Parameters<Journal["subscribe"]>[0]) {
      listeners++;
      const off = journal.subscribe(listener);
      let subscribed = true;
      return () => {
        if (subscribed) listeners--;
        subscribed = false;
        off();
      };
    },
  };
  const responses: ServerResponse[] = [];
  const server = createServer((req, res) => {
    responses.push(res);
    sendJournalEvents(feed, req, res, limits);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  defer(() => new Promise<void>((resolve) => server.close(() => resolve())));
  defer(() => server.closeAllConnections());
  const { port } = server.address() as AddressInfo;
  const record = (path: string) => journal.startRequest("serve", "GET", path, 0)({ status: 200 });
  const recordCall = (path: string, at = 0) =>
    journal.recordFunctionCall({
      type: "function",
      kind: "mutation",
      path,
      args: { body: "hi" },
      client: "ws",
      outcome: "ok",
      at,
      durationMs: 1.5,
    });
  return { journal, port, responses, record, recordCall, listeners: () => listeners };
}

describe("events", () => {
  it("GET /_emulator/events: the head goes out at once, so an EventSource opens on an empty emulator", async () => {
    const emulator = createStorageEmulator();
    const server = await emulator.listen({ port: 0 });
    defer(server);
    const controller = new AbortController();
    defer(() => controller.abort());
    // Before, Node held the head until the first entry: this fetch never resolved.
    const res = await fetch(`${server.url}/_emulator/events`, {
      signal: AbortSignal.any([controller.signal, AbortSignal.timeout(5000)]),
    });
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("text/event-stream; charset=utf-8");
  });

  it("GET /_emulator/events: a ConvexHttpClient's mutation arrives as a 'call' event as it is journaled", async () => {
    const emulator = createStorageEmulator();
    const connection = await connectConvexTest(
      convexTest(schema, import.meta.glob("./clients/convex/**/*.ts")),
      emulator,
    );
    defer(() => connection.disconnect());
    const server = defer(await emulator.listen({ port: 0 }));
    const controller = new AbortController();
    defer(() => controller.abort());
    const res = await fetch(`${server.url}/_emulator/events`, { signal: controller.signal });
    const reader = res.body!.pipeThrough(new TextDecoderStream()).getReader();
    const sendMessage = makeFunctionReference<"mutation", { body: string; author: string }, null>(
      "messages:sendMessage",
    );
    await new ConvexHttpClient(server.url, { logger: false }).mutation(sendMessage, { body: "hi", author: "Ada" });
    let text = "";
    while (!text.includes("event: call\n")) text += (await reader.read()).value ?? "";
    const block = text.slice(text.indexOf("event: call\n")).split("\n\n")[0]!;
    const call = JSON.parse(block.split("\n")[1]!.slice("data: ".length)) as unknown;
    expect(call).toMatchObject({
      type: "function",
      kind: "mutation",
      path: "messages:sendMessage",
      args: { body: "hi", author: "Ada" },
      client: "http",
      outcome: "ok",
    });
    expect(call).toEqual(emulator.journal.functionCalls("messages:sendMessage")[0]);
  });

  it("sendJournalEvents: a heartbeat comment line while nothing happens", async () => {
    const { port } = await setup({ heartbeatMs: 20 });
    const controller = new AbortController();
    defer(() => controller.abort());
    const res = await fetch(`http://127.0.0.1:${port}/`, { signal: controller.signal });
    const reader = res.body!.pipeThrough(new TextDecoderStream()).getReader();
    let text = "";
    while (text.split(": heartbeat\n\n").length < 3) text += (await reader.read()).value ?? "";
    expect(text).toBe(": heartbeat\n\n: heartbeat\n\n");
  });

  it("sendJournalEvents: client function calls go out as 'call' events, the backlog's in time order with the entries", async () => {
    const { port, journal, record, recordCall } = await setup({});
    recordCall("messages:early", -1);
    record("/api/storage/one");
    const controller = new AbortController();
    defer(() => controller.abort());
    const res = await fetch(`http://127.0.0.1:${port}/`, { signal: controller.signal });
    const reader = res.body!.pipeThrough(new TextDecoderStream()).getReader();
    let text = "";
    while (text.split("\n\n").length < 3) text += (await reader.read()).value ?? "";
    recordCall("messages:send", 5);
    while (text.split("\n\n").length < 4) text += (await reader.read()).value ?? "";
    const events = text
      .split("\n\n")
      .filter(Boolean)
      .map((block) => {
        const [event, data] = block.split("\n");
        return { event, data: JSON.parse(data!.slice("data: ".length)) as { path: string } };
      });
    expect(events.map((e) => `${e.event} ${e.data.path}`)).toEqual([
      "event: call messages:early",
      "event: entry /api/storage/one",
      "event: call messages:send",
    ]);
    expect(events[2]!.data).toEqual(journal.functionCalls("messages:send")[0]);
  });

  it("sendJournalEvents: a subscriber that stops reading calls is disconnected once its unsent events pass the bound", async () => {
    const { port, responses, recordCall, listeners } = await setup({ maxBufferedBytes: 64 * 1024 });
    const socket = connect(port, "127.0.0.1");
    defer(() => socket.destroy());
    socket.pause();
    socket.write("GET / HTTP/1.1\r\nHost: x\r\n\r\n");
    await waitFor(() => listeners() === 2);
    const path = `messages:${"x".repeat(500)}`;
    for (let i = 0; i < 400 && !responses[0]!.destroyed; i++) {
      for (let j = 0; j < 250; j++) recordCall(path);
      await new Promise((resolve) => setImmediate(resolve));
    }
    expect(responses[0]!.destroyed).toBe(true);
    expect(listeners()).toBe(0);
    expect(responses[0]!.writableLength).toBeLessThan(64 * 1024 + 2048);
  });

  it("sendJournalEvents: a subscriber that stops reading is disconnected once its unsent events pass the bound", async () => {
    const { port, responses, record, listeners } = await setup({ maxBufferedBytes: 64 * 1024 });
    // A client that asks for the feed and never reads a byte of it.
    const socket = connect(port, "127.0.0.1");
    defer(() => socket.destroy());
    socket.pause();
    socket.write("GET / HTTP/1.1\r\nHost: x\r\n\r\n");
    await waitFor(() => listeners() === 2);
    const path = `/${"x".repeat(500)}`;
    // Enough entries to fill the kernel's socket buffers both ways and then the bound.
    for (let i = 0; i < 400 && !responses[0]!.destroyed; i++) {
      for (let j = 0; j < 250; j++) record(path);
      await new Promise((resolve) => setImmediate(resolve));
    }
    expect(responses[0]!.destroyed).toBe(true);
    expect(listeners()).toBe(0);
    // What it had buffered when cut off stays near the bound (one entry past it at most).
    expect(responses[0]!.writableLength).toBeLessThan(64 * 1024 + 2048);
  });
});
