// The bad-input catalogue: hostile and malformed inputs to the library and
// to the HTTP surface, each with its exact answer. One emulator takes all of
// them in turn (that is the point: it must survive every one), then still
// answers /_emulator/health with no file created.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createStorageEmulator, encodeDocumentId, type StorageEmulator } from "../../src/index.js";
import type { ListeningServer } from "../../src/server/listen.js";
import { cleanupAfterEach } from "../support/cleanup.js";
import { fixtures } from "../support/fixtures.js";
import { rawRequest, runCli, send, sha256, type RawResponse } from "./helpers.js";

const P = "[convex-storage-emulator]";
const MiB = 1024 * 1024;

// --- The emulator under attack, shared by every row ---
let emulator: StorageEmulator;
let server: ListeningServer;
let clock = 1_000_000;
let seeded: { storageId: string; uuid: string };
let tmp: string;

beforeAll(async () => {
  emulator = createStorageEmulator({
    now: () => clock,
    uploadUrlTtlMs: 1000,
    maxFileBytes: MiB,
    maxTotalBytes: 512 * 1024,
  });
  server = await emulator.listen({ port: 0 });
  // The one file the Range rows read; no row may add another.
  const storageId = await emulator.seed({ path: fixtures.allBytes.path });
  seeded = { storageId, uuid: emulator.file(storageId)!.uuid };
  tmp = mkdtempSync(join(tmpdir(), "cse-bad-input-"));
  writeFileSync(join(tmp, "a-file"), "not a directory");
});
afterAll(async () => {
  await server.close();
  rmSync(tmp, { recursive: true, force: true });
});

// --- What a row expects ---
type Thrown = { throws: { name: string; code: string; message: string } };
type Returned = { returns: unknown };
type Answered = { status: number; body: unknown; headers?: Record<string, string> };
type Outcome = Thrown | Returned | Answered;

/** Runs a library call: what it returned, or the name, code and message it threw. */
async function call(fn: () => unknown): Promise<Thrown | Returned> {
  try {
    return { returns: await fn() };
  } catch (error) {
    const e = error as Error & { code?: string };
    return { throws: { name: e.name, code: String(e.code), message: e.message } };
  }
}

/** An HTTP answer: status, body (parsed when JSON, else its bytes as latin1) and the headers `pick` names. */
function answer(res: RawResponse, pick: readonly string[] = []): Answered {
  const isJson = String(res.headers["content-type"] ?? "").startsWith("application/json");
  const headers = Object.fromEntries(pick.map((name) => [name, String(res.headers[name])]));
  return {
    status: res.status,
    body: isJson ? JSON.parse(res.body.toString("utf8")) : res.body.toString("latin1"),
    ...(pick.length ? { headers } : {}),
  };
}

const http = async (path: string, init: Parameters<typeof send>[1] = {}, pick: readonly string[] = []) =>
  answer(await send(`${server.url}${path}`, init), pick);
/** A request written by hand, for what no HTTP client would send. */
const raw = async (text: string, pick: readonly string[] = []) => answer(await rawRequest(server.port, text), pick);
const request = (line: string, headers: string[] = []) =>
  [line, "Host: 127.0.0.1", ...headers, "Connection: close", "", ""].join("\r\n");

const token = async () => new URL(await emulator.storage.generateUploadUrl()).searchParams.get("token")!;
const upload = async (query: string, headers: Record<string, string> = {}, body: string | Uint8Array = "x") =>
  http(`/api/storage/upload${query}`, { method: "POST", headers, body });
const range = (value: string, pick = ["content-range"]) =>
  raw(request(`GET /api/storage/${seeded.uuid} HTTP/1.1`, [`Range: ${value}`]), pick);

/** A snapshot with this header text and body, built by hand (format v1, see src/snapshot.ts). */
function snapshotOf(header: string, body = new Uint8Array(0), headerLength?: number): Uint8Array {
  const json = new TextEncoder().encode(header);
  const out = new Uint8Array(16 + json.length + body.length);
  out.set(new TextEncoder().encode("CSEMSNAP"), 0);
  new DataView(out.buffer).setUint32(8, 1);
  new DataView(out.buffer).setUint32(12, headerLength ?? json.length);
  out.set(json, 16);
  out.set(body, 16 + json.length);
  return out;
}
const fileEntry = (over: Record<string, unknown>) =>
  JSON.stringify({
    files: [
      {
        storageId: "kg2c5640qnbqmayh7zzch6f1xn8e184r",
        uuid: crypto.randomUUID(),
        size: 0,
        sha256: fixtures.empty.sha256,
        contentType: null,
        creationTime: 1,
        source: "seed",
        ...over,
      },
    ],
  });

// --- Expected answers ---
const invalidId = (method: string, shown: string): Thrown => ({
  throws: {
    name: "StorageEmulatorError",
    code: "InvalidArgument",
    message: `Invalid argument \`storageId\` for \`storage.${method}\`: Invalid storage ID: "${shown}". Storage ID should be an\n                    Id of '_storage' table, or a UUID string.`,
  },
});
const otherTable = (_method: string): Thrown => ({
  throws: {
    name: "StorageEmulatorError",
    code: "InvalidArgument",
    message: "Invalid storage ID. Storage ID cannot be an ID on any table other than '_storage'.",
  },
});
const typeError = (code: string, message: string): Thrown => ({
  throws: { name: "StorageEmulatorTypeError", code, message },
});
const emulatorError = (code: string, message: string): Thrown => ({
  throws: { name: "StorageEmulatorError", code, message },
});
const notBlob = typeError(
  "StoreExpectsBlob",
  "store() expects a Blob. If you are trying to store a Request, `await request.blob()` will give you the correct input.",
);
const badSnapshot = (detail: string) =>
  emulatorError(
    "SnapshotInvalid",
    `${P} restore() was given something that is not a snapshot from snapshot(): ${detail}. Nothing was changed.`,
  );
const badOption = (name: string, detail: string) =>
  emulatorError("OptionInvalid", `${P} Invalid option \`${name}\`: ${detail}`);
const badSeed = (detail: string) => emulatorError("SeedInvalid", `${P} seed(): ${detail}`);

const json = (status: number, code: string, message: string, headers?: Record<string, string>): Answered => ({
  status,
  body: { code, message },
  ...(headers ? { headers } : {}),
});
const tokenInvalid = json(401, "StorageTokenInvalid", "Couldn't decode the StoreFileAuthorization token");
const badHeader = (name: string) => json(400, "BadHeader", `Bad header for ${name}: invalid HTTP header`);
const badPath = (shown: string) =>
  json(
    400,
    "InvalidStoragePath",
    `Invalid storage path: "${shown}". Please use \`storage.getUrl(storageId: Id<"_storage">)\` to generate a valid URL to retrieve files. See https://docs.convex.dev/file-storage/serve-files for more details`,
  );
const noRoute = (method: string, path: string) => json(404, "NotFound", `${P} No route for ${method} ${path}.`);
const noAdminFile = (id: string) => json(404, "NotFound", `${P} No stored file has the id "${id}".`);
/** Node's own answer to a request it cannot parse: a status line, no body. */
const nodeRefusal = (status: number): Answered => ({ status, body: "", headers: { connection: "close" } });
const allBytes = Buffer.from(fixtures.allBytes.bytes).toString("latin1");
const whole = (): Answered => ({ status: 200, body: allBytes, headers: { "content-range": "undefined" } });
const unsatisfiable: Answered = { status: 416, body: "", headers: { "content-range": "bytes */256" } };
const notOneRange: Answered = { status: 416, body: "", headers: { "content-range": "undefined" } };

const someUuid = "0b5c7e1e-6a57-4c3a-9d7e-1c2b3a4d5e6f";
const otherTableId = encodeDocumentId(10001, new Uint8Array(16).fill(1));
const missingStorageId = () => {
  let id = "";
  do id = encodeDocumentId(540, crypto.getRandomValues(new Uint8Array(16)));
  while (emulator.file(id) !== null);
  return id;
};
const corrupt = (id: string) => id.slice(0, -1) + (id.endsWith("0") ? "1" : "0");
const huge = "x".repeat(100_000);

// --- The catalogue ---
const rows: [name: string, run: () => Promise<Outcome>, expected: () => Outcome][] = [
  // ctx.storage: ids
  ["getUrl(''): an empty id", () => call(() => emulator.storage.getUrl("" as never)), () => invalidId("getUrl", "")],
  [
    "getUrl: a word",
    () => call(() => emulator.storage.getUrl("not-an-id" as never)),
    () => invalidId("getUrl", "not-an-id"),
  ],
  [
    "getUrl: a truncated storage id",
    () => call(() => emulator.storage.getUrl(seeded.storageId.slice(0, 31) as never)),
    () => invalidId("getUrl", seeded.storageId.slice(0, 31)),
  ],
  [
    "getUrl: a storage id with a bad checksum",
    () => call(() => emulator.storage.getUrl(corrupt(seeded.storageId) as never)),
    () => invalidId("getUrl", corrupt(seeded.storageId)),
  ],
  [
    "getUrl: a storage id in upper case",
    () => call(() => emulator.storage.getUrl(seeded.storageId.toUpperCase() as never)),
    () => invalidId("getUrl", seeded.storageId.toUpperCase()),
  ],
  [
    "getUrl: an id of another table",
    () => call(() => emulator.storage.getUrl(otherTableId as never)),
    () => otherTable("getUrl"),
  ],
  [
    "getMetadata: an id of table 1",
    () => call(() => emulator.storage.getMetadata(encodeDocumentId(1, new Uint8Array(16)) as never)),
    () => otherTable("getMetadata"),
  ],
  [
    "getUrl: a legacy UUID of no file is null",
    () => call(() => emulator.storage.getUrl(someUuid as never)),
    () => ({ returns: null }),
  ],
  [
    "getUrl: a UUID with a path after it",
    () => call(() => emulator.storage.getUrl(`${seeded.uuid}/../../etc/passwd` as never)),
    () => invalidId("getUrl", `${seeded.uuid}/../../etc/passwd`),
  ],
  [
    "getUrl: a traversal path",
    () => call(() => emulator.storage.getUrl("../../etc/passwd" as never)),
    () => invalidId("getUrl", "../../etc/passwd"),
  ],
  [
    "getUrl: a UUID with a NUL byte",
    () => call(() => emulator.storage.getUrl(`${seeded.uuid}\0` as never)),
    () => invalidId("getUrl", `${seeded.uuid}\0`),
  ],
  [
    "getUrl: a 100 KB id is cut to 200 characters in the message",
    () => call(() => emulator.storage.getUrl(huge as never)),
    () => invalidId("getUrl", `${"x".repeat(200)}…`),
  ],
  [
    "getUrl(undefined)",
    () => call(() => emulator.storage.getUrl(undefined as never)),
    () => typeError("MissingArgument", "Must provide arg 1 `storageId` to `getUrl`"),
  ],
  ["getUrl(123)", () => call(() => emulator.storage.getUrl(123 as never)), () => invalidId("getUrl", "123")],
  [
    "getMetadata({})",
    () => call(() => emulator.storage.getMetadata({} as never)),
    () => invalidId("getMetadata", "[object Object]"),
  ],
  [
    "get: a convex-test style id",
    () => call(() => emulator.storage.get("10001;_storage" as never)),
    () => invalidId("get", "10001;_storage"),
  ],
  ["get(null)", () => call(() => emulator.storage.get(null as never)), () => invalidId("get", "null")],
  [
    "delete: a well-formed id of no file",
    async () => {
      const id = missingStorageId();
      const outcome = await call(() => emulator.storage.delete(id as never));
      return "throws" in outcome
        ? { throws: { ...outcome.throws, message: outcome.throws.message.replace(id, "<id>") } }
        : outcome;
    },
    () => emulatorError("StorageIdNotFound", "storage id <id> not found"),
  ],
  [
    "delete: an id of another table",
    () => call(() => emulator.storage.delete(otherTableId as never)),
    () => otherTable("delete"),
  ],

  // ctx.storage.store: not a Blob, bad sha256
  ["store('text')", () => call(() => emulator.storage.store("text" as never)), () => notBlob],
  ["store(Uint8Array)", () => call(() => emulator.storage.store(new Uint8Array(3) as never)), () => notBlob],
  ["store(null)", () => call(() => emulator.storage.store(null as never)), () => notBlob],
  [
    "store: a Blob look-alike",
    () =>
      call(() =>
        emulator.storage.store({ size: 1, type: "text/plain", arrayBuffer: async () => new ArrayBuffer(1) } as never),
      ),
    () => notBlob,
  ],
  [
    "store: sha256 'abc'",
    () => call(() => emulator.storage.store(new Blob(["x"]), { sha256: "abc" })),
    () => emulatorError("InvalidDigestHeader", "invalid HTTP header"),
  ],
  [
    "store: sha256 42",
    () => call(() => emulator.storage.store(new Blob(["x"]), { sha256: 42 as never })),
    () => emulatorError("InvalidDigestHeader", "invalid HTTP header"),
  ],
  [
    "store: the sha256 of other bytes",
    () => call(() => emulator.storage.store(new Blob(["x"]), { sha256: fixtures.png.sha256 })),
    () =>
      emulatorError(
        "Sha256Mismatch",
        `Sha256 mismatch. Expected: ${fixtures.png.sha256} Actual: ${sha256(new TextEncoder().encode("x"))}`,
      ),
  ],

  // restore: garbage changes nothing
  [
    "restore: a string",
    () => call(() => emulator.restore("text" as never)),
    () => badSnapshot("expected a Uint8Array, got string"),
  ],
  [
    "restore: 64 random bytes",
    () => call(() => emulator.restore(crypto.getRandomValues(new Uint8Array(64)))),
    () => badSnapshot("it does not start with the snapshot marker"),
  ],
  [
    "restore: a file whose uuid is a traversal path",
    () => call(() => emulator.restore(snapshotOf(fileEntry({ uuid: "../../../etc/passwd" })))),
    () => badSnapshot("file 0 has an invalid uuid"),
  ],
  [
    "restore: a header length of 4 GiB",
    () => call(() => emulator.restore(snapshotOf("{}", new Uint8Array(0), 0xffffffff))),
    () => badSnapshot("it is truncated"),
  ],
  [
    "restore: a header whose files is an object",
    () => call(() => emulator.restore(snapshotOf('{"files":{}}'))),
    () => badSnapshot("its header has no file list"),
  ],
  [
    "restore: a header that is not JSON",
    () => call(() => emulator.restore(snapshotOf("{files:"))),
    () => badSnapshot("its header is not valid JSON"),
  ],
  [
    "restore: a negative size",
    () => call(() => emulator.restore(snapshotOf(fileEntry({ size: -1 })))),
    () => badSnapshot("file 0 has an invalid size"),
  ],
  [
    "restore: a 1000-character storage id",
    () => call(() => emulator.restore(snapshotOf(fileEntry({ storageId: "k".repeat(1000) })))),
    () => badSnapshot("file 0 has an invalid storageId"),
  ],
  [
    "restore: a size past the end of the snapshot",
    () => call(() => emulator.restore(snapshotOf(fileEntry({ size: 2 ** 20 })))),
    () => badSnapshot("it is truncated"),
  ],

  // seed and options
  ["seed: a directory", () => call(() => emulator.seed({ path: tmp })), () => badSeed(`cannot read "${tmp}": EISDIR.`)],
  [
    "seed: a path with a NUL byte",
    () => call(() => emulator.seed({ path: "a\0b" })),
    () => badSeed('cannot read "a\0b": ERR_INVALID_ARG_VALUE.'),
  ],
  [
    "seed: bytes that are a number",
    () => call(() => emulator.seed({ bytes: 5 as never })),
    () => badSeed("`bytes` must be a Uint8Array, an ArrayBuffer or a string."),
  ],
  [
    "seed(null)",
    () => call(() => emulator.seed(null as never)),
    () => badSeed("expected { path } or { bytes, contentType? }."),
  ],
  [
    "createStorageEmulator: persist ''",
    () => call(() => createStorageEmulator({ persist: "" })),
    () => badOption("persist", "expected a directory path."),
  ],
  [
    "createStorageEmulator: persist is a file",
    () => call(() => createStorageEmulator({ persist: join(tmp, "a-file") })),
    () =>
      badOption(
        "persist",
        `cannot keep files in "${join(tmp, "a-file")}" (ENOTDIR); expected a directory this process can write.`,
      ),
  ],
  [
    "createStorageEmulator: persist has a NUL byte",
    () => call(() => createStorageEmulator({ persist: "a\0b" })),
    () =>
      badOption(
        "persist",
        `cannot keep files in "${resolve("a\0b")}" (ERR_INVALID_ARG_VALUE); expected a directory this process can write.`,
      ),
  ],
  [
    "createStorageEmulator: maxFileBytes -1",
    () => call(() => createStorageEmulator({ maxFileBytes: -1 })),
    () => badOption("maxFileBytes", "expected a whole number of at least 0, got -1."),
  ],
  [
    "createStorageEmulator: url javascript:",
    () => call(() => createStorageEmulator({ url: "javascript:alert(1)" })),
    () => badOption("url", '"javascript:alert(1)" must use http or https.'),
  ],
  [
    "listen: port 70000",
    () => call(() => createStorageEmulator().listen({ port: 70000 })),
    () => badOption("port", "expected a whole number from 0 to 65535, got 70000."),
  ],

  // upload: tokens
  ["upload: a forged token", () => upload(`?token=${"A".repeat(32)}`), () => tokenInvalid],
  ["upload: a truncated token", async () => upload(`?token=${(await token()).slice(0, 31)}`), () => tokenInvalid],
  ["upload: a token with a character added", async () => upload(`?token=${await token()}x`), () => tokenInvalid],
  [
    "upload: a token with a character changed",
    async () => {
      const t = await token();
      return upload(`?token=${t.slice(0, -1)}${t.endsWith("A") ? "B" : "A"}`);
    },
    () => tokenInvalid,
  ],
  [
    "upload: another emulator's token",
    async () => {
      const other = new URL(await createStorageEmulator().storage.generateUploadUrl()).searchParams.get("token")!;
      return upload(`?token=${other}`);
    },
    () => tokenInvalid,
  ],
  ["upload: a traversal path as token", () => upload("?token=..%2F..%2Fetc%2Fpasswd"), () => tokenInvalid],
  ["upload: a NUL byte as token", () => upload("?token=%00"), () => tokenInvalid],
  ["upload: an empty token", () => upload("?token="), () => tokenInvalid],
  [
    "upload: no token",
    () => upload(""),
    () => json(400, "BadQueryArgs", "Failed to deserialize query string: missing field `token`"),
  ],
  [
    "upload: the token twice",
    async () => {
      const t = await token();
      return upload(`?token=${t}&token=${t}`);
    },
    () => tokenInvalid,
  ],
  [
    "upload: an expired token",
    async () => {
      const t = await token();
      clock += 1000;
      return upload(`?token=${t}`);
    },
    () => json(401, "StorageTokenExpired", "Store File Authorization expired"),
  ],
  [
    "upload: a 100 KiB token in the URL",
    () => raw(request(`POST /api/storage/upload?token=${huge} HTTP/1.1`, ["Content-Length: 0"]), ["connection"]),
    () => nodeRefusal(431),
  ],

  // upload: headers
  [
    "upload: a 100 KiB header",
    async () =>
      raw(
        request(`POST /api/storage/upload?token=${await token()} HTTP/1.1`, [`X-Big: ${huge}`, "Content-Length: 0"]),
        ["connection"],
      ),
    () => nodeRefusal(431),
  ],
  [
    "upload: 3000 headers",
    async () =>
      raw(
        request(
          `POST /api/storage/upload?token=${await token()} HTTP/1.1`,
          Array.from({ length: 3000 }, (_, i) => `X-H${i}: v`),
        ),
        ["connection"],
      ),
    () => nodeRefusal(431),
  ],
  [
    "upload: a NUL byte in a header",
    async () =>
      raw(
        request(`POST /api/storage/upload?token=${await token()} HTTP/1.1`, [
          "Content-Type: text/plain\0",
          "Content-Length: 0",
        ]),
        ["connection"],
      ),
    () => nodeRefusal(400),
  ],
  [
    "upload: Content-Length abc",
    async () =>
      raw(request(`POST /api/storage/upload?token=${await token()} HTTP/1.1`, ["Content-Length: abc"]), ["connection"]),
    () => nodeRefusal(400),
  ],
  [
    "upload: Content-Length and Transfer-Encoding (smuggling)",
    async () =>
      raw(
        request(`POST /api/storage/upload?token=${await token()} HTTP/1.1`, [
          "Content-Length: 3",
          "Transfer-Encoding: chunked",
        ]) + "0\r\n\r\n",
        ["connection"],
      ),
    () => nodeRefusal(400),
  ],
  [
    "upload: Content-Type 'not a type'",
    async () => upload(`?token=${await token()}`, { "Content-Type": "not a type" }),
    () => badHeader("content-type"),
  ],
  [
    "upload: Content-Type with a parameter without value",
    async () => upload(`?token=${await token()}`, { "Content-Type": "text/plain; charset" }),
    () => badHeader("content-type"),
  ],
  // Fidelity: mime accepts an empty subtype ("text/", pinned in server.test.ts), not one that starts with ";".
  [
    "upload: Content-Type 'text/;'",
    async () => upload(`?token=${await token()}`, { "Content-Type": "text/;" }),
    () => badHeader("content-type"),
  ],
  [
    "upload: Content-Type '/plain'",
    async () => upload(`?token=${await token()}`, { "Content-Type": "/plain" }),
    () => badHeader("content-type"),
  ],
  [
    "upload: Content-Type with an unclosed quote",
    async () => upload(`?token=${await token()}`, { "Content-Type": 'text/plain; a="b' }),
    () => badHeader("content-type"),
  ],
  [
    "upload: Digest md5",
    async () => upload(`?token=${await token()}`, { Digest: "md5=abc" }),
    () => badHeader("digest"),
  ],
  [
    "upload: a short sha-256 Digest",
    async () => upload(`?token=${await token()}`, { Digest: "sha-256=abc=" }),
    () => badHeader("digest"),
  ],
  // Fidelity: only the first Digest header is decoded (common/src/sha256.rs `values.next()`).
  [
    "upload: two Digest headers, the first malformed",
    async () =>
      raw(
        request(`POST /api/storage/upload?token=${await token()} HTTP/1.1`, [
          "Digest: sha-256=AAAA",
          `Digest: sha-256=${fixtures.empty.sha256}`,
          "Content-Length: 0",
        ]),
      ),
    () => badHeader("digest"),
  ],
  [
    "upload: a Digest of other bytes",
    async () => upload(`?token=${await token()}`, { Digest: `sha-256=${fixtures.png.sha256}` }),
    () =>
      json(
        400,
        "Sha256Mismatch",
        `Sha256 mismatch. Expected: ${fixtures.png.sha256} Actual: ${sha256(new TextEncoder().encode("x"))}`,
      ),
  ],
  [
    "upload: Content-Length over maxFileBytes",
    async () =>
      raw(request(`POST /api/storage/upload?token=${await token()} HTTP/1.1`, [`Content-Length: ${2 * MiB}`])),
    () =>
      json(
        413,
        "FileTooLarge",
        `${P} The file is larger than maxFileBytes (${MiB} bytes); nothing was stored. Raise maxFileBytes (--max-file-bytes) to allow it.`,
      ),
  ],
  [
    "upload: Content-Length over maxTotalBytes",
    async () =>
      raw(request(`POST /api/storage/upload?token=${await token()} HTTP/1.1`, [`Content-Length: ${600 * 1024}`])),
    () =>
      json(
        507,
        "StorageFull",
        `${P} Storing this file would exceed maxTotalBytes (${512 * 1024} bytes); nothing was stored. Delete files, reset(), or raise maxTotalBytes.`,
      ),
  ],

  // serve: paths
  [
    "serve: ..%2F..%2Fetc%2Fpasswd",
    () => http("/api/storage/..%2F..%2Fetc%2Fpasswd"),
    () => badPath("../../etc/passwd"),
  ],
  [
    "serve: /../../etc/passwd, unnormalized",
    () => raw(request("GET /api/storage/../../etc/passwd HTTP/1.1")),
    () => noRoute("GET", "/api/storage/../../etc/passwd"),
  ],
  [
    "serve: %2e%2e%2f%2e%2e%2fetc%2fpasswd",
    () => http("/api/storage/%2e%2e%2f%2e%2e%2fetc%2fpasswd"),
    () => badPath("../../etc/passwd"),
  ],
  [
    "serve: a UUID and an encoded NUL byte",
    () => http(`/api/storage/${seeded.uuid}%00`),
    () => badPath(`${seeded.uuid}\0`),
  ],
  [
    "serve: a UUID and an encoded ../..",
    () => http(`/api/storage/${seeded.uuid}%2F..%2F..%2Fetc`),
    () => badPath(`${seeded.uuid}/../../etc`),
  ],
  ["serve: a malformed %-escape", () => http("/api/storage/%E0%A4%A"), () => badPath("%E0%A4%A")],
  [
    "serve: a storage id instead of a UUID",
    () => http(`/api/storage/${seeded.storageId}`),
    () => badPath(seeded.storageId),
  ],
  ["serve: an empty id", () => http("/api/storage/"), () => badPath("")],
  [
    "serve: a UUID of no file",
    () => http(`/api/storage/${someUuid}`),
    () => json(404, "FileNotFound", `File ${someUuid} not found`),
  ],
  // Fidelity: the 404 names the UUID as the uuid crate prints it: hyphenated, lower case.
  [
    "serve: an upper-case UUID of no file",
    () => http(`/api/storage/${someUuid.toUpperCase()}`),
    () => json(404, "FileNotFound", `File ${someUuid} not found`),
  ],
  [
    "serve: an absolute-form target",
    () => raw(request(`GET http://evil.example/api/storage/${seeded.uuid} HTTP/1.1`)),
    () => noRoute("GET", `http://evil.example/api/storage/${seeded.uuid}`),
  ],

  // serve: Range on the 256-byte file
  // (headers 0.4.0 range.rs: specs that do not parse as u64 bounds are dropped; not exactly one left is an empty 416)
  ["serve: two ranges", () => range("bytes=0-1,5-6"), () => notOneRange],
  ["serve: 2000 ranges", () => range(`bytes=${"0-0,".repeat(2000)}`), () => notOneRange],
  ["serve: a first position past the end", () => range("bytes=300-"), () => unsatisfiable],
  ["serve: a first position of 2^64-1", () => range("bytes=18446744073709551615-"), () => unsatisfiable],
  [
    "serve: a last position of 2^64-1 is clamped",
    () => range("bytes=0-18446744073709551615"),
    () => ({ status: 206, body: allBytes, headers: { "content-range": "bytes 0-255/256" } }),
  ],
  [
    "serve: a 20-digit first position is past u64: no range",
    () => range("bytes=99999999999999999999-"),
    () => notOneRange,
  ],
  [
    "serve: a 20-digit last position is past u64: no range",
    () => range("bytes=0-99999999999999999999"),
    () => notOneRange,
  ],
  ["serve: a 20-digit suffix is past u64: no range", () => range("bytes=-99999999999999999999"), () => notOneRange],
  ["serve: bytes=--1 is no range", () => range("bytes=--1"), () => notOneRange],
  ["serve: bytes=1-2-3 is no range", () => range("bytes=1-2-3"), () => notOneRange],
  ["serve: bytes=0x10- is no range", () => range("bytes=0x10-"), () => notOneRange],
  ["serve: bytes=abc is no range", () => range("bytes=abc"), () => notOneRange],
  ["serve: a byte past ASCII: not a Range header (HeaderValue::to_str), ignored", () => range("bytes=0-1\xa0"), whole],
  ["serve: Bytes=0-1 is another unit: ignored", () => range("Bytes=0-1"), whole],
  ["serve: bytes=5-2 is unsatisfiable (RFC 9110: invalid)", () => range("bytes=5-2"), () => unsatisfiable],

  // methods and request lines
  [
    "upload: method FOO",
    () => raw(request("FOO /api/storage/upload HTTP/1.1"), ["connection"]),
    () => nodeRefusal(400),
  ],
  [
    "upload: PROPFIND",
    () => http("/api/storage/upload", { method: "PROPFIND" }, ["allow"]),
    () => ({ status: 405, body: "", headers: { allow: "POST" } }),
  ],
  [
    "upload: PUT",
    () => http("/api/storage/upload", { method: "PUT", body: "x" }, ["allow"]),
    () => ({ status: 405, body: "", headers: { allow: "POST" } }),
  ],
  [
    "serve: TRACE",
    () => http(`/api/storage/${seeded.uuid}`, { method: "TRACE" }, ["allow"]),
    () => ({ status: 405, body: "", headers: { allow: "GET,HEAD" } }),
  ],
  ["server: a request line that is not HTTP", () => raw("HELLO\r\n\r\n", ["connection"]), () => nodeRefusal(400)],
  ["server: an HTTP/2 preface", () => raw("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n", ["connection"]), () => nodeRefusal(400)],
  ["server: an unknown /api path", () => http("/api/unknown"), () => noRoute("GET", "/api/unknown")],

  // admin routes: wrong ids
  ["admin: GET files/nope", () => http("/_emulator/files/nope"), () => noAdminFile("nope")],
  [
    "admin: bytes of another table's id",
    () => http(`/_emulator/files/${otherTableId}/bytes`),
    () => noAdminFile(otherTableId),
  ],
  [
    "admin: a well-formed id of no file",
    async () => {
      const id = missingStorageId();
      const res = await http(`/_emulator/files/${id}`);
      return {
        ...res,
        body: { ...(res.body as object), message: (res.body as { message: string }).message.replace(id, "<id>") },
      };
    },
    () => noAdminFile("<id>"),
  ],
  [
    "admin: DELETE a traversal path",
    () => http("/_emulator/files/..%2F..%2Fetc%2Fpasswd", { method: "DELETE" }),
    () => noAdminFile("../../etc/passwd"),
  ],
  [
    "admin: a malformed %-escape is JSON, not Express's HTML page",
    () => http("/_emulator/files/%E0%A4%A"),
    () => noAdminFile("%E0%A4%A"),
  ],
  [
    "admin: POST health",
    () => http("/_emulator/health", { method: "POST" }),
    () => noRoute("POST", "/_emulator/health"),
  ],
];

describe("bad input", () => {
  it("catalogue: has at least 40 rows", () => {
    expect(rows.length).toBeGreaterThanOrEqual(40);
  });

  it.each(rows)("%s", async (_name, run, expected) => {
    expect(await run()).toEqual(expected());
  });

  it("catalogue: afterwards the server answers health, and no input created a file", async () => {
    const health = await send(`${server.url}/_emulator/health`);
    expect(health.status).toBe(200);
    expect(JSON.parse(health.body.toString())).toMatchObject({ ok: true, files: 1, totalBytes: 256 });
    expect(emulator.files().map((f) => f.storageId)).toEqual([seeded.storageId]);
    expect(emulator.bytes(seeded.storageId)).toEqual(fixtures.allBytes.bytes);
    expect(emulator.fileStore.totalBytes).toBe(256);
  });
});

describe("bad paths on the command line", () => {
  const { defer } = cleanupAfterEach();
  const cliRows: [name: string, args: () => string[], code: number, stderr: () => string][] = [
    // resolve("") is the working directory: an empty --persist must not quietly mean "here".
    [
      "--persist ''",
      () => ["--persist", ""],
      2,
      () => "convex-storage-emulator: --persist must not be empty. Run convex-storage-emulator --help for usage.\n",
    ],
    [
      "--persist a file",
      () => ["--persist", join(tmp, "a-file")],
      1,
      () =>
        `convex-storage-emulator: Invalid option \`persist\`: cannot keep files in "${join(tmp, "a-file")}" (ENOTDIR); expected a directory this process can write.\n`,
    ],
    [
      "--seed a file",
      () => ["--seed", join(tmp, "a-file")],
      1,
      () => `convex-storage-emulator: --seed: cannot read directory "${join(tmp, "a-file")}": ENOTDIR\n`,
    ],
    ["--seed ''", () => ["--seed", ""], 1, () => 'convex-storage-emulator: --seed: cannot read directory "": ENOENT\n'],
  ];

  it.each(cliRows)("cli: %s fails with one line", async (_name, args, code, stderr) => {
    const cli = runCli(["--port", "0", ...args()], defer);
    expect(await cli.exited).toBe(code);
    expect(cli.output()).toBe(stderr());
  });
});
