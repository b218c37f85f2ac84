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
import type { UpgradeHandler } from "../listen.js";
import type { ClientHub } from "./hub.js";
import type { SyncLimits } from "./limits.js";
import { SyncSession } from "./sync-session.js";

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
      const wss = new WebSocketServer({
        noServer: true,
        maxPayload: limits.maxMessageBytes,
        perMessageDeflate: false,
        clientTracking: false,
      });
      server = { maxPayload: limits.maxMessageBytes, wss };
    }
    server.wss.handleUpgrade(req, socket, head, (ws) => {
      if (sockets.size >= limits.maxConnections) {
        ws.close(1013, clientMessages.tooManyConnections);
        return;
      }
      sockets.add(ws);
      serve(hub, ws, limits, supportsTransitionChunks(pathOf(req)), () => sockets.delete(ws));
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

function serve(hub: ClientHub, ws: WebSocket, limits: SyncLimits, chunked: boolean, forget: () => void): void {
  let lastSent = Date.now();
  const session = new SyncSession(hub, {
    send: (message) => {
      if (ws.readyState !== WebSocket.OPEN) return;
      const json = JSON.stringify(message);
      for (const frame of chunked && message.type === "Transition" ? transitionFrames(json) : [json]) ws.send(frame);
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
  const ping = setInterval(
    () => {
      if (Date.now() - lastSent >= limits.pingIntervalMs && ws.readyState === WebSocket.OPEN) {
        ws.send(JSON.stringify({ type: "Ping" }));
        lastSent = Date.now();
      }
    },
    Math.max(10, Math.floor(limits.pingIntervalMs / 3)),
  );
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

// Fidelity: get-convex/convex-backend crates/local_backend/src/subs/mod.rs maybe_split_transition:
// a Transition past 5,000,000 bytes goes as TransitionChunks to npm clients from 1.28.0
// (crates/common/src/version.rs MIN_NPM_VERSION_FOR_TRANSITION_CHUNKS); the version is the
// path's, /api/<version>/sync.
const MAX_MESSAGE_SIZE = 5_000_000;

function supportsTransitionChunks(path: string): boolean {
  const version = /^\/api\/(\d+)\.(\d+)\.(\d+)/.exec(path);
  if (version === null) return false;
  const [major, minor] = [Number(version[1]), Number(version[2])];
  return major > 1 || (major === 1 && minor >= 28);
}

/** The frames of one Transition: itself, or TransitionChunks of at most 5,000,000 characters (never splitting a surrogate pair). */
function transitionFrames(json: string): string[] {
  if (json.length <= MAX_MESSAGE_SIZE) return [json];
  const chunks: string[] = [];
  for (let start = 0; start < json.length;) {
    let end = Math.min(start + MAX_MESSAGE_SIZE, json.length);
    const code = json.charCodeAt(end - 1);
    if (end < json.length && code >= 0xd800 && code <= 0xdbff) end -= 1;
    chunks.push(json.slice(start, end));
    start = end;
  }
  // The backend names a transition by its length in bytes.
  const transitionId = String(Buffer.byteLength(json));
  return chunks.map((chunk, partNumber) =>
    JSON.stringify({ type: "TransitionChunk", chunk, partNumber, totalParts: chunks.length, transitionId }),
  );
}
