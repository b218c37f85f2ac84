// The clients room of the cloud origin: Convex's client HTTP API and sync
// WebSocket, while functions are connected, behind the cross-site guard. They
// run the app's queries and mutations with no secret in the request, so, unlike
// the storage routes, a page of another site must not reach them (a WebSocket is
// not covered by CORS at all). Loopback pages, the emulator's own and origins
// allowed with --cors-origin keep working; Node's clients send no Origin.
import type { IncomingMessage, ServerResponse } from "node:http";
import type { Duplex } from "node:stream";
import { applyCors } from "../cors.js";
import { judgeBrowserRequest, NO_EXTRA_ACCESS, type BrowserGuardConfig } from "../cross-site.js";
import { journalRequest, type ServerHost } from "../host.js";
import { sendError } from "../http-util.js";
import type { UpgradeHandler } from "../listen.js";
import { handleClientApi, isClientApiPath } from "./http-api.js";
import { createSyncUpgrade } from "./sync-server.js";

const guardConfig =
  (host: ServerHost): (() => BrowserGuardConfig) =>
  () => ({ ...(host.browserAccess ?? NO_EXTRA_ACCESS), url: host.gateway.origin() });

/**
 * Answers a client API request and returns true, or returns false when the path is not one or
 * no functions are connected (preflights stay the storage routes': Convex's CORS for all of /api).
 */
export function createClientApiHandler(
  host: ServerHost,
): (req: IncomingMessage, res: ServerResponse, path: string) => boolean {
  const { clients } = host;
  const config = guardConfig(host);
  return (req, res, path) => {
    if (clients?.connected !== true || req.method === "OPTIONS" || !isClientApiPath(path)) return false;
    journalRequest(host.gateway, req, res, "function");
    res.setHeader("Vary", "Origin");
    const verdict = judgeBrowserRequest(req.method ?? "GET", req.headers, config());
    if (!verdict.ok) {
      // The body is not read: the connection closes once the answer is out.
      res.setHeader("Connection", "close");
      sendError(res, verdict.error);
      return true;
    }
    applyCors(req, res);
    void handleClientApi(clients, req, res, path);
    return true;
  };
}

/** The cloud server's WebSocket upgrades (the sync protocol), judged like a state-changing request. */
export function createClientsUpgrade(host: ServerHost): UpgradeHandler | undefined {
  if (host.clients === undefined) return undefined;
  const sync = createSyncUpgrade(host.clients);
  const config = guardConfig(host);
  const upgrade = (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    const verdict = judgeBrowserRequest("POST", req.headers, config());
    if (verdict.ok) return sync(req, socket, head);
    socket.on("error", () => socket.destroy());
    const body = JSON.stringify({ code: verdict.error.code, message: verdict.error.message });
    socket.end(
      `HTTP/1.1 ${verdict.error.status} ${verdict.error.status === 421 ? "Misdirected Request" : "Forbidden"}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
    );
  };
  return Object.assign(upgrade, { closeAll: () => sync.closeAll() });
}
