// A whole Convex app on an emulator (`--convex DIR`, the vitest globalSetup):
// DIR's functions in a convex-test instance the emulator creates and connects,
// DIR/http.ts on the site origin, and reset() emptying the app's tables too.
import type { GenericSchema, SchemaDefinition } from "convex/server";
import { loadConvexDirectory } from "./loader/convex-dir.js";
import { connectConvexTest, type ConvexTestConnection } from "./convex-test.js";
import { createStorageEmulator, type StorageEmulator } from "./emulator.js";
import { errors } from "./errors.js";
import type { StorageEmulatorOptions } from "./options.js";

/** The part of convex-test's `t` the app uses: its functions and `run`. */
interface AppConvexTest {
  query: (ref: never, args: never) => Promise<unknown>;
  mutation: (ref: never, args: never) => Promise<unknown>;
  action: (ref: never, args: never) => Promise<unknown>;
  run: <T>(fn: (ctx: RunCtx) => Promise<T>) => Promise<T>;
}

/** What clearing needs of t.run's ctx (typed loosely: the app's data model is not known here). */
interface RunCtx {
  db: {
    query(table: string): { collect(): Promise<{ _id: string }[]> };
    delete(id: string): Promise<void>;
    system: { query(table: string): { collect(): Promise<Array<{ _id: string; state?: { kind: string } }>> } };
  };
  scheduler: { cancel(id: string): Promise<void> };
  storage: { delete(id: string): Promise<void> };
}

export interface ConvexApp {
  readonly emulator: StorageEmulator;
  /** The app's convex-test instance (convex-test's `t`), connected to `emulator`. */
  readonly t: unknown;
  readonly connection: ConvexTestConnection;
  /** The function modules found, relative to the directory. */
  readonly functionFiles: readonly string[];
  /** Whether DIR has an http.ts, now served on the site origin. */
  readonly hasHttp: boolean;
}

/** Loads the app in `dir` and connects it to a new emulator (`options` without http and run: DIR gives those). */
export async function startConvexApp(
  dir: string,
  options: Omit<StorageEmulatorOptions, "http" | "run"> = {},
): Promise<ConvexApp> {
  const app = await loadConvexDirectory(dir);
  let convexTest: (
    schema: SchemaDefinition<GenericSchema, boolean> | undefined,
    modules: Record<string, () => Promise<unknown>>,
  ) => AppConvexTest;
  try {
    ({ convexTest } = (await import("convex-test")) as unknown as { convexTest: typeof convexTest });
  } catch (error) {
    throw errors.convexNeedsConvexTest(error instanceof Error ? (error.message.split("\n")[0] ?? "") : String(error));
  }
  const t = convexTest(app.schema, app.modules);
  const emulator = createStorageEmulator({
    ...options,
    http: app.http,
    run: { query: t.query, mutation: t.mutation, action: t.action },
  });
  const connection = await connectConvexTest(t, emulator, { modules: app.modules, schema: app.schema });
  const tables = Object.keys(app.schema?.tables ?? {});
  emulator.gateway.onReset(() => clearDatabase(t, emulator, tables));
  return { emulator, t, connection, functionFiles: app.functionFiles, hasHttp: app.http !== undefined };
}

/**
 * Empties the app's tables in one transaction: every document of the schema's tables, every
 * pending scheduled function (cancelled; convex-test keeps their `_scheduled_functions`
 * documents, as the backend does), and every file with its `_storage` document.
 */
async function clearDatabase(t: AppConvexTest, emulator: StorageEmulator, tables: readonly string[]): Promise<void> {
  await t.run(async (ctx) => {
    for (const table of tables) {
      for (const doc of await ctx.db.query(table).collect()) await ctx.db.delete(doc._id);
    }
    for (const job of await ctx.db.system.query("_scheduled_functions").collect()) {
      if (job.state?.kind === "pending") await ctx.scheduler.cancel(job._id);
    }
    for (const file of await ctx.db.system.query("_storage").collect()) {
      // A document whose file the emulator no longer holds cannot be deleted through ctx.storage.
      if (emulator.file(file._id) !== null) await ctx.storage.delete(file._id);
    }
  });
}
