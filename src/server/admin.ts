// /_emulator/*: JSON routes for tests and humans. Never confused with Convex
// paths: nothing under /_emulator exists on a real deployment.
import type { IncomingMessage, ServerResponse } from "node:http";
import { errors } from "../errors.js";
import type { FaultSpec, PendingFault } from "../faults.js";
import type { BytePump, StoredFile } from "../file-store.js";
import type { ImageInfo } from "../image.js";
import { matchesFilter, type Journal, type JournalEntry } from "../journal.js";
import { ADMIN_MOUNT, ADMIN_ROUTES, matchRoute } from "../paths.js";
import { contentTypeForPath } from "../seed.js";
import { journalFilterOf, readJson } from "./admin-decode.js";
import { facts, pathOf, queryParam, sendError, sendJson } from "./http-util.js";
import { sendJournalEvents } from "./events.js";
import { sendPage, sendPageScript } from "./page.js";
import { parseContentType, readBody } from "./upload.js";

/** What the admin routes may do to an emulator: this, and nothing else. */
export interface AdminApi {
  files(): StoredFile[];
  /** A file by storage id or UUID, or null. */
  file(id: string): StoredFile | null;
  bytes(file: StoredFile): Uint8Array | null;
  fileUrl(file: StoredFile): string;
  delete(file: StoredFile): Promise<boolean>;
  /** Forgets every file, token, journal entry and fault. */
  reset(): Promise<void>;
  issueUploadUrl(): { uploadUrl: string; expiresAt: number };
  health(): { version: string; url: string; siteUrl: string; files: number; totalBytes: number };
  /** How long a seed body may stall before it is aborted (the upload route's limit). */
  readonly uploadIdleTimeoutMs: number;
  image(file: StoredFile): ImageInfo | null;
  /** Stores a fixture, like `emulator.seed()`, from a request body. */
  seed(body: BytePump, contentType: string | null): Promise<StoredFile>;
  journal: Pick<Journal, "entries" | "functionCalls" | "subscribe" | "clear">;
  /** Queues a fault; returns the pending ones. */
  queueFault(spec: FaultSpec): PendingFault[];
  pendingFaults(): PendingFault[];
  clearFaults(): void;
}

/** GET /_emulator/health: what scripts poll for readiness. */
function sendHealth(admin: AdminApi, res: ServerResponse): void {
  sendJson(res, 200, { ok: true, ...admin.health() });
}

type Params = Record<string, string>;
type AdminRoute = {
  readonly method: "GET" | "POST" | "DELETE";
  readonly path: string;
  readonly handle: (req: IncomingMessage, res: ServerResponse, params: Params) => void | Promise<void>;
};

/**
 * The admin routes as one plain Node handler (no Express: loading it costs ~4 MiB of heap that
 * every later major GC marks again, measured as 2x the mark-compacts during uploads). It answers
 * a request below ADMIN_MOUNT and returns true, or returns false when no route matches. GET
 * routes answer HEAD too. Guarding and journaling are the caller's (app.ts).
 */
export function adminRoutes(admin: AdminApi): (req: IncomingMessage, res: ServerResponse) => boolean {
  const describe = (file: StoredFile) => ({ ...file, url: admin.fileUrl(file), image: admin.image(file) });
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
    { method: "GET", path: ADMIN_ROUTES.health, handle: (_req, res) => sendHealth(admin, res) },
    { method: "GET", path: ADMIN_ROUTES.files, handle: (_req, res) => sendJson(res, 200, { files: admin.files().map(describe) }) },
    { method: "GET", path: ADMIN_ROUTES.file, handle: (_req, res, params) => sendJson(res, 200, describe(found(params))) },
    {
      method: "GET",
      path: ADMIN_ROUTES.fileBytes,
      handle: (_req, res, params) => {
        const file = found(params);
        const bytes = admin.bytes(file);
        if (bytes === null) throw errors.adminFileNotFound(file.storageId);
        res.statusCode = 200;
        res.setHeader("Content-Type", file.contentType ?? "application/octet-stream");
        res.setHeader("Content-Length", bytes.length);
        res.setHeader("Content-Disposition", `attachment; filename="${file.uuid}"`);
        facts(res).bytesOut = bytes.length;
        res.end(bytes);
      },
    },
    {
      method: "DELETE",
      path: ADMIN_ROUTES.file,
      handle: async (_req, res, params) => {
        const file = found(params);
        if (!(await admin.delete(file))) throw errors.adminFileNotFound(file.storageId);
        sendJson(res, 200, { deleted: file.storageId });
      },
    },
    { method: "POST", path: ADMIN_ROUTES.reset, handle: async (_req, res) => (await admin.reset(), ok(res)) },
    { method: "POST", path: ADMIN_ROUTES.uploadUrl, handle: (_req, res) => sendJson(res, 200, admin.issueUploadUrl()) },
    // The raw body becomes a file; with no Content-Type, `?name=` gives one from its extension.
    {
      method: "POST",
      path: ADMIN_ROUTES.seed,
      handle: async (req, res) => {
        const name = queryParam(req, "name");
        const contentType = parseContentType(req.headers["content-type"]) ?? (typeof name === "string" ? contentTypeForPath(name) : null);
        let received = 0;
        const body: BytePump = (write) => readBody(req, admin.uploadIdleTimeoutMs, (chunk) => (write(chunk), (received += chunk.byteLength)));
        const file = await admin.seed(body, contentType).finally(() => (facts(res).bytesIn = received));
        facts(res).storageId = file.storageId;
        sendJson(res, 200, { storageId: file.storageId });
      },
    },
    {
      method: "GET",
      path: ADMIN_ROUTES.journal,
      handle: (req, res) => {
        const filter = journalFilterOf(req);
        // The admin requests (a remote handle's own calls among them) are listed only when asked for.
        const wanted = (e: JournalEntry) => matchesFilter(e, filter) && (filter.route === "admin" || e.type !== "http" || e.route !== "admin");
        sendJson(res, 200, { entries: admin.journal.entries.filter(wanted) });
      },
    },
    { method: "DELETE", path: ADMIN_ROUTES.journal, handle: (_req, res) => (admin.journal.clear(), ok(res)) },
    // Convex's clients' calls of the app's functions (server/clients/), optionally of one path.
    { method: "GET", path: ADMIN_ROUTES.functionCalls, handle: (req, res) => sendJson(res, 200, { calls: admin.journal.functionCalls(queryParam(req, "path") ?? undefined) }) },
    { method: "GET", path: ADMIN_ROUTES.faults, handle: (_req, res) => sendJson(res, 200, { pending: onTheWire(admin.pendingFaults()) }) },
    {
      method: "POST",
      path: ADMIN_ROUTES.faults,
      handle: async (req, res) => {
        const spec = await readJson(req, "POST /_emulator/faults");
        if (typeof spec === "object" && spec !== null && "error" in spec && spec.error !== undefined && typeof spec.error !== "string") {
          throw errors.faultErrorNotString();
        }
        sendJson(res, 200, { pending: onTheWire(admin.queueFault(spec as FaultSpec)) });
      },
    },
    { method: "DELETE", path: ADMIN_ROUTES.faults, handle: (_req, res) => (admin.clearFaults(), ok(res)) },
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
