// /_emulator/*: JSON routes for tests and humans. Never confused with Convex
// paths: nothing under /_emulator exists on a real deployment.
import type { IncomingMessage, ServerResponse } from "node:http";
import { errors } from "../../errors.js";
import type { FaultSpec, PendingFault } from "../../faults.js";
import type { BytePump, StoredFile } from "../../file-store.js";
import type { Gateway } from "../../gateway.js";
import { matchesFilter, type JournalEntry } from "../../journal.js";
import { ADMIN_MOUNT, ADMIN_ROUTES, matchRoute } from "../../paths.js";
import { contentTypeForPath } from "../../seed.js";
import { VERSION } from "../../version.js";
import type { AdminHost } from "../host.js";
import { readBody } from "../body.js";
import { parseContentType, pathOf, queryParam, requestNotes, sendError, sendJson } from "../http-util.js";
import { readDatabaseView } from "./database.js";
import { journalFilterOf, readJson } from "./decode.js";
import { sendJournalEvents } from "./events.js";
import { sendPage, sendPageScript } from "./page.js";

type Params = Record<string, string>;
type AdminRoute = {
  readonly method: "GET" | "POST" | "DELETE";
  readonly path: string;
  readonly handle: (req: IncomingMessage, res: ServerResponse, params: Params) => void | Promise<void>;
};

/**
 * The admin routes as one plain Node handler (no Express: see express.ts). It answers
 * a request below ADMIN_MOUNT and returns true, or returns false when no route matches. GET
 * routes answer HEAD too. Guarding and journaling are the caller's (mount.ts).
 */
export function adminRoutes(
  admin: AdminHost,
  gateway: Gateway,
  idleMs: number,
): (req: IncomingMessage, res: ServerResponse) => boolean {
  const describe = (file: StoredFile) => ({ ...file, url: gateway.fileUrl(file), image: admin.image(file.uuid) });
  const found = ({ storageId: raw = "" }: Params): StoredFile => {
    let id: string;
    try {
      id = decodeURIComponent(raw);
    } catch {
      // A malformed %-escape: no stored file has such an id.
      throw errors.adminFileNotFound(raw);
    }
    const file = admin.file(id);
    if (file === null) throw errors.adminFileNotFound(id);
    return file;
  };
  const ok = (res: ServerResponse) => sendJson(res, 200, { ok: true });
  const routes: AdminRoute[] = [
    { method: "GET", path: ADMIN_ROUTES.page, handle: sendPage },
    { method: "GET", path: ADMIN_ROUTES.pageScript, handle: sendPageScript },
    {
      method: "GET",
      path: ADMIN_ROUTES.health,
      // What scripts poll for readiness.
      handle: (_req, res) => {
        const files = admin.files();
        const totalBytes = files.reduce((sum, file) => sum + file.size, 0);
        sendJson(res, 200, {
          ok: true,
          version: VERSION,
          url: admin.url,
          siteUrl: admin.siteUrl,
          files: files.length,
          totalBytes,
        });
      },
    },
    {
      method: "GET",
      path: ADMIN_ROUTES.files,
      handle: (_req, res) => sendJson(res, 200, { files: admin.files().map(describe) }),
    },
    {
      method: "GET",
      path: ADMIN_ROUTES.file,
      handle: (_req, res, params) => sendJson(res, 200, describe(found(params))),
    },
    {
      method: "GET",
      path: ADMIN_ROUTES.fileBytes,
      handle: (_req, res, params) => {
        const file = found(params);
        const bytes = admin.bytes(file.uuid);
        if (bytes === null) throw errors.adminFileNotFound(file.storageId);
        res.statusCode = 200;
        res.setHeader("Content-Type", file.contentType ?? "application/octet-stream");
        res.setHeader("Content-Length", bytes.length);
        res.setHeader("Content-Disposition", `attachment; filename="${file.uuid}"`);
        requestNotes(res).bytesOut = bytes.length;
        res.end(bytes);
      },
    },
    {
      method: "DELETE",
      path: ADMIN_ROUTES.file,
      handle: async (_req, res, params) => {
        const file = found(params);
        if (!(await gateway.delete(file))) throw errors.adminFileNotFound(file.storageId);
        sendJson(res, 200, { deleted: file.storageId });
      },
    },
    { method: "POST", path: ADMIN_ROUTES.reset, handle: async (_req, res) => (await admin.reset(), ok(res)) },
    {
      method: "POST",
      path: ADMIN_ROUTES.uploadUrl,
      handle: (_req, res) => sendJson(res, 200, gateway.issueUploadUrl()),
    },
    // The raw body becomes a file; with no Content-Type, `?name=` gives one from its extension.
    {
      method: "POST",
      path: ADMIN_ROUTES.seed,
      handle: async (req, res) => {
        const name = queryParam(req, "name");
        const contentType =
          parseContentType(req.headers["content-type"]) ?? (typeof name === "string" ? contentTypeForPath(name) : null);
        let received = 0;
        const body: BytePump = (write) =>
          readBody(req, idleMs, (chunk) => (write(chunk), (received += chunk.byteLength)));
        const file = await gateway.seed(body, contentType).finally(() => (requestNotes(res).bytesIn = received));
        requestNotes(res).storageId = file.storageId;
        sendJson(res, 200, { storageId: file.storageId });
      },
    },
    {
      method: "GET",
      path: ADMIN_ROUTES.journal,
      handle: (req, res) => {
        const filter = journalFilterOf(req);
        // The admin requests (a remote handle's own calls among them) are listed only when asked for.
        const wanted = (e: JournalEntry) =>
          matchesFilter(e, filter) && (filter.route === "admin" || e.type !== "http" || e.route !== "admin");
        sendJson(res, 200, { entries: admin.journal.entries.filter(wanted) });
      },
    },
    { method: "DELETE", path: ADMIN_ROUTES.journal, handle: (_req, res) => (admin.journal.clear(), ok(res)) },
    // Convex's clients' calls of the app's functions (server/clients/), optionally of one path.
    {
      method: "GET",
      path: ADMIN_ROUTES.functionCalls,
      handle: (req, res) =>
        sendJson(res, 200, { calls: admin.journal.functionCalls(queryParam(req, "path") ?? undefined) }),
    },
    // The connected app's tables and newest documents (read-only); `{ connected: false }` without one.
    {
      method: "GET",
      path: ADMIN_ROUTES.database,
      handle: async (_req, res) => sendJson(res, 200, await readDatabaseView(admin, gateway)),
    },
    {
      method: "GET",
      path: ADMIN_ROUTES.faults,
      handle: (_req, res) => sendJson(res, 200, { pending: onTheWire(admin.faults.pending()) }),
    },
    {
      method: "POST",
      path: ADMIN_ROUTES.faults,
      handle: async (req, res) => {
        const spec = await readJson(req, "POST /_emulator/faults");
        if (
          typeof spec === "object" &&
          spec !== null &&
          "error" in spec &&
          spec.error !== undefined &&
          typeof spec.error !== "string"
        ) {
          throw errors.faultErrorNotString();
        }
        sendJson(res, 200, { pending: onTheWire(admin.faults.next(spec as FaultSpec).pending()) });
      },
    },
    { method: "DELETE", path: ADMIN_ROUTES.faults, handle: (_req, res) => (admin.faults.clear(), ok(res)) },
    { method: "GET", path: ADMIN_ROUTES.events, handle: (req, res) => sendJournalEvents(admin.journal, req, res) },
  ];

  return (req, res) => {
    const path = pathOf(req).slice(ADMIN_MOUNT.length) || "/";
    const method = req.method === "HEAD" ? "GET" : req.method;
    for (const route of routes) {
      if (route.method !== method) continue;
      const params = matchRoute(route.path, path);
      if (params === null) continue;
      // Errors are JSON answers, sync or async (never a crash, never an HTML page).
      void (async () => route.handle(req, res, params))().catch((error: unknown) => sendError(res, error));
      return true;
    }
    return false;
  };
}

/** A fault queued in process with an Error object is listed with its message. */
function onTheWire(pending: PendingFault[]): PendingFault[] {
  return pending.map((fault) => (fault.error instanceof Error ? { ...fault, error: fault.error.message } : fault));
}
