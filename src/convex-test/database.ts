// Reads a convex-test instance's database for the admin page (GET /_emulator/database):
// the newest documents of each table, in one read-only t.run. convex-test has no way to
// list the tables of an instance made without a schema, so the app's tables come from the
// schema (given, or the module map's schema.ts); the system tables are always read.
import { convexToJson, type Value } from "convex/values";
import type { DatabaseContents, DatabaseTable } from "../database-view.js";

/** What a read needs of t.run's ctx (typed loosely: the app's data model is not known here). */
interface ReadCtx {
  db: {
    query(table: string): { collect(): Promise<Record<string, Value>[]> };
    system: { query(table: string): { collect(): Promise<Record<string, Value>[]> } };
  };
}

export type RunInInstance = <T>(fn: (ctx: ReadCtx) => Promise<T>) => Promise<T>;

/** The system tables an app can read (ctx.db.system), listed after its own. */
const SYSTEM_TABLES = ["_storage", "_scheduled_functions"];

export const NO_SCHEMA_REASON =
  "The app's tables are unknown: the convex-test instance was connected without its schema (pass `schema` to connectConvexTest, or a module map with schema.ts). Only the system tables are listed.";

/** The schema's table names, from a schema definition (`defineSchema(...)`) or a module's exports holding one as default. */
export function tablesOfSchema(schema: unknown): string[] | undefined {
  const tables = (schema as { tables?: unknown } | null | undefined)?.tables;
  return typeof tables === "object" && tables !== null ? Object.keys(tables) : undefined;
}

/** Every table's count and newest `limit` documents (newest first); `tables` undefined: the system tables only, and why. */
export async function readTables(
  run: RunInInstance,
  tables: readonly string[] | undefined,
  limit: number,
): Promise<DatabaseContents> {
  // The documents leave t.run as they are (it encodes its result itself), and are encoded here.
  const read = await run(async (ctx) => {
    const found: [string, number, Record<string, Value>[]][] = [];
    const add = (name: string, docs: Record<string, Value>[]) =>
      found.push([name, docs.length, docs.slice(-limit).reverse()]);
    for (const name of tables ?? []) add(name, await ctx.db.query(name).collect());
    for (const name of SYSTEM_TABLES) add(name, await ctx.db.system.query(name).collect());
    return found;
  });
  const encoded = read.map(([name, count, docs]): DatabaseTable => ({
    name,
    count,
    documents: docs.map((doc) => convexToJson(doc) as Record<string, unknown>),
  }));
  return tables === undefined ? { limit, tables: encoded, reason: NO_SCHEMA_REASON } : { limit, tables: encoded };
}
