// listen(): one emulator on one HTTP server, with a clean close.
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { errors } from "../errors.js";
import type { Handler } from "./http-util.js";

export interface ListenOptions {
  /** Default 3210, like a local Convex backend. 0 picks a free port. */
  port?: number;
  /** Default 127.0.0.1: reachable from this machine only. */
  host?: string;
}

export interface ListeningServer {
  /** The origin clients use, e.g. "http://127.0.0.1:3210". */
  readonly url: string;
  readonly port: number;
  readonly host: string;
  readonly server: Server;
  close(): Promise<void>;
}

export const DEFAULT_PORT = 3210;
export const DEFAULT_HOST = "127.0.0.1";

export function listenOn(handler: Handler, options: ListenOptions = {}): Promise<ListeningServer> {
  const port = options.port ?? DEFAULT_PORT;
  const host = options.host ?? DEFAULT_HOST;
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    return Promise.reject(errors.optionInvalid("port", `expected a whole number from 0 to 65535, got ${String(port)}.`));
  }
  const server = createServer((req, res) => void handler(req, res));
  // Uploads may be slow and large; Node's default 5-minute request timeout would cut them.
  server.requestTimeout = 0;
  return new Promise((resolve, reject) => {
    server.once("error", (error: NodeJS.ErrnoException) => {
      reject(error.code === "EADDRINUSE" ? errors.portInUse(host, port) : error);
    });
    server.listen(port, host, () => {
      const address = server.address() as AddressInfo;
      const url = `http://${urlHost(host)}:${address.port}`;
      let closing: Promise<void> | undefined;
      resolve({
        url,
        port: address.port,
        host,
        server,
        close: () =>
          (closing ??= new Promise<void>((done) => {
            server.close(() => done());
            server.closeAllConnections();
          })),
      });
    });
  });
}

/** The host to put in URLs: a wildcard address is reached through loopback. */
function urlHost(host: string): string {
  if (host === "0.0.0.0" || host === "") return "127.0.0.1";
  if (host === "::") return "[::1]";
  return host.includes(":") ? `[${host}]` : host;
}
