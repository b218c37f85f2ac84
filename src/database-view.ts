// What the admin routes show of a connected app's database (GET /_emulator/database):
// a leaf of types, shared by the runner that reads it (convex-test/runner.ts), the
// admin route that adds file links, and the remote handle that checks the answer.

/** One table: how many documents it holds and the newest of them. */
export interface DatabaseTable {
  /** The table's name; system tables start with "_" (`_storage`, `_scheduled_functions`). */
  readonly name: string;
  /** Every document the table holds, counted. */
  readonly count: number;
  /** The newest documents (at most the limit), newest first, in Convex's JSON encoding (`convexToJson`). */
  readonly documents: readonly Record<string, unknown>[];
  /** `_storage` only: where each listed document's file is, by its `_id` (absent when the emulator holds no such file). */
  readonly files?: Readonly<Record<string, DatabaseFileLink>>;
}

/** Where a `_storage` document's file is served and described. */
export interface DatabaseFileLink {
  /** The file's URL, as `ctx.storage.getUrl()` gives it. */
  readonly url: string;
  /** Its admin route (`GET /_emulator/files/<storageId>`). */
  readonly admin: string;
}

/** What a runner reads of its database: the tables it knows, and why not all, when it cannot list the app's own. */
export interface DatabaseContents {
  /** The newest documents per table: each table's `documents` holds at most this many. */
  readonly limit: number;
  readonly tables: readonly DatabaseTable[];
  /** Set when the app's own tables could not be listed (no schema): `tables` then holds the system tables only. */
  readonly reason?: string;
}

/** The answer of GET /_emulator/database. */
export type DatabaseView = { readonly connected: false } | ({ readonly connected: true } & DatabaseContents);
