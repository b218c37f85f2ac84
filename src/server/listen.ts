// listen(): one emulator on two HTTP servers, like the local backend of
// `npx convex dev`: the cloud origin (storage, admin) and the site origin
// (HTTP actions), with a clean close of both.
import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { errors } from "../errors.js";
import type { Duplex } from "node:stream";
import type { Handler } from "./http-util.js";

export interface ListenOptions {
  /** The cloud origin's port. Default 3210, like a local Convex backend. 0 picks a free port. */
  port?: number;
  /** The site origin's port (HTTP actions). Default `port + 1` (3211), or a free one when `port` is 0. */
  sitePort?: number;
  /** Default 127.0.0.1: reachable from this machine only. */
  host?: string;
}

export interface ListeningServer {
  /** The cloud origin clients use (storage, admin), e.g. "http://127.0.0.1:3210". */
  readonly url: string;
  readonly port: number;
  /** The site origin (HTTP actions), e.g. "http://127.0.0.1:3211". */
  readonly siteUrl: string;
  readonly sitePort: number;
  readonly host: string;
  readonly server: Server;
  readonly siteServer: Server;
  /** Closes both servers. */
  close(): Promise<void>;
}

interface OneServer {
  url: string;
  port: number;
  server: Server;
  close(): Promise<void>;
}

/** Upgrades requests on the cloud server (WebSockets); `closeAll()` ends every upgraded socket (on server close). */
export interface UpgradeHandler {
  (req: IncomingMessage, socket: Duplex, head: Buffer): void;
  closeAll(): void;
}

export const DEFAULT_PORT = 3210;
export const DEFAULT_HOST = "127.0.0.1";

/** Listens with the cloud handler on `port`, then the site handler on `sitePort`; on failure neither stays open. */
export async function listenOn(
  cloud: Handler,
  site: Handler,
  options: ListenOptions = {},
  upgrade?: UpgradeHandler,
): Promise<ListeningServer> {
  const port = options.port ?? DEFAULT_PORT;
  const host = options.host ?? DEFAULT_HOST;
  checkPort("port", port);
  // Fidelity: get-convex/convex-backend crates/local_backend/src/config.rs: the site proxy
  // listens on --site-proxy-port, 3211 beside the cloud's 3210.
  const sitePort = options.sitePort ?? (port === 0 ? 0 : port + 1);
  checkPort("sitePort", sitePort);
  const first = await listenOne(cloud, port, host, "--port", upgrade);
  let second: OneServer;
  try {
    second = await listenOne(site, sitePort, host, "--site-port");
  } catch (error) {
    await first.close();
    throw error;
  }
  let closing: Promise<void> | undefined;
  return {
    url: first.url,
    port: first.port,
    siteUrl: second.url,
    sitePort: second.port,
    host,
    server: first.server,
    siteServer: second.server,
    close: () => (closing ??= Promise.all([first.close(), second.close()]).then(() => {})),
  };
}

function checkPort(name: string, port: number): void {
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw errors.optionInvalid(name, `expected a whole number from 0 to 65535, got ${String(port)}.`);
  }
}

function listenOne(
  handler: Handler,
  port: number,
  host: string,
  flag: string,
  upgrade?: UpgradeHandler,
): Promise<OneServer> {
  const server = createServer((req, res) => void handler(req, res));
  // WebSockets (Convex's sync protocol); without a handler Node destroys upgrade requests.
  if (upgrade !== undefined) server.on("upgrade", upgrade);
  // Uploads may be slow and large; Node's default 5-minute request timeout would cut them.
  server.requestTimeout = 0;
  return new Promise((resolve, reject) => {
    server.once("error", (error: NodeJS.ErrnoException) => {
      reject(error.code === "EADDRINUSE" ? errors.portInUse(host, port, flag) : error);
    });
    server.listen(port, host, () => {
      const address = server.address() as AddressInfo;
      const url = `http://${urlHost(host)}:${address.port}`;
      let closing: Promise<void> | undefined;
      resolve({
        url,
        port: address.port,
        server,
        close: () =>
          (closing ??= new Promise<void>((done) => {
            server.close(() => done());
            server.closeAllConnections();
            upgrade?.closeAll();
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
