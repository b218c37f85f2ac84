// The admin room of the cloud origin: /_emulator/* behind the cross-site guard, each
// request journaled (but the live feed's own).
import type { IncomingMessage, ServerResponse } from "node:http";
import { errors } from "../../errors.js";
import { ADMIN_ANSWER_HEADER, ADMIN_MOUNT, ADMIN_ROUTES } from "../../paths.js";
import { VERSION } from "../../version.js";
import { journalRequest, type ServerHost } from "../host.js";
import { sendError } from "../http-util.js";
import { answerPreflight, applyCors } from "../cors.js";
import { judgeBrowserRequest, NO_EXTRA_ACCESS, type BrowserGuardConfig } from "../cross-site.js";
import { adminRoutes } from "./routes.js";

const EVENTS_PATH = ADMIN_MOUNT + ADMIN_ROUTES.events;

/** Answers a request below ADMIN_MOUNT; undefined when the host serves no admin routes. */
export function createAdminHandler(
  host: ServerHost,
): ((req: IncomingMessage, res: ServerResponse, path: string) => void) | undefined {
  const { admin, gateway } = host;
  if (admin === undefined) return undefined;
  const routes = adminRoutes(admin, gateway, host.uploadIdleTimeoutMs);
  // The url is read per request: it may change on listen().
  const guard = guardAdmin(() => ({ ...(host.browserAccess ?? NO_EXTRA_ACCESS), url: gateway.origin() }));
  return (req, res, path) => {
    // The journal's own live feed is not a request worth listing (it would list itself, cut off).
    if (path !== EVENTS_PATH) journalRequest(gateway, req, res, "admin");
    // The mark a remote handle checks: this answer is the emulator's, not a proxy's fallback page.
    res.setHeader(ADMIN_ANSWER_HEADER, VERSION);
    // Host check, CORS for loopback and configured origins, no cross-site writes (cross-site.ts).
    guard(req, res, () => {
      if (!routes(req, res)) sendError(res, errors.routeNotFound(req.method ?? "GET", path));
    });
  };
}

/** The guard of every admin request (server/cross-site.ts), with CORS for the origins it allows; `config` is read per request (the url may change on listen). */
function guardAdmin(config: () => BrowserGuardConfig) {
  return (req: IncomingMessage, res: ServerResponse, next: () => void): void => {
    const verdict = judgeBrowserRequest(req.method ?? "GET", req.headers, config());
    res.setHeader("Vary", "Origin");
    if (!verdict.ok) return sendError(res, verdict.error);
    // Here any Origin is an allowed one (or there is none): the usual CORS answer.
    if (verdict.preflight) return answerPreflight(req, res);
    if (verdict.corsOrigin !== undefined) applyCors(req, res);
    next();
  };
}
