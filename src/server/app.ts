// The HTTP surface of one emulator, as a Node request handler and as an
// Express app. The hot Convex routes (/api/storage/*) are plain Node
// handlers, so a listening server answers them without Express's overhead;
// the Express app mounts the very same handlers, for supertest and users'
// own servers.
import type { IncomingMessage, ServerResponse } from "node:http";
// node:timers' own binding, not the global: test fake timers (vi.useFakeTimers) replace the
// global setImmediate, which would hold journal entries back until timers advance.
import { setImmediate as afterThisTick } from "node:timers";
import type { Express } from "express";
import { errors } from "../errors.js";
import type { StorageEmulator } from "../emulator.js";
import type { HttpRoute } from "../journal.js";
import { adminRouter } from "./admin.js";
import { answerPreflight, applyCors } from "./cors.js";
import { facts, pathOf, sendError, type Handler } from "./http-util.js";
import { handleAction } from "./actions.js";
import { handleServe } from "./serve.js";
import { handleUpload } from "./upload.js";
import { loadExpress } from "./express.js";

const UPLOAD_PATH = "/api/storage/upload";
const SERVE_PREFIX = "/api/storage/";

/** Records the request in the journal once its response is done (or the client left). */
export function journalRequest(emulator: StorageEmulator, req: IncomingMessage, res: ServerResponse, route: HttpRoute): void {
  const at = emulator.backend.now();
  const started = performance.now();
  const path = pathOf(req);
  // On a client abort the response closes before the handler has noted why;
  // recording a tick later lets it.
  res.once("close", () => afterThisTick(() => {
    const f = facts(res);
    emulator.journal.record({
      type: "http",
      route,
      method: req.method ?? "GET",
      path,
      status: res.writableFinished && !f.aborted ? res.statusCode : 0,
      bytesIn: f.bytesIn ?? 0,
      bytesOut: f.bytesOut ?? 0,
      ...(f.errorCode === undefined ? {} : { errorCode: f.errorCode }),
      ...(f.errorMessage === undefined ? {} : { errorMessage: f.errorMessage }),
      ...(f.storageId === undefined ? {} : { storageId: f.storageId }),
      at,
      durationMs: performance.now() - started,
    });
  }));
}

/** Answers everything under /api/: CORS, upload and serve. */
export function createApiHandler(emulator: StorageEmulator): Handler {
  return (req, res) => {
    const path = pathOf(req);
    const method = req.method ?? "GET";
    if (method === "OPTIONS") {
      journalRequest(emulator, req, res, "cors");
      answerPreflight(req, res);
      return;
    }
    applyCors(req, res);
    if (path === UPLOAD_PATH) {
      journalRequest(emulator, req, res, "upload");
      if (method === "POST") return handleUpload(emulator, req, res);
      return methodNotAllowed(res, method, "POST");
    }
    if (path.startsWith(SERVE_PREFIX) && !path.includes("/", SERVE_PREFIX.length)) {
      journalRequest(emulator, req, res, "serve");
      if (method === "GET" || method === "HEAD") return handleServe(emulator, req, res, path.slice(SERVE_PREFIX.length));
      return methodNotAllowed(res, method, "GET, HEAD");
    }
    journalRequest(emulator, req, res, "unknown");
    sendError(res, errors.routeNotFound(method, path));
  };
}

function methodNotAllowed(res: ServerResponse, method: string, allow: string): void {
  res.setHeader("Allow", allow);
  sendError(res, errors.methodNotAllowed(method, allow));
}

/** The Express app: /api (the handlers above), /_emulator admin routes, else 404. */
export function createApp(emulator: StorageEmulator, api: Handler = createApiHandler(emulator)): Express {
  const app = loadExpress()();
  app.disable("x-powered-by");
  app.set("etag", false);
  app.use("/api", (req, res) => {
    // Express strips the mount path; the handlers route on the full URL.
    req.url = req.originalUrl;
    void api(req, res);
  });
  if (emulator.adminEnabled) {
    app.use("/_emulator", (req, res, next) => {
      journalRequest(emulator, req, res, "admin");
      // The same CORS as /api, so a test page on another origin (examples/chat/web) can use them.
      if (req.method === "OPTIONS") return answerPreflight(req, res);
      applyCors(req, res);
      next();
    });
    app.use("/_emulator", adminRouter(emulator));
  }
  // Every other path: the app's HTTP actions (a Convex deployment's .site origin), else 404.
  app.use((req, res) => {
    const { actions } = emulator;
    if (actions) {
      journalRequest(emulator, req, res, "action");
      handleAction(actions, emulator.url, req, res).catch((error: unknown) => sendError(res, error));
      return;
    }
    journalRequest(emulator, req, res, "unknown");
    sendError(res, errors.routeNotFound(req.method, req.path));
  });
  return app;
}

/** The handler a listening server runs: /api straight to the handlers, the rest to Express. */
export function createServerHandler(emulator: StorageEmulator): Handler {
  const api = createApiHandler(emulator);
  // Built on the first request that needs it: a test that only uploads and
  // serves never pays for setting up Express.
  let app: Express | undefined;
  return (req, res) => {
    if ((req.url ?? "").startsWith("/api/")) return api(req, res);
    (app ??= createApp(emulator, api))(req, res);
  };
}
