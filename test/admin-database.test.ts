// GET /_emulator/database: the connected app's tables and newest documents, read-only,
// `_storage` documents linked to their files; unconnected, without a schema, bounded,
// and behind the admin guard like every admin route.
import { ConvexHttpClient } from "convex/browser";
import { convexTest } from "convex-test";
import { makeFunctionReference } from "convex/server";
import { afterEach, describe, expect, it, vi } from "vitest";
import { startConvexApp } from "../src/convex-app.js";
import { connectConvexTest } from "../src/convex-test.js";
import { NO_SCHEMA_REASON } from "../src/convex-test/database.js";
import type { DatabaseTable, DatabaseView } from "../src/database-view.js";
import { connectStorageEmulator, createStorageEmulator } from "../src/index.js";
import { cleanupAfterEach } from "./support/cleanup.js";
import schema from "./clients/convex/schema.js";
import { fixtures } from "./support/fixtures.js";
import { rawRequest } from "./reliability/helpers.js";

const { defer } = cleanupAfterEach();
afterEach(() => {
  vi.unstubAllEnvs();
});

const modules = import.meta.glob("./clients/convex/**/*.ts");
const generateUploadUrl = makeFunctionReference<"mutation", Record<string, never>, string>(
  "messages:generateUploadUrl",
);
const sendImage = makeFunctionReference<"mutation", { storageId: string; author: string }, null>("messages:sendImage");
const sendMessage = makeFunctionReference<"mutation", { body: string; author: string }, null>("messages:sendMessage");

/** An emulator connected to a convex-test instance of test/clients/convex, listening; `connect` picks what it is told of the app. */
async function setup(connect: "modules" | "schema" | "nothing" = "modules") {
  const emulator = createStorageEmulator();
  const t = convexTest(schema, modules);
  const connection = await connectConvexTest(
    t,
    emulator,
    connect === "modules" ? { modules } : connect === "schema" ? { schema } : {},
  );
  defer(() => connection.disconnect());
  const server = defer(await emulator.listen({ port: 0 }));
  const database = async () =>
    (await (await fetch(`${server.url}/_emulator/database`)).json()) as DatabaseView & { tables?: DatabaseTable[] };
  return { emulator, t, server, database };
}

async function upload(url: string): Promise<string> {
  const res = await fetch(url, { method: "POST", headers: { "Content-Type": "image/png" }, body: fixtures.png.bytes });
  return ((await res.json()) as { storageId: string }).storageId;
}

const table = (view: { tables?: DatabaseTable[] }, name: string) => view.tables?.find((t) => t.name === name);

describe("admin database", () => {
  it("GET /_emulator/database: nothing connected is { connected: false }", async () => {
    const emulator = createStorageEmulator();
    const server = defer(await emulator.listen({ port: 0 }));
    const res = await fetch(`${server.url}/_emulator/database`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ connected: false });
    expect(await connectStorageEmulator(server.url).database()).toEqual({ connected: false });
  });

  it("GET /_emulator/database: the app's tables and system tables, newest first, _storage documents linked to their files", async () => {
    const { emulator, server, database } = await setup();
    const client = new ConvexHttpClient(server.url, { logger: false });
    const storageId = await upload(await client.mutation(generateUploadUrl, {}));
    await client.mutation(sendImage, { storageId, author: "Ada" });
    await client.mutation(sendMessage, { body: "hello", author: "Ada" });
    const view = await database();
    expect(view).toMatchObject({ connected: true, limit: 100 });
    expect(view.tables!.map((t) => [t.name, t.count])).toEqual([
      ["messages", 2],
      ["counters", 0],
      ["_storage", 1],
      ["_scheduled_functions", 0],
    ]);
    expect(table(view, "messages")!.documents).toMatchObject([
      { author: "Ada", body: "hello", format: "text" },
      { author: "Ada", body: storageId, format: "image" },
    ]);
    const file = emulator.file(storageId)!;
    expect(table(view, "_storage")!.documents).toEqual([
      {
        _id: storageId,
        _creationTime: expect.any(Number),
        sha256: expect.any(String),
        size: file.size,
        contentType: "image/png",
      },
    ]);
    expect(table(view, "_storage")!.files).toEqual({
      [storageId]: {
        url: `${server.url}/api/storage/${file.uuid}`,
        admin: `${server.url}/_emulator/files/${storageId}`,
      },
    });
    expect(await (await fetch(table(view, "_storage")!.files![storageId]!.admin)).json()).toMatchObject({
      storageId,
      size: file.size,
    });
    expect(await connectStorageEmulator(server.url).database()).toEqual(view);
    // Reading is not a write: no function call, no storage call journaled by it.
    expect(emulator.journal.storageCalls().filter((c) => c.operation !== "generateUploadUrl")).toEqual([]);
  });

  it("GET /_emulator/database: Convex's JSON encoding (an Int64 as $integer); at most 100 documents per table, with the count", async () => {
    const { t, database } = await setup("schema");
    await t.run(async (ctx) => {
      for (let i = 0; i < 105; i++) await ctx.db.insert("counters", { name: `c${i}`, value: BigInt(i) });
    });
    const view = await database();
    const counters = table(view, "counters")!;
    expect(counters.count).toBe(105);
    expect(counters.documents).toHaveLength(100);
    expect(counters.documents[0]).toMatchObject({ name: "c104", value: { $integer: "aAAAAAAAAAA=" } });
    expect(counters.documents[99]).toMatchObject({ name: "c5" });
  });

  it("GET /_emulator/database: a t connected without its schema lists the system tables and says why not the app's", async () => {
    const { t, database } = await setup("nothing");
    await t.mutation(sendMessage, { body: "hidden", author: "Ada" });
    const view = await database();
    expect(view).toMatchObject({ connected: true, reason: NO_SCHEMA_REASON });
    expect(view.tables!.map((t) => t.name)).toEqual(["_storage", "_scheduled_functions"]);
  });

  it("GET /_emulator/database: the --convex app (startConvexApp) lists its schema's tables", async () => {
    vi.stubEnv("CLIENT_ORIGIN", "http://localhost:5173");
    const app = await startConvexApp("examples/chat/convex");
    defer(() => app.connection.disconnect());
    const server = defer(await app.emulator.listen({ port: 0 }));
    await new ConvexHttpClient(server.url, { logger: false }).mutation(sendMessage, { body: "hi", author: "Bo" });
    const view = (await (await fetch(`${server.url}/_emulator/database`)).json()) as { tables: DatabaseTable[] };
    expect(view.tables.map((t) => [t.name, t.count])).toEqual([
      ["messages", 1],
      ["_storage", 0],
      ["_scheduled_functions", 0],
    ]);
    expect(table(view, "messages")!.documents).toMatchObject([{ body: "hi", author: "Bo", format: "text" }]);
  });

  it("GET /_emulator/database: behind the guard (no CORS for another site, a DNS-rebinding Host is 421)", async () => {
    const { server } = await setup();
    const evil = await fetch(`${server.url}/_emulator/database`, { headers: { Origin: "https://evil.example" } });
    expect(evil.headers.get("access-control-allow-origin")).toBeNull();
    const local = await fetch(`${server.url}/_emulator/database`, { headers: { Origin: "http://localhost:5173" } });
    expect(local.headers.get("access-control-allow-origin")).toBe("http://localhost:5173");
    const rebound = await rawRequest(
      server.port,
      `GET /_emulator/database HTTP/1.1\r\nHost: rebind.evil.example\r\nConnection: close\r\n\r\n`,
    );
    expect([rebound.status, (JSON.parse(rebound.body.toString()) as { code: string }).code]).toEqual([
      421,
      "HostNotAllowed",
    ]);
  });
});
