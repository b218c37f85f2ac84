// The sync WebSocket on the cloud origin: `ws` does the framing; this accepts
// upgrades at /api/<version>/sync while functions are connected, bounds what
// one client can cost (message size, unsent bytes, connection count, pings),
// and hands each socket's text frames to its SyncSession.
import type { IncomingMessage } from "node:http";
import type { Duplex } from "node:stream";
import { clearInterval, setInterval } from "node:timers";
import { WebSocket, WebSocketServer } from "ws";
import { clientMessages } from "../../errors.js";
import { isSyncPath } from "../../paths.js";
import { pathOf } from "../http-util.js";
import type { ClientHub } from "./hub.js";
import type { SyncLimits } from "./limits.js";
import { SyncSession } from "./sync-session.js";

/** Upgrades requests on the cloud server; `closeAll()` ends every sync socket (on server close). */
export interface UpgradeHandler {
  (req: IncomingMessage, socket: Duplex, head: Buffer): void;
  closeAll(): void;
}

export function createSyncUpgrade(hub: ClientHub): UpgradeHandler {
  // One ws server per message size limit (tests lower the limit between connections).
  let server: { maxPayload: number; wss: WebSocketServer } | undefined;
  const sockets = new Set<WebSocket>();
  const upgrade = (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    socket.on("error", () => socket.destroy());
    if (!hub.connected || !isSyncPath(pathOf(req))) {
      // Fidelity: the same 404 a plain request to a path nothing serves gets (a WebSocket client sees the upgrade refused).
      socket.end("HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
      return;
    }
    const limits = hub.syncLimits;
    if (server?.maxPayload !== limits.maxMessageBytes) {
      const wss = new WebSocketServer({ noServer: true, maxPayload: limits.maxMessageBytes, perMessageDeflate: false, clientTracking: false });
      server = { maxPayload: limits.maxMessageBytes, wss };
    }
    server.wss.handleUpgrade(req, socket, head, (ws) => {
      if (sockets.size >= limits.maxConnections) {
        ws.close(1013, clientMessages.tooManyConnections);
        return;
      }
      sockets.add(ws);
      serve(hub, ws, limits, () => sockets.delete(ws));
    });
  };
  return Object.assign(upgrade, {
    closeAll: () => {
      for (const ws of sockets) ws.close(1001, clientMessages.serverClosing);
      for (const ws of sockets) ws.terminate();
      sockets.clear();
    },
  });
}

function serve(hub: ClientHub, ws: WebSocket, limits: SyncLimits, forget: () => void): void {
  let lastSent = Date.now();
  const session = new SyncSession(hub, {
    send: (message) => {
      if (ws.readyState !== WebSocket.OPEN) return;
      ws.send(JSON.stringify(message));
      lastSent = Date.now();
      // A client that does not read would have the server hold every transition: drop it instead.
      if (ws.bufferedAmount > limits.maxBufferedBytes) {
        session.close();
        ws.terminate();
      }
    },
    close: (code, reason) => {
      if (code === undefined) ws.close();
      else ws.close(code, reason);
    },
  });
  hub.addSession(session);
  const ping = setInterval(() => {
    if (Date.now() - lastSent >= limits.pingIntervalMs && ws.readyState === WebSocket.OPEN) {
      ws.send(JSON.stringify({ type: "Ping" }));
      lastSent = Date.now();
    }
  }, Math.max(10, Math.floor(limits.pingIntervalMs / 3)));
  ping.unref();
  ws.on("message", (data, isBinary) => {
    // Fidelity: crates/local_backend/src/subs/mod.rs receive_messages: only text frames carry messages.
    if (isBinary) {
      session.close();
      ws.close(1011, clientMessages.internalServerError);
      return;
    }
    session.handle(String(data));
  });
  // ws itself closes a socket that breaks the protocol or sends more than maxPayload (1009).
  ws.on("error", () => {});
  ws.on("close", () => {
    clearInterval(ping);
    session.close();
    hub.removeSession(session);
    forget();
  });
}
