// Convex's client protocols run the app's functions with no secret in the request: a page of
// another site must not reach them (the WebSocket is not covered by CORS at all), while the app's
// own dev server on loopback, configured origins and Node's clients (no Origin) keep working.
import { request as httpRequest } from "node:http";
import { anyApi } from "convex/server";
import { describe, expect, it } from "vitest";
import { WebSocket } from "ws";
import { setup } from "./setup.js";

const api = anyApi;

const crossSite = (origin: string) => ({
  code: "CrossSiteRequest",
  message: `[convex-storage-emulator] Refused a cross-site POST from ${origin}: the admin routes and Convex's client protocols answer only loopback origins, the emulator's own, and origins allowed with --cors-origin (option adminOrigins).`,
});

/** POST /api/mutation as a browser page at `origin` would send it. */
function mutation(url: string, headers: Record<string, string>) {
  const body = JSON.stringify({ path: "protocol:increment", format: "convex_encoded_json", args: [{ name: "a" }] });
  return fetch(`${url}/api/mutation`, {
    method: "POST",
    headers: { "Content-Type": "application/json", ...headers },
    body,
  });
}

/** Opens the sync socket with these headers: "open", or the refused upgrade's status. */
function openSync(url: string, headers: Record<string, string>): Promise<"open" | number> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(`${url.replace(/^http/, "ws")}/api/1.51.0/sync`, { headers });
    socket.on("open", () => (socket.close(), resolve("open")));
    socket.on("unexpected-response", (_req, res) => resolve(res.statusCode ?? 0));
    socket.on("error", reject);
  });
}

describe("client HTTP API", () => {
  it("POST /api/mutation: a page of another site is 403 CrossSiteRequest and the mutation does not run", async () => {
    const { url, t } = await setup();
    const res = await mutation(url, { Origin: "https://evil.example", "Sec-Fetch-Site": "cross-site" });
    expect(res.status).toBe(403);
    expect(res.headers.get("access-control-allow-origin")).toBeNull();
    expect(await res.json()).toEqual(crossSite("https://evil.example"));
    expect(await t.query(api.protocol!.count!, { name: "a" })).toBe(0n);
  });

  it("POST /api/mutation: the app's dev server on loopback and Node (no Origin) are served", async () => {
    const { url, t } = await setup();
    const local = await mutation(url, { Origin: "http://localhost:5173", "Sec-Fetch-Site": "same-site" });
    expect(local.status).toBe(200);
    expect(local.headers.get("access-control-allow-origin")).toBe("http://localhost:5173");
    expect((await mutation(url, {})).status).toBe(200);
    expect(await t.query(api.protocol!.count!, { name: "a" })).toBe(2n);
  });

  it("POST /api/query: a DNS-rebinding Host is 421", async () => {
    const { url } = await setup();
    // fetch() does not let a page (or Node) set Host: a raw request does, as a rebinding page's browser would.
    const answer = await new Promise<{ status: number; body: string }>((resolve, reject) => {
      const req = httpRequest(
        `${url}/api/query`,
        { method: "POST", headers: { Host: "rebind.evil.example:3210", "Content-Type": "application/json" } },
        (res) => {
          let body = "";
          res.on("data", (chunk: Buffer) => (body += chunk.toString()));
          res.on("end", () => resolve({ status: res.statusCode ?? 0, body }));
        },
      );
      req.on("error", reject);
      req.end("{}");
    });
    expect(answer.status).toBe(421);
    expect((JSON.parse(answer.body) as { code: string }).code).toBe("HostNotAllowed");
  });
});

describe("sync WebSocket", () => {
  it("upgrade: a page of another site is refused with 403; loopback pages and Node's clients connect", async () => {
    const { url } = await setup();
    expect(await openSync(url, { Origin: "https://evil.example" })).toBe(403);
    expect(await openSync(url, { Origin: "http://127.0.0.1:5173" })).toBe("open");
    expect(await openSync(url, {})).toBe("open");
  });

  it("upgrade: a DNS-rebinding Host is refused with 421", async () => {
    const { url } = await setup();
    expect(await openSync(url, { Host: "rebind.evil.example:3210" })).toBe(421);
  });
});
