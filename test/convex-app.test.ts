// --convex DIR in process: the chat example's convex/ directory loaded into a
// convex-test instance the emulator creates and connects, and reset() emptying it.
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { ConvexHttpClient } from "convex/browser";
import { convexTest } from "convex-test";
import { makeFunctionReference, type DefaultFunctionArgs, type FunctionReference } from "convex/server";
import { afterEach, describe, expect, it, vi } from "vitest";
import { entryPoints, loadConvexDirectory } from "../src/loader/convex-dir.js";
import { startConvexApp } from "../src/convex-app.js";
import { connectConvexTest } from "../src/convex-test.js";
import { createStorageEmulator } from "../src/index.js";
import { cleanupAfterEach } from "./support/cleanup.js";
import { failure } from "./support/failure.js";
import { fixtures } from "./support/fixtures.js";

const { defer, tempDir } = cleanupAfterEach();
afterEach(() => {
  vi.unstubAllEnvs();
});

const CHAT = "examples/chat/convex";
type Message = { author: string; body: string; format: string; url?: string | null };
const list = makeFunctionReference<"query", Record<string, never>, Message[]>("messages:list");
const generateUploadUrl = makeFunctionReference<"mutation", Record<string, never>, string>(
  "messages:generateUploadUrl",
);
const sendImage = makeFunctionReference<"mutation", { storageId: string; author: string }, null>("messages:sendImage");
const sendMessage = makeFunctionReference<"mutation", { body: string; author: string }, null>("messages:sendMessage");

/** The part of convex-test's `t` these tests call. */
interface T {
  query<A extends DefaultFunctionArgs, R>(ref: FunctionReference<"query", "public", A, R>, args: A): Promise<R>;
  mutation<A extends DefaultFunctionArgs, R>(ref: FunctionReference<"mutation", "public", A, R>, args: A): Promise<R>;
  run<R>(
    fn: (ctx: {
      db: { system: { query(t: string): { collect(): Promise<unknown[]> } } };
      storage: { getUrl(id: string): Promise<string | null> };
    }) => Promise<R>,
  ): Promise<R>;
}

async function setup() {
  vi.stubEnv("CLIENT_ORIGIN", "http://localhost:5173");
  const app = await startConvexApp(CHAT);
  const server = defer(await app.emulator.listen({ port: 0 }));
  return { ...app, t: app.t as T, server };
}

async function upload(url: string, bytes: Uint8Array<ArrayBuffer>, type: string): Promise<string> {
  const res = await fetch(url, { method: "POST", headers: { "Content-Type": type }, body: bytes });
  return ((await res.json()) as { storageId: string }).storageId;
}

describe("startConvexApp", () => {
  it("startConvexApp: the directory's functions run in convex-test, storage goes to the emulator", async () => {
    const { t, emulator, functionFiles, hasHttp } = await setup();
    expect(functionFiles).toEqual(["messages.ts"]);
    expect(hasHttp).toBe(true);
    const storageId = await upload(await t.mutation(generateUploadUrl, {}), fixtures.png.bytes, "image/png");
    await t.mutation(sendImage, { storageId, author: "Ada" });
    await t.mutation(sendMessage, { body: "hello", author: "Ada" });
    const messages = await t.query(list, {});
    expect(messages).toMatchObject([
      {
        author: "Ada",
        format: "image",
        body: storageId,
        url: `${emulator.url}/api/storage/${emulator.file(storageId)!.uuid}`,
      },
      { author: "Ada", format: "text", body: "hello" },
    ]);
    expect(emulator.bytes(storageId)).toEqual(fixtures.png.bytes);
  });

  it("startConvexApp: DIR/http.ts on the site origin, its ctx.runMutation in the same database", async () => {
    const { t, emulator, server } = await setup();
    const res = await fetch(`${server.siteUrl}/sendImage?author=Bob`, {
      method: "POST",
      headers: { "Content-Type": "image/jpeg" },
      body: fixtures.jpeg.bytes,
    });
    expect(res.status).toBe(200);
    const [file] = emulator.files();
    expect(file).toMatchObject({ contentType: "image/jpeg", source: "store" });
    expect(await t.query(list, {})).toMatchObject([{ author: "Bob", format: "image", body: file!.storageId }]);
  });

  it("reset: empties the app's tables, its _storage documents and the files", async () => {
    const { t, emulator } = await setup();
    const storageId = await upload(await t.mutation(generateUploadUrl, {}), fixtures.png.bytes, "image/png");
    await t.mutation(sendImage, { storageId, author: "Ada" });
    await emulator.reset();
    expect(await t.query(list, {})).toEqual([]);
    expect(await t.run(async (ctx) => ctx.db.system.query("_storage").collect())).toEqual([]);
    expect(emulator.files()).toEqual([]);
    expect(emulator.journal.entries).toEqual([]);
    // The app keeps working after a reset.
    await t.mutation(sendMessage, { body: "again", author: "Ada" });
    expect(await t.query(list, {})).toMatchObject([{ body: "again" }]);
  });

  it("reset: a fault queued for delete is dropped, not taken by the reset's own deletes", async () => {
    const { t, emulator } = await setup();
    const storageId = await upload(await t.mutation(generateUploadUrl, {}), fixtures.png.bytes, "image/png");
    await t.mutation(sendImage, { storageId, author: "Ada" });
    emulator.faults.next({ route: "delete", error: "never used" });
    await emulator.reset();
    expect(emulator.files()).toEqual([]);
    expect(emulator.faults.pending()).toEqual([]);
    expect(await t.query(list, {})).toEqual([]);
  });

  it("POST /_emulator/reset: answers once the database is empty", async () => {
    const { t, server } = await setup();
    await t.mutation(sendMessage, { body: "hello", author: "Ada" });
    const res = await fetch(`${server.url}/_emulator/reset`, { method: "POST" });
    expect(await res.json()).toEqual({ ok: true });
    expect(await t.query(list, {})).toEqual([]);
  });
});

describe("reset with a t connected by the test", () => {
  it("reset: files go at once, the test's own t keeps its documents (_storage ones too)", async () => {
    const { schema, modules } = await loadConvexDirectory(CHAT);
    const t = convexTest(schema, modules) as unknown as T;
    const emulator = createStorageEmulator();
    await connectConvexTest(t, emulator, { modules });
    defer(await emulator.listen({ port: 0 }));
    const storageId = await upload(await t.mutation(generateUploadUrl, {}), fixtures.png.bytes, "image/png");
    await t.mutation(sendMessage, { body: "kept", author: "Ada" });
    const reset = emulator.reset();
    expect(emulator.files()).toEqual([]);
    await reset;
    expect(await t.query(list, {})).toMatchObject([{ body: "kept" }]);
    expect(await t.run(async (ctx) => ctx.db.system.query("_storage").collect())).toHaveLength(1);
    expect(await t.run(async (ctx) => ctx.storage.getUrl(storageId))).toBeNull();
  });
});

describe("startConvexApp with Convex's clients", () => {
  it("ConvexHttpClient: pointed at emulator.url, runs the app's functions in the same database", async () => {
    const { t, server } = await setup();
    const client = new ConvexHttpClient(server.url);
    await client.mutation(sendMessage, { body: "over HTTP", author: "Ada" });
    expect(await t.query(list, {})).toMatchObject([{ body: "over HTTP", format: "text" }]);
    expect(await client.query(list, {})).toMatchObject([{ body: "over HTTP", author: "Ada" }]);
    await fetch(`${server.url}/_emulator/reset`, { method: "POST" });
    expect(await client.query(list, {})).toEqual([]);
  });
});

describe("loadConvexDirectory", () => {
  it("entryPoints: the files npx convex dev bundles, without schema and _generated", () => {
    const dir = tempDir();
    for (const file of [
      "messages.ts",
      "schema.ts",
      "http.ts",
      "lib/files.ts",
      "_generated/api.ts",
      "types.d.ts",
      "a.test.ts",
      ".hidden.ts",
      "#tmp.ts",
      "notes.md",
      "with space.ts",
      "comp/convex.config.ts",
      "comp/x.ts",
    ]) {
      mkdirSync(join(dir, file, ".."), { recursive: true });
      writeFileSync(join(dir, file), "export {};\n");
    }
    expect(entryPoints(dir)).toEqual(["http.ts", "lib/files.ts", "messages.ts"]);
  });

  it("loadConvexDirectory: auth.config.ts is loaded into the module map, not as a function module", async () => {
    const dir = tempDir();
    writeFileSync(
      join(dir, "auth.config.ts"),
      'export default { providers: [{ domain: "https://issuer.test", applicationID: "convex" }] };\n',
    );
    writeFileSync(join(dir, "fns.ts"), "export const x = 1;\n");
    const app = await loadConvexDirectory(dir);
    expect(app.functionFiles).toEqual(["fns.ts"]);
    expect(await app.modules["./auth.config.ts"]!()).toMatchObject({
      default: { providers: [{ domain: "https://issuer.test" }] },
    });
    expect(Object.keys(app.modules).sort()).toEqual(["./_generated/api.js", "./auth.config.ts", "./fns.ts"]);
  });

  it("loadConvexDirectory: a missing directory is a usage error", async () => {
    const error = await failure(loadConvexDirectory("/no/such/convex"));
    expect(error).toMatchObject({
      code: "CliUsage",
      message:
        '[convex-storage-emulator] --convex: "/no/such/convex" is not a directory. Run convex-storage-emulator --help for usage.',
    });
  });

  it("loadConvexDirectory: a directory without function modules is a usage error", async () => {
    const dir = tempDir();
    writeFileSync(join(dir, "schema.ts"), "export default {};\n");
    writeFileSync(join(dir, "http.ts"), "export default {};\n");
    const error = await failure(loadConvexDirectory(dir));
    expect(error).toMatchObject({
      code: "CliUsage",
      message: `[convex-storage-emulator] --convex: "${dir}" holds no function modules (.ts or .js files besides schema and _generated/); point it at your app's convex/ directory. Run convex-storage-emulator --help for usage.`,
    });
  });

  it("loadConvexDirectory: a module that fails to load names the file", async () => {
    const dir = tempDir();
    writeFileSync(join(dir, "broken.ts"), 'throw new Error("boom at load");\nexport {};\n');
    const error = await failure(loadConvexDirectory(dir));
    expect(error).toMatchObject({
      code: "ModuleLoad",
      message: `[convex-storage-emulator] --convex: cannot load "${join(dir, "broken.ts")}": boom at load`,
    });
  });
});
