// The Convex docs page "Serving Files", run by Convex's own clients against the emulator:
// generateUploadUrl, POST the file, sendImage, and the list query's getUrl, over the sync WebSocket.
import { anyApi } from "convex/server";
import { describe, expect, it } from "vitest";
import { waitFor } from "../support/wait.js";
import { setup, subscribe, wsClient } from "./setup.js";

const api = anyApi;
type Message = { _id: string; author: string; body: string; format: "text" | "image"; url?: string | null };

describe("Serving Files with ConvexClient", () => {
  it("uploads an image in three steps and the subscribed list shows it with its URL", async () => {
    const { url, emulator } = await setup();
    const client = wsClient(url);
    const list = subscribe<Message[]>(client, api.messages!.list!, {});
    await waitFor(() => list.values.length === 1);

    // Step 1: a short-lived upload URL.
    const postUrl = (await client.mutation(api.messages!.generateUploadUrl!, {})) as string;
    expect(postUrl.startsWith(`${url}/api/storage/upload?token=`)).toBe(true);
    // Step 2: POST the file.
    const image = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 1, 2, 3]);
    const result = await fetch(postUrl, { method: "POST", headers: { "Content-Type": "image/png" }, body: image });
    const { storageId } = (await result.json()) as { storageId: string };
    // Step 3: save the storage id in the database.
    await client.mutation(api.messages!.sendImage!, { storageId, author: "Ada" });

    const [message] = list.values.at(-1)!;
    expect(message).toMatchObject({ author: "Ada", body: storageId, format: "image" });
    const served = await fetch(message!.url!);
    expect(served.headers.get("content-type")).toBe("image/png");
    expect(new Uint8Array(await served.arrayBuffer())).toEqual(image);
    expect(emulator.file(storageId)?.contentType).toBe("image/png");
    expect(emulator.journal.functionCalls().map((c) => c.path)).toEqual([
      "messages:list",
      "messages:generateUploadUrl",
      "messages:sendImage",
    ]);
  });

  it("a text message sent by one client appears in another's list", async () => {
    const { url } = await setup();
    const reader = subscribe<Message[]>(wsClient(url), api.messages!.list!, {});
    await waitFor(() => reader.values.length === 1);
    await wsClient(url).mutation(api.messages!.sendMessage!, { body: "hello", author: "Grace" });
    const messages = await waitFor(() => reader.values.find((v) => v.length === 1));
    expect(messages[0]).toMatchObject({ body: "hello", author: "Grace", format: "text" });
  });
});

describe("reactivity beyond client mutations", () => {
  it("an HTTP upload updates a subscription on the _storage table", async () => {
    const { url, emulator } = await setup();
    const files = subscribe<{ id: string; size: number }[]>(wsClient(url), api.protocol!.storedFiles!, {});
    await waitFor(() => files.values.length === 1);
    const uploadUrl = await emulator.storage.generateUploadUrl();
    const { storageId } = (await (await fetch(uploadUrl, { method: "POST", body: "12345" })).json()) as {
      storageId: string;
    };
    const listed = await waitFor(() => files.values.find((v) => v.length === 1));
    expect(listed).toEqual([{ id: storageId, size: 5 }]);
  });

  it("a scheduled function's write reaches subscribers", async () => {
    const { url } = await setup();
    const client = wsClient(url);
    const count = subscribe<bigint>(client, api.protocol!.count!, { name: "later" });
    await waitFor(() => count.values.length === 1);
    await client.mutation(api.protocol!.scheduleIncrement!, { name: "later" });
    await waitFor(() => count.values.at(-1) === 1n, { what: "the scheduled increment" });
  });

  it("emulator.reset(): subscribers see the files gone", async () => {
    const { url, emulator } = await setup();
    const client = wsClient(url);
    const list = subscribe<Message[]>(client, api.messages!.list!, {});
    const uploadUrl = (await client.mutation(api.messages!.generateUploadUrl!, {})) as string;
    const { storageId } = (await (await fetch(uploadUrl, { method: "POST", body: "x" })).json()) as {
      storageId: string;
    };
    await client.mutation(api.messages!.sendImage!, { storageId, author: "Ada" });
    expect(list.values.at(-1)?.[0]?.url).toMatch(/^http/);
    emulator.reset();
    await waitFor(() => list.values.at(-1)?.[0]?.url === null, { what: "the url to turn null" });
  });
});
