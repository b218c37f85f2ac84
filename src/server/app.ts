// The HTTP surface of one emulator, on two origins like the local backend of
// `npx convex dev`: the cloud origin (storage under /api, admin under
// /_emulator) and the site origin (every path to the HTTP actions). Every
// route is a plain Node handler: a listening server never loads Express; the
// Express apps (emulator.app, siteApp) only carry the very same handlers, for
// supertest and users' own servers. Routes decode a request, call the
// gateway, encode the answer.
import type { IncomingMessage, ServerResponse } from "node:http";
// node:timers' own binding, not the global: test fake timers (vi.useFakeTimers) replace the
// global setImmediate, which would hold journal entries back until timers advance.
import { setImmediate as afterThisTick } from "node:timers";
import type { Express } from "express";
import { errors, messages } from "../errors.js";
import type { Gateway } from "../gateway.js";
import type { HttpActions } from "../http-actions.js";
import type { HttpRoute, RequestOutcome } from "../journal.js";
import { ADMIN_MOUNT, ADMIN_ROUTES, API_PREFIX, UPLOAD_PATH, adminUrl, fileIdOfPath, fileUrl, isAdminPath, uploadUrl } from "../paths.js";
import { handleAction } from "./actions.js";
import { adminRoutes, type AdminApi } from "./admin.js";
import { guardAdmin, NO_EXTRA_ACCESS, type AdminAccess } from "./admin-guard.js";
import { answerPreflight, applyCors } from "./cors.js";
import { loadExpress } from "./express.js";
import { facts, pathOf, sendError, sendText, type Handler } from "./http-util.js";
import { handleServe } from "./serve.js";
import { handleUpload } from "./upload.js";

/** What the server needs from its emulator. */
export interface ServerHost {
  readonly gateway: Gateway;
  readonly actions: HttpActions;
  /** The admin routes' view of the emulator; undefined when they are not served. */
  readonly admin: AdminApi | undefined;
  /** Origins and hosts the admin routes accept besides loopback (default: none). */
  readonly adminAccess?: AdminAccess;
  /** The site origin HTTP actions see in `request.url`. */
  siteOrigin(): string;
}

/** Records the request in the journal once its response is done (or the client left). */
export function journalRequest(gateway: Gateway, req: IncomingMessage, res: ServerResponse, route: HttpRoute): void {
  const record = gateway.startRequest(route, req.method ?? "GET", pathOf(req));
  // On a client abort the response closes before the handler has noted why;
  // recording a tick later lets it. ('close' comes once: no once wrapper.)
  res.on("close", () => afterThisTick(() => record(outcomeOf(res))));
}

/** What the handler noted, as a journal outcome (read field by field: no rest or spread copies). */
function outcomeOf(res: ServerResponse): RequestOutcome {
  const { aborted, bytesIn, bytesOut, errorCode, errorMessage, storageId } = facts(res);
  return {
    status: res.writableFinished && !aborted ? res.statusCode : 0,
    bytesIn,
    // Routes that answer through Express's res.send() leave no count: its Content-Length is one.
    bytesOut: bytesOut ?? Number(res.getHeader("content-length") ?? 0),
    errorCode,
    errorMessage,
    storageId,
  };
}

/** Answers everything under /api/: CORS, upload and serve. `path` is the request's, without its query. */
function createApiHandler({ gateway }: ServerHost): (req: IncomingMessage, res: ServerResponse, path: string) => void | Promise<void> {
  return (req, res, path) => {
    const method = req.method ?? "GET";
    if (method === "OPTIONS") {
      journalRequest(gateway, req, res, "cors");
      answerPreflight(req, res);
      return;
    }
    applyCors(req, res);
    if (path === UPLOAD_PATH) {
      journalRequest(gateway, req, res, "upload");
      if (method === "POST") return handleUpload(gateway, req, res);
      return methodNotAllowed(res, method, "POST");
    }
    const fileId = fileIdOfPath(path);
    if (fileId !== null) {
      journalRequest(gateway, req, res, "serve");
      if (method === "GET" || method === "HEAD") return handleServe(gateway, req, res, fileId);
      return methodNotAllowed(res, method, "GET,HEAD");
    }
    journalRequest(gateway, req, res, "unknown");
    sendError(res, errors.routeNotFound(method, path));
  };
}

/**
 * Fidelity: tokio-rs/axum axum-v0.8.8 axum/src/routing/method_routing.rs: the method router's
 * fallback is a bare 405, empty body, `Allow` joined with "," (the journal still gets the error).
 */
function methodNotAllowed(res: ServerResponse, method: string, allow: string): void {
  const error = errors.methodNotAllowed(method, allow);
  Object.assign(facts(res), { errorCode: error.code, errorMessage: error.message, bytesOut: 0 });
  res.statusCode = error.status;
  res.setHeader("Allow", allow);
  res.setHeader("Content-Length", 0);
  res.end();
}

/** The cloud origin as an Express app (supertest-ready): the listening server's own handler, mounted. */
export function createApp(host: ServerHost): Express {
  return expressAppOf(createServerHandler(host));
}

/**
 * The site origin: every path, /api/... included, goes to the HTTP actions, and no CORS
 * is added (the actions set their own). Fidelity: get-convex/convex-backend
 * crates/local_backend/src/proxy.rs forwards every path to /http/*, which router.rs nests
 * after its CORS layer.
 */
export function createSiteHandler(host: ServerHost): Handler {
  const { gateway, actions } = host;
  return (req, res) => {
    journalRequest(gateway, req, res, actions.mounted ? "action" : "unknown");
    return handleAction(actions, host.siteOrigin(), req, res).catch((error: unknown) => sendError(res, error));
  };
}

/** The site origin as an Express app (supertest-ready). */
export function createSiteApp(host: ServerHost): Express {
  return expressAppOf(createSiteHandler(host));
}

/** A handler as an Express app: Express only carries it (supertest, a user's own server). */
function expressAppOf(handler: Handler): Express {
  const app = loadExpress()();
  app.disable("x-powered-by");
  app.set("etag", false);
  app.use((req, res) => void handler(req, res));
  return app;
}

/**
 * The handler the cloud server runs, all plain Node: /api to the storage handlers, /_emulator
 * to the admin routes behind their guard, anything else 404. Express is never loaded here.
 */
export function createServerHandler(host: ServerHost): Handler {
  const { gateway } = host;
  const api = createApiHandler(host);
  const guard = adminGuardOf(host);
  const admin = host.admin === undefined ? undefined : adminRoutes(host.admin);
  return (req, res) => {
    const path = pathOf(req);
    if (path.startsWith(API_PREFIX)) return api(req, res, path);
    if (admin !== undefined && isAdminPath(path)) {
      // The journal's own live feed is not a request worth listing (it would list itself, cut off).
      if (path !== EVENTS_PATH) journalRequest(gateway, req, res, "admin");
      // Host check, CORS for loopback and configured origins, no cross-site writes (admin-guard.ts).
      return guard(req, res, () => {
        if (!admin(req, res)) sendError(res, errors.routeNotFound(req.method ?? "GET", path));
      });
    }
    journalRequest(gateway, req, res, "unknown");
    if (path === "/" && (req.method === "GET" || req.method === "HEAD")) {
      const origin = gateway.origin();
      const pointer = messages.rootPointer(uploadUrl(origin, "…"), fileUrl(origin, "<uuid>"), admin === undefined ? undefined : adminUrl(origin, "page"));
      return sendText(res, 200, "text/plain; charset=utf-8", pointer);
    }
    sendError(res, errors.routeNotFound(req.method ?? "GET", path));
  };
}

const EVENTS_PATH = ADMIN_MOUNT + ADMIN_ROUTES.events;

/** The admin routes' guard (admin-guard.ts); the url is read per request (it may change on listen). */
function adminGuardOf(host: ServerHost) {
  return guardAdmin(() => ({ ...(host.adminAccess ?? NO_EXTRA_ACCESS), url: host.gateway.origin() }));
}
