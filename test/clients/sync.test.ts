import { anyApi } from "convex/server";
import { ConvexError } from "convex/values";
import { ConvexClient } from "convex/browser";
import { describe, expect, it, onTestFinished } from "vitest";
import { waitFor } from "../support/wait.js";
import { jwt, setup, subscribe, wsClient } from "./setup.js";

const api = anyApi;

describe("ConvexClient over the sync WebSocket", () => {
  it("query, mutation and action: answered over one socket", async () => {
    const { url } = await setup();
    const client = wsClient(url);
    expect(await client.query(api.protocol!.count!, { name: "a" })).toBe(0n);
    expect(await client.mutation(api.protocol!.increment!, { name: "a" })).toBe(1n);
    expect(await client.action(api.protocol!.incrementTwice!, { name: "a" })).toBe(3n);
  });

  it("onUpdate: a subscription gets the new result after a mutation, before the mutation resolves", async () => {
    const { url } = await setup();
    const client = wsClient(url);
    const seen = subscribe<bigint>(client, api.protocol!.count!, { name: "s" });
    await waitFor(() => seen.values.length === 1);
    await client.mutation(api.protocol!.increment!, { name: "s" });
    // Fidelity: the mutation resolves with the transition that holds its writes (request_manager.js removeCompleted).
    expect(seen.values).toEqual([0n, 1n]);
  });

  it("onUpdate: another client's mutation, the test's own t.mutation and a scheduled write reach subscribers", async () => {
    const { url, t } = await setup();
    const watcher = wsClient(url);
    const seen = subscribe<bigint>(watcher, api.protocol!.count!, { name: "x" });
    await waitFor(() => seen.values.length === 1);
    await wsClient(url).mutation(api.protocol!.increment!, { name: "x" });
    await waitFor(() => seen.values.at(-1) === 1n);
    await t.mutation(api.protocol!.increment!, { name: "x" });
    await waitFor(() => seen.values.at(-1) === 2n);
  });

  it("onUpdate: an action's runMutation writes reach subscribers", async () => {
    const { url } = await setup();
    const client = wsClient(url);
    const seen = subscribe<bigint>(client, api.protocol!.count!, { name: "act" });
    await waitFor(() => seen.values.length === 1);
    await client.action(api.protocol!.incrementTwice!, { name: "act" });
    await waitFor(() => seen.values.at(-1) === 2n, { what: "both increments" });
  });

  it("onUpdate: only changed results are sent (a write elsewhere sends nothing)", async () => {
    // Fidelity: crates/sync/src/state.rs complete_fetch (an unchanged result hash sends no modification).
    const { url, t } = await setup();
    const client = wsClient(url);
    const seen = subscribe<bigint>(client, api.protocol!.count!, { name: "quiet" });
    await waitFor(() => seen.values.length === 1);
    await t.mutation(api.protocol!.increment!, { name: "other" });
    await client.mutation(api.protocol!.increment!, { name: "other" });
    expect(seen.values).toEqual([0n]);
  });

  it("mutation: resolves when its writes span ticks and the client's subscription does not change", async () => {
    // The transition it waits for must reach the mutation's timestamp, not only the first write's.
    const { url } = await setup();
    const client = wsClient(url);
    const seen = subscribe<bigint>(client, api.protocol!.count!, { name: "untouched" });
    await waitFor(() => seen.values.length === 1);
    for (let i = 0; i < 5; i++)
      await client.mutation(api.protocol!.incrementPair!, { first: `a${i}`, second: `b${i}` });
    expect(seen.values).toEqual([0n]);
  });

  it("mutation: a ConvexError's data reaches the client; a thrown Error its dev-deployment text", async () => {
    const { url } = await setup();
    const client = wsClient(url);
    // Fidelity: get-convex/convex-backend crates/convex/sync_types/src/types/json.rs (MutationResponse's
    // errorData), crates/application/src/redaction.rs (the dev deployment's "[Request ID: ..] Server Error").
    const refused = await client.mutation(api.protocol!.refuse!, {}).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(ConvexError);
    expect((refused as ConvexError<{ code: string; limit: bigint }>).data).toEqual({ code: "NOPE", limit: 3n });
    const failed = await client.mutation(api.protocol!.fail!, {}).catch((e: unknown) => e as Error);
    expect((failed as Error).message).toMatch(
      /^\[CONVEX M\(protocol:fail\)\] \[Request ID: [0-9a-f]{16}\] Server Error\nUncaught Error: boom\n/,
    );
  });

  it("action: a ConvexError with string data", async () => {
    const { url } = await setup();
    const error = await wsClient(url)
      .action(api.protocol!.refuseAction!, {})
      .catch((e: unknown) => e);
    expect((error as ConvexError<string>).data).toBe("no such thing");
  });

  it("onUpdate: a failing query reaches the error callback", async () => {
    const { url } = await setup();
    // Fidelity: crates/convex/sync_types/src/types/json.rs QueryFailed.
    const seen = subscribe(wsClient(url), api.protocol!.failQuery!, {});
    const error = await waitFor(() => seen.errors[0]);
    expect(error.message).toContain("Uncaught Error: query boom");
  });

  it("setAuth: the token becomes the identity of queries and mutations", async () => {
    const { url } = await setup();
    const client = wsClient(url, { auth: jwt({ sub: "u2", iss: "https://auth.example", name: "Grace" }) });
    const seen = subscribe<Record<string, unknown> | null>(client, api.protocol!.whoami!, {});
    const identity = await waitFor(() => seen.values.find((v) => v !== null));
    expect(identity).toEqual({
      subject: "u2",
      issuer: "https://auth.example",
      tokenIdentifier: "https://auth.example|u2",
      name: "Grace",
    });
  });

  it("journal: a subscription's first run, mutations and actions are recorded as client 'ws'", async () => {
    const { url, emulator } = await setup();
    const client = wsClient(url);
    const seen = subscribe(client, api.protocol!.count!, { name: "j" });
    await waitFor(() => seen.values.length === 1);
    await client.mutation(api.protocol!.increment!, { name: "j" });
    expect(emulator.journal.functionCalls().map((c) => `${c.client} ${c.kind} ${c.path} ${c.outcome}`)).toEqual([
      "ws query protocol:count ok",
      "ws mutation protocol:increment ok",
    ]);
  });

  it.skipIf(typeof globalThis.WebSocket === "undefined")(
    "Node's own WebSocket (Node 22+): ConvexClient with no constructor given",
    async () => {
      const { url } = await setup();
      const client = new ConvexClient(url, { logger: false, unsavedChangesWarning: false });
      onTestFinished(() => client.close());
      expect(await client.mutation(api.protocol!.increment!, { name: "native" })).toBe(1n);
    },
  );
});
