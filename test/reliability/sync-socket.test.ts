// Bad input on the sync WebSocket and the client HTTP API: malformed and unknown messages,
// oversized ones, a client that never reads, many clients, a client gone mid-mutation.
// Each is refused or dropped with a clear reason; every other client carries on.
import { anyApi } from "convex/server";
import { describe, expect, it } from "vitest";
import { WebSocket } from "ws";
import { setup, subscribe, wsClient } from "../clients/setup.js";
import { waitFor } from "../support/wait.js";

const api = anyApi;
const MiB = 1024 * 1024;

/** A raw sync socket: what it received, and how it closed. */
async function rawSocket(url: string) {
  const ws = new WebSocket(`${url.replace(/^http/, "ws")}/api/1.49.0/sync`);
  const received: Record<string, unknown>[] = [];
  const closed = new Promise<{ code: number; reason: string }>((resolve) =>
    ws.on("close", (code, reason) => resolve({ code, reason: String(reason) })),
  );
  ws.on("message", (data) => received.push(JSON.parse(String(data)) as Record<string, unknown>));
  ws.on("error", () => {});
  await new Promise((resolve, reject) => {
    ws.once("open", resolve);
    ws.once("error", reject);
  });
  const send = (message: unknown) => ws.send(typeof message === "string" ? message : JSON.stringify(message));
  send({ type: "Connect", sessionId: "00000000-0000-4000-8000-000000000000", connectionCount: 0 });
  return { ws, received, closed, send };
}

const subscribeRaw = (send: (m: unknown) => void, udfPath: string, args: unknown) =>
  send({
    type: "ModifyQuerySet",
    baseVersion: 0,
    newVersion: 1,
    modifications: [{ type: "Add", queryId: 0, udfPath, args: [args] }],
  });

/** A ConvexClient that keeps working while others misbehave. */
async function bystander(url: string) {
  const client = wsClient(url);
  const count = subscribe<bigint>(client, api.protocol!.count!, { name: "bystander" });
  await waitFor(() => count.values.length === 1);
  return async () => {
    const before = count.values.at(-1)!;
    await client.mutation(api.protocol!.increment!, { name: "bystander" });
    expect(count.values.at(-1)).toBe(before + 1n);
  };
}

describe("sync socket: bad messages", () => {
  it("malformed JSON: FatalError, then a close without a code; others unaffected", async () => {
    const { url } = await setup();
    const stillWorks = await bystander(url);
    const raw = await rawSocket(url);
    raw.send("{not json");
    // Fidelity: get-convex/convex-backend crates/local_backend/src/subs/mod.rs (WSMessageInvalidJson, a
    // deterministic user error: FatalError, then Close(None), which a client reads as 1005).
    expect(await raw.closed).toEqual({ code: 1005, reason: "" });
    expect(raw.received.at(-1)).toEqual({
      type: "FatalError",
      error: expect.stringMatching(/^Received Invalid JSON on websocket: /),
    });
    await stillWorks();
  });

  it("an unknown message type: FatalError naming the known ones", async () => {
    const { url } = await setup();
    const raw = await rawSocket(url);
    raw.send({ type: "Subscribe", queryId: 1 });
    await raw.closed;
    expect(raw.received.at(-1)).toEqual({
      type: "FatalError",
      error:
        "Received Invalid JSON on websocket: unknown variant `Subscribe`, expected one of `Connect`, `ModifyQuerySet`, `Mutation`, `Action`, `Authenticate`, `Event`",
    });
  });

  it("a query set version out of step: FatalError BaseVersionMismatch", async () => {
    const { url } = await setup();
    const raw = await rawSocket(url);
    raw.send({ type: "ModifyQuerySet", baseVersion: 5, newVersion: 6, modifications: [] });
    await raw.closed;
    // Fidelity: crates/sync/src/state.rs modify_query_set.
    expect(raw.received.at(-1)).toEqual({
      type: "FatalError",
      error: "Base version 5 passed up doesn't match the current version 0",
    });
  });

  it("a binary frame: closed 1011 InternalServerError", async () => {
    const { url } = await setup();
    const raw = await rawSocket(url);
    raw.ws.send(Buffer.from([1, 2, 3]));
    // Fidelity: subs/mod.rs receive_messages bails on a non-text message: an internal error's close frame.
    expect(await raw.closed).toEqual({ code: 1011, reason: "InternalServerError" });
  });

  it("a message past the size limit: closed 1009 by the framing layer", async () => {
    const { url, emulator } = await setup();
    emulator.clients.syncLimits = { ...emulator.clients.syncLimits, maxMessageBytes: MiB };
    const stillWorks = await bystander(url);
    const raw = await rawSocket(url);
    raw.send({ type: "Mutation", requestId: 0, udfPath: "protocol:increment", args: [{ name: "x".repeat(2 * MiB) }] });
    expect((await raw.closed).code).toBe(1009);
    await stillWorks();
  });

  it("arguments past 16 MiB: the mutation fails with the backend's text, the socket stays", async () => {
    const { url } = await setup();
    const raw = await rawSocket(url);
    raw.send({ type: "Mutation", requestId: 7, udfPath: "protocol:increment", args: [{ name: "x".repeat(17 * MiB) }] });
    const response = await waitFor(() => raw.received.find((m) => m.type === "MutationResponse"), {
      timeoutMs: 20_000,
    });
    // Fidelity: crates/udf/src/helpers.rs validate_args_size (FUNCTION_MAX_ARGS_SIZE, 16 MiB).
    expect(response).toMatchObject({
      requestId: 7,
      success: false,
      ts: null,
      result: expect.stringMatching(
        /\nArguments for protocol\.js:increment are too large \(actual: 17\.00 MiB, limit: 16 MiB\)\n$/,
      ),
    });
    raw.ws.close();
  });
});

describe("sync socket: load and misbehaving clients", () => {
  it("a client that never reads is dropped once its unsent bytes pass the limit; others carry on", async () => {
    const { url, emulator, t } = await setup();
    emulator.clients.syncLimits = { ...emulator.clients.syncLimits, maxBufferedBytes: 256 * 1024 };
    const stillWorks = await bystander(url);
    const raw = await rawSocket(url);
    subscribeRaw(raw.send, "protocol:big", { name: "big", bytes: MiB });
    await waitFor(() => raw.received.some((m) => m.type === "Transition"));
    raw.ws.pause();
    for (let i = 0; i < 40 && emulator.clients.sessionCount > 1; i++)
      await t.mutation(api.protocol!.increment!, { name: "big" });
    await waitFor(() => emulator.clients.sessionCount === 1, { what: "the slow reader dropped" });
    await stillWorks();
  });

  it("500 clients subscribed to one query all get one mutation's result, and leave nothing behind", async () => {
    const { url, t, emulator } = await setup();
    const sockets = await Promise.all(Array.from({ length: 500 }, () => rawSocket(url)));
    for (const s of sockets) subscribeRaw(s.send, "protocol:count", { name: "fan" });
    await waitFor(() => sockets.every((s) => s.received.length > 0), { timeoutMs: 15_000 });
    await t.mutation(api.protocol!.increment!, { name: "fan" });
    const one = { $integer: Buffer.from([1, 0, 0, 0, 0, 0, 0, 0]).toString("base64") };
    const updated = (s: (typeof sockets)[number]) =>
      s.received.some((m) => m.type === "Transition" && JSON.stringify(m.modifications).includes(JSON.stringify(one)));
    await waitFor(() => sockets.every(updated), { timeoutMs: 15_000, what: "every client updated" });
    for (const s of sockets) s.ws.close();
    // Nothing of them stays behind.
    await waitFor(() => emulator.clients.sessionCount === 0, { timeoutMs: 15_000, what: "every session forgotten" });
  });

  it("one connection past the limit is closed with 1013 (try again later)", async () => {
    const { url, emulator } = await setup();
    emulator.clients.syncLimits = { ...emulator.clients.syncLimits, maxConnections: 2 };
    await rawSocket(url);
    await rawSocket(url);
    const third = await rawSocket(url);
    expect(await third.closed).toEqual({
      code: 1013,
      reason: "[convex-storage-emulator] Too many connections; try again later.",
    });
  });

  it("a client gone mid-mutation: the mutation still commits, subscribers see it", async () => {
    const { url, t } = await setup();
    const watcher = subscribe<bigint>(wsClient(url), api.protocol!.count!, { name: "gone" });
    await waitFor(() => watcher.values.length === 1);
    // A transaction of the test's own holds convex-test's lock, so the client's mutation waits behind it.
    let release!: () => void;
    const held = t.run(() => new Promise<void>((resolve) => (release = resolve)));
    const raw = await rawSocket(url);
    raw.ws.send(
      JSON.stringify({ type: "Mutation", requestId: 0, udfPath: "protocol:increment", args: [{ name: "gone" }] }),
      () => raw.ws.terminate(),
    );
    await raw.closed;
    release();
    await held;
    await waitFor(() => watcher.values.at(-1) === 1n, { what: "the committed write" });
    expect(await t.query(api.protocol!.count!, { name: "gone" })).toBe(1n);
  });

  it("a mutation resent after a reconnect (same session, same request id) is answered, not run again", async () => {
    const { url, t } = await setup();
    const first = await rawSocket(url);
    first.send({ type: "Mutation", requestId: 0, udfPath: "protocol:increment", args: [{ name: "once" }] });
    const answer = await waitFor(() => first.received.find((m) => m.type === "MutationResponse"));
    first.ws.close();
    // rawSocket connects with the same sessionId each time, as a reconnecting client does.
    const again = await rawSocket(url);
    again.send({ type: "Mutation", requestId: 0, udfPath: "protocol:increment", args: [{ name: "once" }] });
    const retried = await waitFor(() => again.received.find((m) => m.type === "MutationResponse"));
    expect(retried).toEqual(answer);
    expect(await t.query(api.protocol!.count!, { name: "once" })).toBe(1n);
    again.ws.close();
  });

  it("disconnect(): open sync sockets are closed with 1001", async () => {
    const { url, connection } = await setup();
    const raw = await rawSocket(url);
    connection.disconnect();
    expect(await raw.closed).toEqual({
      code: 1001,
      reason: "[convex-storage-emulator] No convex-test instance is connected any more.",
    });
  });

  it("close(): open sync sockets are closed with 1001", async () => {
    const { url, emulator } = await setup();
    const raw = await rawSocket(url);
    await emulator.close();
    expect((await raw.closed).code).toBe(1001);
  });

  it("an upgrade to any other path is refused with 404", async () => {
    const { url } = await setup();
    const ws = new WebSocket(`${url.replace(/^http/, "ws")}/api/storage/upload`);
    const status = await new Promise<number | undefined>((resolve) =>
      ws.on("unexpected-response", (_req, res) => resolve(res.statusCode)),
    );
    expect(status).toBe(404);
  });
});

describe("sync socket: large results", () => {
  it("a Transition past 5 MB goes as TransitionChunks, which ConvexClient puts back together", async () => {
    const { url } = await setup();
    const raw = await rawSocket(url);
    subscribeRaw(raw.send, "protocol:big", { name: "b", bytes: 6_000_000 });
    const chunks = await waitFor(
      () => {
        const got = raw.received.filter((m) => m.type === "TransitionChunk");
        return got.length === 2 && got;
      },
      { timeoutMs: 15_000 },
    );
    // Fidelity: crates/local_backend/src/subs/mod.rs maybe_split_transition (5,000,000 per chunk, id = byte length).
    expect(chunks.map((c) => [c.partNumber, c.totalParts])).toEqual([
      [0, 2],
      [1, 2],
    ]);
    expect((chunks[0]!.chunk as string).length).toBe(5_000_000);
    expect(chunks[0]!.transitionId).toBe(
      String((chunks[0]!.chunk as string).length + (chunks[1]!.chunk as string).length),
    );
    raw.ws.close();
    const seen = subscribe<string>(wsClient(url), api.protocol!.big!, { name: "b", bytes: 6_000_000 });
    const value = await waitFor(() => seen.values[0], { timeoutMs: 15_000 });
    expect(value.length).toBe(6_000_002);
  });
});

describe("client HTTP API: bad input", () => {
  it("a body past 16 MiB: 400 BadJsonBody, length limit exceeded", async () => {
    const { url } = await setup();
    const response = await fetch(`${url}/api/mutation`, {
      method: "POST",
      body: JSON.stringify({ path: "protocol:increment", args: [{ name: "x".repeat(17 * MiB) }] }),
    });
    expect(response.status).toBe(400);
    expect(await response.json()).toEqual({
      code: "BadJsonBody",
      message: "Failed to buffer the request body: length limit exceeded",
    });
  });
});
