import { ConvexHttpClient } from "convex/browser";
import { anyApi } from "convex/server";
import { ConvexError } from "convex/values";
import { describe, expect, it } from "vitest";
import { connectStorageEmulator } from "convex-storage-emulator";
import { waitFor } from "../support/wait.js";
import { jwt, setup, subscribe, wsClient } from "./setup.js";

const api = anyApi;

describe("ConvexHttpClient", () => {
  it("query, mutation and action: run the app's functions on the emulator's cloud origin", async () => {
    const { url, t } = await setup();
    const client = new ConvexHttpClient(url, { logger: false });
    expect(await client.query(api.protocol!.count!, { name: "a" })).toBe(0n);
    expect(await client.mutation(api.protocol!.increment!, { name: "a" })).toBe(1n);
    expect(await client.action(api.protocol!.incrementTwice!, { name: "a" })).toBe(3n);
    // The test's own t sees the same database.
    expect(await t.query(api.protocol!.count!, { name: "a" })).toBe(3n);
  });

  it("query: Convex values round-trip (Int64, bytes, nested objects)", async () => {
    const { url } = await setup();
    const client = new ConvexHttpClient(url, { logger: false });
    const value = { n: 5n, bytes: new Uint8Array([1, 2, 3]).buffer, list: [1.5, "x", null, true], nested: { a: -0 } };
    const back = (await client.query(api.protocol!.echo!, { value })) as typeof value;
    expect(back.n).toBe(5n);
    expect(new Uint8Array(back.bytes)).toEqual(new Uint8Array([1, 2, 3]));
    expect(back.list).toEqual([1.5, "x", null, true]);
    expect(Object.is(back.nested.a, -0)).toBe(true);
  });

  it("mutation: a ConvexError reaches the client with its data", async () => {
    const { url } = await setup();
    const client = new ConvexHttpClient(url, { logger: false });
    const error = await client.mutation(api.protocol!.refuse!, {}).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConvexError);
    expect((error as ConvexError<{ code: string; limit: bigint }>).data).toEqual({ code: "NOPE", limit: 3n });
  });

  it("query: the Bearer token becomes ctx.auth.getUserIdentity(), claims mapped as the backend maps them", async () => {
    const { url } = await setup();
    const client = new ConvexHttpClient(url, {
      logger: false,
      auth: jwt({
        sub: "user1",
        iss: "https://issuer.example",
        name: "Ada",
        email: "ada@example.com",
        email_verified: true,
        org: "acme",
        exp: 9999999999,
      }),
    });
    expect(await client.query(api.protocol!.whoami!, {})).toEqual({
      subject: "user1",
      issuer: "https://issuer.example",
      tokenIdentifier: "https://issuer.example|user1",
      name: "Ada",
      email: "ada@example.com",
      emailVerified: true,
      org: "acme",
    });
    expect(await new ConvexHttpClient(url, { logger: false }).query(api.protocol!.whoami!, {})).toBeNull();
  });

  it("query_ts: answers the latest timestamp, encoded as the sync protocol encodes one", async () => {
    const { url } = await setup();
    const response = await fetch(`${url}/api/query_ts`, { method: "POST" });
    expect(response.status).toBe(200);
    const { ts } = (await response.json()) as { ts: string };
    expect(Buffer.from(ts, "base64")).toHaveLength(8);
  });

  it("consistentQuery: runs through /api/query_ts and /api/query_at_ts", async () => {
    const { url } = await setup();
    const client = new ConvexHttpClient(url, { logger: false });
    await client.mutation(api.protocol!.increment!, { name: "c" });
    expect(await client.consistentQuery(api.protocol!.count!, { name: "c" })).toBe(1n);
  });

  it("run: POST /api/run/<module>/<function> answers clean JSON by default", async () => {
    const { url } = await setup();
    await new ConvexHttpClient(url, { logger: false }).mutation(api.protocol!.increment!, { name: "r" });
    const response = await fetch(`${url}/api/run/protocol/count`, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ args: { name: "r" } }),
    });
    expect(await response.json()).toEqual({ status: "success", value: "1" });
  });

  it("mutation: a subscriber on the WebSocket sees a write made over HTTP", async () => {
    const { url } = await setup();
    const seen = subscribe<bigint>(wsClient(url), api.protocol!.count!, { name: "h" });
    await waitFor(() => seen.values.length === 1);
    await new ConvexHttpClient(url, { logger: false }).mutation(api.protocol!.increment!, { name: "h" });
    await waitFor(() => seen.values.at(-1) === 1n);
  });

  it("function: POST /api/function runs a function of any kind by path", async () => {
    const { url } = await setup();
    const post = async (path: string, args: unknown) =>
      (
        await fetch(`${url}/api/function`, {
          method: "POST",
          body: JSON.stringify({ path, format: "convex_encoded_json", args }),
        })
      ).json();
    expect(await post("protocol:increment", { name: "f" })).toEqual({
      status: "success",
      value: { $integer: "AQAAAAAAAAA=" },
    });
    expect(await post("protocol:count", { name: "f" })).toEqual({
      status: "success",
      value: { $integer: "AQAAAAAAAAA=" },
    });
  });

  it("journal: records each call with its path, args, outcome and client", async () => {
    const { url, emulator } = await setup();
    const client = new ConvexHttpClient(url, { logger: false });
    await client.mutation(api.protocol!.increment!, { name: "j" });
    await client.mutation(api.protocol!.fail!, {}).catch(() => {});
    expect(emulator.journal.functionCalls("protocol:increment")).toEqual([
      expect.objectContaining({
        type: "function",
        kind: "mutation",
        path: "protocol:increment",
        args: { name: "j" },
        client: "http",
        outcome: "ok",
      }),
    ]);
    expect(emulator.journal.functionCalls("protocol:fail")[0]).toMatchObject({
      outcome: "error",
      errorMessage: "Uncaught Error: boom",
    });
    expect(emulator.journal.httpRequests("function").map((r) => r.status)).toEqual([200, 200]);
  });

  it("journal: a remote handle reads the same calls (GET /_emulator/journal/functions)", async () => {
    const { url } = await setup();
    await new ConvexHttpClient(url, { logger: false }).mutation(api.protocol!.increment!, { name: "remote" });
    const remote = connectStorageEmulator(url);
    expect(await remote.journal.functionCalls("protocol:increment")).toEqual([
      expect.objectContaining({ path: "protocol:increment", args: { name: "remote" }, client: "http" }),
    ]);
    expect(await remote.journal.functionCalls("protocol:nothing")).toEqual([]);
  });

  it("routes: answer 404 as before while no convex-test instance is connected", async () => {
    const { url, connection } = await setup();
    connection.disconnect();
    const response = await fetch(`${url}/api/query`, { method: "POST", body: "{}" });
    expect(response.status).toBe(404);
  });
});
