// /_emulator/*: JSON routes for tests and humans. Never confused with Convex
// paths: nothing under /_emulator exists on a real deployment.
import type { ServerResponse } from "node:http";
import type { NextFunction, Request, Response, Router } from "express";
import { errors } from "../errors.js";
import type { FaultSpec, PendingFault } from "../faults.js";
import type { BytePump, StoredFile } from "../file-store.js";
import type { ImageInfo } from "../image.js";
import { matchesFilter, type Journal, type JournalEntry } from "../journal.js";
import { ADMIN_ROUTES } from "../paths.js";
import { contentTypeForPath } from "../seed.js";
import { journalFilterOf, readJson } from "./admin-decode.js";
import { loadExpress } from "./express.js";
import { facts, queryParam, sendError, sendJson } from "./http-util.js";
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
  reset(): void;
  issueUploadUrl(): { uploadUrl: string; expiresAt: number };
  health(): { version: string; url: string; files: number; totalBytes: number };
  /** How long a seed body may stall before it is aborted (the upload route's limit). */
  readonly uploadIdleTimeoutMs: number;
  image(file: StoredFile): ImageInfo | null;
  /** Stores a fixture, like `emulator.seed()`, from a request body. */
  seed(body: BytePump, contentType: string | null): Promise<StoredFile>;
  journal: Pick<Journal, "entries" | "subscribe" | "clear">;
  /** Queues a fault; returns the pending ones. */
  queueFault(spec: FaultSpec): PendingFault[];
  pendingFaults(): PendingFault[];
  clearFaults(): void;
}

/** GET /_emulator/health. Also answered without Express (app.ts): it is what scripts poll for readiness. */
export function sendHealth(admin: AdminApi, res: ServerResponse): void {
  sendJson(res, 200, { ok: true, ...admin.health() });
}

export function adminRouter(admin: AdminApi): Router {
  const router = loadExpress().Router();
  const describe = (file: StoredFile) => ({ ...file, url: admin.fileUrl(file), image: admin.image(file) });
  const found = (req: Request): StoredFile => {
    const id = String(req.params.storageId);
    const file = admin.file(id);
    if (file === null) throw errors.adminFileNotFound(id);
    return file;
  };
  const route = (handler: (req: Request, res: Response) => void | Promise<void>) =>
    async (req: Request, res: Response) => {
      try {
        await handler(req, res);
      } catch (error) {
        sendError(res, error);
      }
    };

  router.get(ADMIN_ROUTES.page, sendPage);
  router.get(ADMIN_ROUTES.pageScript, sendPageScript);
  router.get(ADMIN_ROUTES.health, route((_req, res) => sendHealth(admin, res)));
  router.get(ADMIN_ROUTES.files, route((_req, res) => sendJson(res, 200, { files: admin.files().map(describe) })));
  router.get(ADMIN_ROUTES.file, route((req, res) => sendJson(res, 200, describe(found(req)))));
  router.get(ADMIN_ROUTES.fileBytes, route((req, res) => {
    const file = found(req);
    const bytes = admin.bytes(file);
    if (bytes === null) throw errors.adminFileNotFound(file.storageId);
    res.status(200).setHeader("Content-Type", file.contentType ?? "application/octet-stream");
    res.setHeader("Content-Length", bytes.length);
    res.setHeader("Content-Disposition", `attachment; filename="${file.uuid}"`);
    facts(res).bytesOut = bytes.length;
    res.end(bytes);
  }));
  router.delete(ADMIN_ROUTES.file, route(async (req, res) => {
    const file = found(req);
    if (!(await admin.delete(file))) throw errors.adminFileNotFound(file.storageId);
    sendJson(res, 200, { deleted: file.storageId });
  }));
  router.post(ADMIN_ROUTES.reset, route((_req, res) => {
    admin.reset();
    sendJson(res, 200, { ok: true });
  }));
  router.post(ADMIN_ROUTES.uploadUrl, route((_req, res) => sendJson(res, 200, admin.issueUploadUrl())));
  // The raw body becomes a file; with no Content-Type, `?name=` gives one from its extension.
  router.post(ADMIN_ROUTES.seed, route(async (req, res) => {
    const name = queryParam(req, "name");
    const contentType = parseContentType(req.headers["content-type"]) ?? (typeof name === "string" ? contentTypeForPath(name) : null);
    let received = 0;
    const body: BytePump = (write) => readBody(req, admin.uploadIdleTimeoutMs, (chunk) => (write(chunk), (received += chunk.byteLength)));
    const file = await admin.seed(body, contentType).finally(() => (facts(res).bytesIn = received));
    facts(res).storageId = file.storageId;
    sendJson(res, 200, { storageId: file.storageId });
  }));
  router.get(ADMIN_ROUTES.journal, route((req, res) => {
    const filter = journalFilterOf(req);
    // The admin requests (a remote handle's own calls among them) are listed only when asked for.
    const wanted = (e: JournalEntry) => matchesFilter(e, filter) && (filter.route === "admin" || e.type !== "http" || e.route !== "admin");
    sendJson(res, 200, { entries: admin.journal.entries.filter(wanted) });
  }));
  router.delete(ADMIN_ROUTES.journal, route((_req, res) => {
    admin.journal.clear();
    sendJson(res, 200, { ok: true });
  }));
  router.get(ADMIN_ROUTES.faults, route((_req, res) => sendJson(res, 200, { pending: onTheWire(admin.pendingFaults()) })));
  router.post(ADMIN_ROUTES.faults, route(async (req, res) => {
    const spec = await readJson(req, "POST /_emulator/faults");
    if (typeof spec === "object" && spec !== null && "error" in spec && spec.error !== undefined && typeof spec.error !== "string") {
      throw errors.faultErrorNotString();
    }
    sendJson(res, 200, { pending: onTheWire(admin.queueFault(spec as FaultSpec)) });
  }));
  router.delete(ADMIN_ROUTES.faults, route((_req, res) => {
    admin.clearFaults();
    sendJson(res, 200, { ok: true });
  }));
  router.get(ADMIN_ROUTES.events, (req, res) => sendJournalEvents(admin.journal, req, res));
  // Express cannot decode a malformed %-escape in :storageId (a URIError, before any route runs):
  // no stored file has such an id. Errors are JSON here too, never Express's HTML page.
  router.use((error: unknown, req: Request, res: Response, _next: NextFunction) => {
    const id = /^\/files\/([^/]*)/.exec(req.path)?.[1];
    sendError(res, error instanceof URIError && id !== undefined ? errors.adminFileNotFound(id) : error);
  });
  return router;
}

/** A fault queued in process with an Error object is listed with its message. */
function onTheWire(pending: PendingFault[]): PendingFault[] {
  return pending.map((fault) => (fault.error instanceof Error ? { ...fault, error: fault.error.message } : fault));
}
