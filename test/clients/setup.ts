// One emulator per test, connected to a convex-test instance of ./convex, listening on free ports.
import { convexTest } from "convex-test";
import { onTestFinished } from "vitest";
import { createStorageEmulator } from "convex-storage-emulator";
import { connectConvexTest } from "convex-storage-emulator/convex-test";
import schema from "./convex/schema";

export const modules = import.meta.glob("./convex/**/*.ts");

export async function setup(options: { modules?: boolean } = {}) {
  const emulator = createStorageEmulator();
  const t = convexTest(schema, modules);
  const connection = await connectConvexTest(t, emulator, options.modules === false ? {} : { modules });
  const server = await emulator.listen({ port: 0 });
  onTestFinished(async () => {
    await server.close();
    connection.disconnect();
  });
  return { emulator, t, url: server.url, connection };
}

/** An unsigned JWT with these claims (the emulator decodes tokens, it does not verify them). */
export function jwt(claims: Record<string, unknown>): string {
  const part = (value: unknown) => Buffer.from(JSON.stringify(value)).toString("base64url");
  return `${part({ alg: "none", typ: "JWT" })}.${part(claims)}.`;
}
