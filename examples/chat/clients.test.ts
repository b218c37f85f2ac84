// The app's own Convex client against the emulator, in process, with this app's convex/
// folder unchanged. docs/clients.md shows this test verbatim.
import { expect, test } from "vitest";

// docs/clients.md: "In a test, in process"
import { ConvexHttpClient } from "convex/browser";
import { convexTest } from "convex-test";
import { createStorageEmulator } from "convex-storage-emulator";
import { connectConvexTest } from "convex-storage-emulator/convex-test";
import schema from "./convex/schema";
import { api } from "./convex/_generated/api";
const modules = import.meta.glob("./convex/**/*.ts");

test("the app's own client and the test see one database", async () => {
  const t = convexTest(schema, modules);
  await using emulator = createStorageEmulator();
  await connectConvexTest(t, emulator, { modules });
  const server = await emulator.listen({ port: 0 });

  const client = new ConvexHttpClient(server.url); // in a page: new ConvexReactClient(server.url)
  await client.mutation(api.messages.sendMessage, { body: "hello", author: "Ada" });
  expect(await client.query(api.messages.list, {})).toMatchObject([{ body: "hello", author: "Ada" }]);
  expect(await t.query(api.messages.list, {})).toHaveLength(1);
});
