// GET /_emulator/database: the connected app's tables and their newest documents,
// read-only, each `_storage` document linked to its file (URL and admin route).
// Bounded per table, so a big database cannot make the answer (or the page) huge.
import type { DatabaseTable, DatabaseView } from "../../database-view.js";
import type { Gateway } from "../../gateway.js";
import { ADMIN_MOUNT, ADMIN_ROUTES } from "../../paths.js";
import type { AdminHost } from "../host.js";

/** The newest documents listed per table (each table's count says how many it holds). */
const DOCUMENTS_PER_TABLE = 100;

export async function readDatabaseView(admin: AdminHost, gateway: Gateway): Promise<DatabaseView> {
  const view = await admin.clients.readDatabase(DOCUMENTS_PER_TABLE);
  if (!view.connected) return view;
  return {
    ...view,
    tables: view.tables.map((table) => (table.name === "_storage" ? withFileLinks(table, admin, gateway) : table)),
  };
}

function withFileLinks(table: DatabaseTable, admin: AdminHost, gateway: Gateway): DatabaseTable {
  const files: Record<string, { url: string; admin: string }> = {};
  for (const doc of table.documents) {
    const id = doc._id;
    const file = typeof id === "string" ? admin.file(id) : null;
    if (typeof id !== "string" || file === null) continue;
    const adminPath = ADMIN_ROUTES.file.replace(":storageId", encodeURIComponent(id));
    files[id] = { url: gateway.fileUrl(file), admin: `${gateway.origin()}${ADMIN_MOUNT}${adminPath}` };
  }
  return { ...table, files };
}
