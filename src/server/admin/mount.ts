// The admin room of the cloud origin: /_emulator/* behind its guard, each
// request journaled (but the live feed's own).
import type { IncomingMessage, ServerResponse } from "node:http";
import { errors } from "../../errors.js";
import { ADMIN_ANSWER_HEADER, ADMIN_MOUNT, ADMIN_ROUTES } from "../../paths.js";
import { VERSION } from "../../version.js";
import { journalRequest, type ServerHost } from "../host.js";
import { sendError } from "../http-util.js";
import { guardAdmin, NO_EXTRA_ACCESS } from "./guard.js";
import { adminRoutes } from "./routes.js";

const EVENTS_PATH = ADMIN_MOUNT + ADMIN_ROUTES.events;

/** Answers a request below ADMIN_MOUNT; undefined when the host serves no admin routes. */
export function createAdminHandler(host: ServerHost): ((req: IncomingMessage, res: ServerResponse, path: string) => void) | undefined {
  const { admin, gateway } = host;
  if (admin === undefined) return undefined;
  const routes = adminRoutes(admin, gateway, host.uploadIdleTimeoutMs);
  // The url is read per request: it may change on listen().
  const guard = guardAdmin(() => ({ ...(host.adminAccess ?? NO_EXTRA_ACCESS), url: gateway.origin() }));
  return (req, res, path) => {
    // The journal's own live feed is not a request worth listing (it would list itself, cut off).
    if (path !== EVENTS_PATH) journalRequest(gateway, req, res, "admin");
    // The mark a remote handle checks: this answer is the emulator's, not a proxy's fallback page.
    res.setHeader(ADMIN_ANSWER_HEADER, VERSION);
    // Host check, CORS for loopback and configured origins, no cross-site writes (guard.ts).
    guard(req, res, () => {
      if (!routes(req, res)) sendError(res, errors.routeNotFound(req.method ?? "GET", path));
    });
  };
}
