// The admin routes' protection against web pages: the pure verdict for each
// kind of request, then the same rules over HTTP (supertest and a socket).
import request from "supertest";
import { describe, expect, it } from "vitest";
import { createStorageEmulator, type StorageEmulatorOptions } from "../src/index.js";
import { judgeBrowserRequest, type BrowserGuardConfig } from "../src/server/cross-site.js";
import { cleanupAfterEach } from "./support/cleanup.js";
import { json, rawRequest, runCli, send } from "./reliability/helpers.js";

const { listening, defer } = cleanupAfterEach();

const HOST_REFUSED = (host: string) => ({
  code: "HostNotAllowed",
  message: `[convex-storage-emulator] Refused a request for host "${host}": the admin routes and Convex's client protocols answer only loopback hosts (127.0.0.1, localhost, [::1]), the host of \`url\`, and hosts allowed with --allow-host (option allowedHosts). This keeps DNS-rebinding pages out.`,
});
const CROSS_SITE = (method: string, origin: string) => ({
  code: "CrossSiteRequest",
  message: `[convex-storage-emulator] Refused a cross-site ${method} from ${origin}: the admin routes and Convex's client protocols answer only loopback origins, the emulator's own, and origins allowed with --cors-origin (option adminOrigins).`,
});

const config = (extra: Partial<BrowserGuardConfig> = {}): BrowserGuardConfig => ({
  origins: [],
  hosts: [],
  url: "http://127.0.0.1:3210",
  ...extra,
});
const verdict = (method: string, headers: Record<string, string>, extra?: Partial<BrowserGuardConfig>) => {
  const result = judgeBrowserRequest(method, headers, config(extra));
  return result.ok ? { ok: true, cors: result.corsOrigin ?? null } : result.error.toJSON();
};

describe("judgeBrowserRequest", () => {
  it.each(["127.0.0.1:3210", "127.8.9.10", "localhost:3210", "LOCALHOST.", "[::1]:3210", "[::1]"])(
    "judgeBrowserRequest: loopback Host %s is served",
    (host) => {
      expect(verdict("GET", { host })).toEqual({ ok: true, cors: null });
    },
  );

  it.each([
    "rebind.evil.example:3210",
    "127.0.0.1.evil.example",
    "localhost.evil.example",
    "128.0.0.1",
    "[::2]",
    "0.0.0.0:3210",
    "10.0.0.5",
  ])("judgeBrowserRequest: Host %s is refused with 421", (host) => {
    expect(verdict("GET", { host })).toEqual(HOST_REFUSED(host));
    expect(judgeBrowserRequest("GET", { host }, config())).toMatchObject({ ok: false, error: { status: 421 } });
  });

  it("judgeBrowserRequest: the url's host and allowed hosts are served; no Host at all (HTTP/1.0 scripts) too", () => {
    expect(verdict("GET", { host: "storage.test:8080" }, { url: "https://storage.test" })).toEqual({
      ok: true,
      cors: null,
    });
    expect(verdict("GET", { host: "laptop.lan:3210" }, { hosts: ["laptop.lan"] })).toEqual({ ok: true, cors: null });
    expect(verdict("GET", { host: "laptop.lan:3210" })).toEqual(HOST_REFUSED("laptop.lan:3210"));
    expect(verdict("POST", {})).toEqual({ ok: true, cors: null });
  });

  it("judgeBrowserRequest: CORS only for loopback, configured and the emulator's own origins", () => {
    const host = "127.0.0.1:3210";
    expect(verdict("GET", { host, origin: "http://localhost:5173" })).toEqual({
      ok: true,
      cors: "http://localhost:5173",
    });
    expect(verdict("GET", { host, origin: "http://127.0.0.1:4000" })).toEqual({
      ok: true,
      cors: "http://127.0.0.1:4000",
    });
    expect(verdict("GET", { host, origin: "https://app.test" }, { origins: ["https://app.test"] })).toEqual({
      ok: true,
      cors: "https://app.test",
    });
    // A read from elsewhere is answered without CORS headers: the browser keeps the body from the page.
    for (const origin of [
      "https://evil.example",
      "null",
      "http://localhost.evil.example",
      "file://",
      "chrome-extension://abc",
    ]) {
      expect(verdict("GET", { host, origin }), origin).toEqual({ ok: true, cors: null });
    }
    // Behind a proxy: the page served for the url's host fetches with that Origin.
    expect(
      verdict("GET", { host: "storage.test", origin: "https://storage.test" }, { url: "https://storage.test" }),
    ).toEqual({ ok: true, cors: "https://storage.test" });
  });

  it.each(["POST", "DELETE", "PUT", "PATCH"])(
    "judgeBrowserRequest: %s from a cross-site page is refused with 403",
    (method) => {
      const host = "127.0.0.1:3210";
      // A <form> post from a web site: Origin and Sec-Fetch-Site both say so.
      expect(verdict(method, { host, origin: "https://evil.example", "sec-fetch-site": "cross-site" })).toEqual(
        CROSS_SITE(method, "https://evil.example"),
      );
      // Either header alone is enough.
      expect(verdict(method, { host, origin: "https://evil.example" })).toEqual(
        CROSS_SITE(method, "https://evil.example"),
      );
      expect(verdict(method, { host, "sec-fetch-site": "cross-site" })).toEqual(
        CROSS_SITE(method, "a cross-site page"),
      );
      expect(verdict(method, { host, "sec-fetch-site": "same-site" })).toEqual(CROSS_SITE(method, "a same-site page"));
      expect(verdict(method, { host, origin: "null", "sec-fetch-site": "cross-site" })).toEqual(
        CROSS_SITE(method, "null"),
      );
      // Allowed: curl / Node's fetch (neither header), the admin page itself, loopback and configured pages.
      expect(verdict(method, { host })).toEqual({ ok: true, cors: null });
      expect(verdict(method, { host, origin: `http://${host}`, "sec-fetch-site": "same-origin" })).toEqual({
        ok: true,
        cors: `http://${host}`,
      });
      expect(verdict(method, { host, origin: "http://127.0.0.1:5173", "sec-fetch-site": "same-site" })).toEqual({
        ok: true,
        cors: "http://127.0.0.1:5173",
      });
      expect(
        verdict(
          method,
          { host, origin: "https://app.test", "sec-fetch-site": "cross-site" },
          { origins: ["https://app.test"] },
        ),
      ).toEqual({ ok: true, cors: "https://app.test" });
    },
  );

  it("judgeBrowserRequest: a preflight from a page not allowed is refused; from an allowed one it is answered", () => {
    const host = "127.0.0.1:3210";
    expect(verdict("OPTIONS", { host, origin: "https://evil.example" })).toEqual(
      CROSS_SITE("OPTIONS", "https://evil.example"),
    );
    expect(judgeBrowserRequest("OPTIONS", { host, origin: "http://localhost:5173" }, config())).toEqual({
      ok: true,
      corsOrigin: "http://localhost:5173",
      preflight: true,
    });
  });
});

describe("admin guard over HTTP", () => {
  async function setup(options: StorageEmulatorOptions = {}) {
    const emulator = createStorageEmulator({ url: "http://127.0.0.1:3210", ...options });
    const id = await emulator.seed({ bytes: "keep me" });
    return { emulator, app: emulator.app, id };
  }

  it("POST /_emulator/reset: a cross-site form post is 403 and deletes nothing; curl's POST still resets", async () => {
    const { app, emulator, id } = await setup();
    const res = await request(app)
      .post("/_emulator/reset")
      .set("Origin", "https://evil.example")
      .set("Sec-Fetch-Site", "cross-site")
      .type("form")
      .send("x=1");
    expect([res.status, res.body]).toEqual([403, CROSS_SITE("POST", "https://evil.example")]);
    expect(res.headers["access-control-allow-origin"]).toBeUndefined();
    expect(emulator.text(id)).toBe("keep me");
    expect(emulator.journal.httpRequests("admin")).toMatchObject([
      { method: "POST", status: 403, errorCode: "CrossSiteRequest" },
    ]);
    expect((await request(app).post("/_emulator/reset")).status).toBe(200);
    expect(emulator.files()).toEqual([]);
  });

  it("DELETE /_emulator/files/:id: refused cross-site, the file stays", async () => {
    const { app, emulator, id } = await setup();
    const res = await request(app).delete(`/_emulator/files/${id}`).set("Origin", "https://evil.example");
    expect([res.status, res.body]).toEqual([403, CROSS_SITE("DELETE", "https://evil.example")]);
    expect(emulator.text(id)).toBe("keep me");
  });

  it("GET /_emulator/files: no CORS for another site; CORS for loopback and --cors-origin pages", async () => {
    const { app } = await setup({ adminOrigins: ["https://app.test"] });
    const evil = await request(app).get("/_emulator/files").set("Origin", "https://evil.example");
    expect(evil.status).toBe(200);
    expect(evil.headers["access-control-allow-origin"]).toBeUndefined();
    expect(evil.headers.vary).toBe("Origin");
    for (const origin of ["http://localhost:5173", "https://app.test"]) {
      const res = await request(app).get("/_emulator/files").set("Origin", origin);
      expect(res.headers["access-control-allow-origin"], origin).toBe(origin);
    }
    const preflight = await request(app)
      .options("/_emulator/reset")
      .set("Origin", "https://evil.example")
      .set("Access-Control-Request-Method", "POST");
    expect([preflight.status, preflight.headers["access-control-allow-origin"]]).toEqual([403, undefined]);
  });

  it("admin: a DNS-rebinding Host is 421 on every admin route and the page; /api storage routes keep serving any Host with any-Origin CORS", async () => {
    const { emulator, server } = await listening({ allowedHosts: ["laptop.lan"] });
    const id = await emulator.seed({ bytes: "keep me" });
    const { uuid } = emulator.file(id)!;
    for (const path of [
      "/_emulator/",
      "/_emulator/page.js",
      "/_emulator/health",
      "/_emulator/files",
      `/_emulator/files/${id}/bytes`,
      "/_emulator/database",
      "/_emulator/reset",
    ]) {
      const method = path === "/_emulator/reset" ? "POST" : "GET";
      const res = await rawRequest(
        server.port,
        `${method} ${path} HTTP/1.1\r\nHost: rebind.evil.example:${server.port}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n`,
      );
      expect([path, res.status, JSON.parse(res.body.toString())]).toEqual([
        path,
        421,
        HOST_REFUSED(`rebind.evil.example:${server.port}`),
      ]);
    }
    const allowed = await rawRequest(
      server.port,
      `GET /_emulator/health HTTP/1.1\r\nHost: laptop.lan:${server.port}\r\nConnection: close\r\n\r\n`,
    );
    expect(allowed.status).toBe(200);
    // Convex's own routes answer every page already (CORS mirrors any Origin), so a Host check there would
    // protect nothing and break containers reaching the emulator by service name.
    const served = await rawRequest(
      server.port,
      `GET /api/storage/${uuid} HTTP/1.1\r\nHost: emulator:3210\r\nOrigin: https://any.example\r\nConnection: close\r\n\r\n`,
    );
    expect([served.status, served.body.toString(), served.headers["access-control-allow-origin"]]).toEqual([
      200,
      "keep me",
      "https://any.example",
    ]);
    expect(emulator.text(id)).toBe("keep me");
  });

  it("admin page: its own same-origin requests (Origin + Sec-Fetch-Site: same-origin) work, as a browser sends them", async () => {
    const { emulator, server } = await listening();
    await emulator.seed({ bytes: "x" });
    const page = { Origin: server.url, "Sec-Fetch-Site": "same-origin" };
    const uploadUrl = json(await send(`${server.url}/_emulator/upload-url`, { method: "POST", headers: page }))
      .uploadUrl as string;
    expect((await send(uploadUrl, { method: "POST", body: "y", headers: page })).status).toBe(200);
    expect((await send(`${server.url}/_emulator/reset`, { method: "POST", headers: page })).status).toBe(200);
    expect(emulator.files()).toEqual([]);
  });

  it("createStorageEmulator: adminOrigins and allowedHosts are checked", () => {
    expect(() => createStorageEmulator({ adminOrigins: ["https://app.test/path"] })).toThrow(
      '[convex-storage-emulator] Invalid option `adminOrigins`: "https://app.test/path" is not an origin; expected e.g. http://localhost:5173 (scheme, host, port; no path).',
    );
    expect(() => createStorageEmulator({ adminOrigins: "https://app.test" as never })).toThrow(
      "[convex-storage-emulator] Invalid option `adminOrigins`: expected an array of strings.",
    );
    expect(() => createStorageEmulator({ allowedHosts: ["http://x"] })).toThrow(
      '[convex-storage-emulator] Invalid option `allowedHosts`: "http://x" is not a host name; expected e.g. storage.test or 192.168.1.5.',
    );
  });

  it("cli: --cors-origin and --allow-host (repeatable) reach the admin guard", async () => {
    const cli = runCli(
      [
        "--port",
        "0",
        "--quiet",
        "--cors-origin",
        "https://a.test",
        "--cors-origin",
        "https://b.test",
        "--allow-host",
        "laptop.lan",
      ],
      defer,
    );
    const [, url] = await cli.waitForOutput(/listening on (http:\/\/\S+)\n/);
    for (const origin of ["https://a.test", "https://b.test"]) {
      const res = await send(`${url}/_emulator/health`, { headers: { Origin: origin } });
      expect(res.headers["access-control-allow-origin"]).toBe(origin);
    }
    expect(
      (await send(`${url}/_emulator/reset`, { method: "POST", headers: { Origin: "https://c.test" } })).status,
    ).toBe(403);
    expect((await send(`${url}/_emulator/health`, { headers: { Host: "laptop.lan" } })).status).toBe(200);
    expect((await send(`${url}/_emulator/health`, { headers: { Host: "other.lan" } })).status).toBe(421);
    cli.child.kill("SIGTERM");
    expect(await cli.exited).toBe(0);
  });
});
