// What a browser may send the routes that change or reveal state (the admin
// routes, Convex's client protocols). A developer's emulator runs beside their
// browser: any page they visit can send it requests. So those routes answer:
// - only requests for a Host that is loopback, the `url`'s or an allowed one
//   (a DNS-rebinding page names its own host, e.g. rebind.evil.example);
// - CORS only to loopback origins, the emulator's own and configured ones;
// - state-changing methods only when the browser says the request is not
//   cross-site (Sec-Fetch-Site) and names an allowed Origin, if any. curl,
//   Node's fetch and Node's WebSocket clients send neither header and keep working.
// The /api storage routes keep Convex's any-origin CORS (cors.ts): they need an
// unguessable token or UUID.
import type { IncomingHttpHeaders } from "node:http";
import { errors, type StorageEmulatorError } from "../errors.js";
import type { BrowserAccess } from "./host.js";

export const NO_EXTRA_ACCESS: BrowserAccess = { origins: [], hosts: [] };

export interface BrowserGuardConfig extends BrowserAccess {
  /** The emulator's origin (`url`, else the listening one): its host is allowed. */
  readonly url: string;
}

export type BrowserVerdict =
  | {
      readonly ok: true;
      /** The Origin to answer CORS to, if any. */ readonly corsOrigin: string | undefined;
      readonly preflight: boolean;
    }
  | { readonly ok: false; readonly error: StorageEmulatorError };

const SAFE_METHODS = new Set(["GET", "HEAD", "OPTIONS"]);

/** Decides one request from its method and headers alone (a WebSocket upgrade is judged as a POST: the socket can change state). */
export function judgeBrowserRequest(
  method: string,
  headers: IncomingHttpHeaders,
  config: BrowserGuardConfig,
): BrowserVerdict {
  const host = headers.host;
  // No Host at all is HTTP/1.0 from a script, never a browser.
  if (host !== undefined && !hostAllowed(hostnameOf(host), config))
    return { ok: false, error: errors.hostNotAllowed(host) };
  const origin = headers.origin;
  const originOk = origin !== undefined && originAllowed(origin, host, config);
  if (method === "OPTIONS") {
    if (origin !== undefined && !originOk) return { ok: false, error: errors.crossSiteRequest(method, origin) };
    return { ok: true, corsOrigin: originOk ? origin : undefined, preflight: true };
  }
  if (!SAFE_METHODS.has(method)) {
    const site = headers["sec-fetch-site"];
    const crossSite = site === "cross-site" || site === "same-site";
    if ((origin !== undefined && !originOk) || (crossSite && !originOk)) {
      return { ok: false, error: errors.crossSiteRequest(method, origin ?? `a ${String(site)} page`) };
    }
  }
  return { ok: true, corsOrigin: originOk ? origin : undefined, preflight: false };
}

/** The host name of a Host header or URL host: lowercase, no port, no trailing dot; IPv6 keeps its brackets. */
function hostnameOf(host: string): string {
  const value = host.trim().toLowerCase();
  const name = value.startsWith("[") ? value.slice(0, value.indexOf("]") + 1) : value.replace(/:\d*$/, "");
  return name.endsWith(".") ? name.slice(0, -1) : name;
}

/** 127.0.0.0/8, localhost, [::1]. */
function isLoopbackHost(name: string): boolean {
  if (name === "localhost" || name === "[::1]") return true;
  const octets = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(name);
  return octets !== null && octets[1] === "127" && octets.slice(2).every((o) => Number(o) <= 255);
}

function hostAllowed(name: string, config: BrowserGuardConfig): boolean {
  return isLoopbackHost(name) || name === urlHostname(config.url) || config.hosts.includes(name);
}

function originAllowed(origin: string, host: string | undefined, config: BrowserGuardConfig): boolean {
  let url: URL;
  try {
    url = new URL(origin);
  } catch {
    return false; // "null" (sandboxed frames, file:) and garbage
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") return false;
  if (isLoopbackHost(hostnameOf(url.host)) || config.origins.includes(url.origin)) return true;
  // The emulator's own origin: its `url`, or the page it served (Origin names the Host it was loaded from).
  return url.origin === safeOrigin(config.url) || (host !== undefined && url.host === host.toLowerCase());
}

function urlHostname(url: string): string | undefined {
  try {
    return hostnameOf(new URL(url).host);
  } catch {
    return undefined;
  }
}

function safeOrigin(url: string): string | undefined {
  try {
    return new URL(url).origin;
  } catch {
    return undefined;
  }
}

/** Checks and normalizes the adminOrigins and allowedHosts options (`--cors-origin`, `--allow-host`). */
export function checkBrowserAccess(origins: unknown, hosts: unknown): BrowserAccess {
  return {
    origins: stringList("adminOrigins", origins).map((origin) => {
      let url: URL | undefined;
      try {
        url = new URL(origin);
      } catch {
        // fall through
      }
      if (
        url === undefined ||
        (url.protocol !== "http:" && url.protocol !== "https:") ||
        url.origin !== origin.replace(/\/$/, "").toLowerCase()
      ) {
        throw errors.optionInvalid(
          "adminOrigins",
          `"${origin}" is not an origin; expected e.g. http://localhost:5173 (scheme, host, port; no path).`,
        );
      }
      return url.origin;
    }),
    hosts: stringList("allowedHosts", hosts).map((host) => {
      if (!/^(?:[a-z0-9_-]+(?:\.[a-z0-9_-]+)*\.?|\[[0-9a-f:.]+\])(?::\d+)?$/i.test(host)) {
        throw errors.optionInvalid(
          "allowedHosts",
          `"${host}" is not a host name; expected e.g. storage.test or 192.168.1.5.`,
        );
      }
      return hostnameOf(host);
    }),
  };
}

function stringList(name: string, value: unknown): string[] {
  if (value === undefined) return [];
  if (!Array.isArray(value) || !value.every((v) => typeof v === "string"))
    throw errors.optionInvalid(name, "expected an array of strings.");
  return value as string[];
}
