// The HTTP surface of one emulator, on two origins like the local backend of
// `npx convex dev`: the cloud origin (Convex's storage protocol under /api in
// api/, the admin routes under /_emulator in admin/) and the site origin
// (every path to the HTTP actions, site.ts). Every route is a plain Node
// handler: a listening server never loads Express; the Express apps
// (emulator.app, siteApp) only carry the very same handlers, for supertest and
// users' own servers.
import type { Express } from "express";
import { errors, messages } from "../errors.js";
import { API_PREFIX, CLOUD_ACTIONS_PREFIX, adminUrl, fileUrl, isAdminPath, uploadUrl } from "../paths.js";
import { createAdminHandler } from "./admin/mount.js";
import { createApiHandler } from "./api/routes.js";
import { createClientApiHandler, createClientsUpgrade } from "./clients/mount.js";
import { loadExpress } from "./express.js";
import type { UpgradeHandler } from "./listen.js";
import { journalRequest, type ServerHost } from "./host.js";
import { pathOf, sendError, sendText, type Handler } from "./http-util.js";
import { handleCloudAction, createSiteHandler } from "./site.js";

/**
 * The handler the cloud server runs: /api to Convex's storage routes (and its client HTTP API while
 * functions are connected), /http to the HTTP actions, /_emulator to the admin routes, else 404.
 */
export function createServerHandler(host: ServerHost): Handler {
  const api = createApiHandler(host);
  const admin = createAdminHandler(host);
  const clients = createClientApiHandler(host);
  return (req, res) => {
    const path = pathOf(req);
    if (clients(req, res, path)) return;
    if (path.startsWith(API_PREFIX)) return api(req, res, path);
    if (path.startsWith(CLOUD_ACTIONS_PREFIX)) return handleCloudAction(host, req, res);
    if (admin !== undefined && isAdminPath(path)) return admin(req, res, path);
    journalRequest(host.gateway, req, res, "unknown");
    if (path === "/" && (req.method === "GET" || req.method === "HEAD")) {
      const origin = host.gateway.origin();
      const pointer = messages.rootPointer(
        uploadUrl(origin, "…"),
        fileUrl(origin, "<uuid>"),
        admin === undefined ? undefined : adminUrl(origin, "page"),
      );
      return sendText(res, 200, "text/plain; charset=utf-8", pointer);
    }
    sendError(res, errors.routeNotFound(req.method ?? "GET", path));
  };
}

/** The cloud server's WebSocket upgrades: Convex's sync protocol (server/clients/mount.ts). */
export function createCloudUpgrade(host: ServerHost): UpgradeHandler | undefined {
  return createClientsUpgrade(host);
}

/** The cloud origin as an Express app (supertest-ready): the listening server's own handler, mounted. */
export function createApp(host: ServerHost): Express {
  return expressAppOf(createServerHandler(host));
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
