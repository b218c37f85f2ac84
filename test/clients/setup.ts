// One emulator per test, connected to a convex-test instance of ./convex, listening on free ports.
import { ConvexClient } from "convex/browser";
import { convexTest } from "convex-test";
import { WebSocket } from "ws";
import { onTestFinished } from "vitest";
import { createStorageEmulator } from "convex-storage-emulator";
import { connectConvexTest } from "convex-storage-emulator/convex-test";
import schema from "./convex/schema";

const modules = import.meta.glob("./convex/**/*.ts");

/** `modules: false`: connect without the module map; `authConfig`: the default export of a convex/auth.config.ts. */
export async function setup(options: { modules?: boolean; authConfig?: unknown } = {}) {
  const emulator = createStorageEmulator();
  const app =
    options.authConfig === undefined
      ? modules
      : { ...modules, "./convex/auth.config.ts": async () => ({ default: options.authConfig }) };
  const t = convexTest(schema, app);
  const connection = await connectConvexTest(t, emulator, options.modules === false ? {} : { modules: app });
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

/** A ConvexClient on the emulator (ws for Node 20, which has no global WebSocket), closed after the test. */
export function wsClient(url: string, options: { auth?: string } = {}): ConvexClient {
  const client = new ConvexClient(url, {
    webSocketConstructor: WebSocket as unknown as typeof globalThis.WebSocket,
    logger: false,
    unsavedChangesWarning: false,
  });
  if (options.auth !== undefined) {
    const token = options.auth;
    client.setAuth(async () => token);
  }
  onTestFinished(() => client.close());
  return client;
}

/** The values a subscription delivered, in order. */
export function subscribe<T>(
  client: ConvexClient,
  query: Parameters<ConvexClient["onUpdate"]>[0],
  args: Record<string, unknown>,
): { values: T[]; errors: Error[] } {
  const seen = { values: [] as T[], errors: [] as Error[] };
  client.onUpdate(
    query,
    args,
    (value) => seen.values.push(value as T),
    (error) => seen.errors.push(error),
  );
  return seen;
}
