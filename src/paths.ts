// Every route path of the HTTP surface, the URL builders, and the names of
// the ctx.storage operations. Spelled here once: the server routes on these,
// the storage views and the CLI banner build URLs with them, and the journal,
// fault and error types derive from OPERATIONS.

/** The ctx.storage operations, as Convex names them. */
export const OPERATIONS = ["store", "get", "getUrl", "delete", "generateUploadUrl", "getMetadata"] as const;
export type StorageOperation = (typeof OPERATIONS)[number];

/** The ctx.storage operations that take a storage id (and name themselves in its errors). */
export type StorageMethod = Exclude<StorageOperation, "generateUploadUrl" | "store">;

/** The HTTP routes of Convex's storage protocol (faults apply to these too). */
export const STORAGE_ROUTES = ["upload", "serve"] as const;
export type StorageRoute = (typeof STORAGE_ROUTES)[number];

// --- Convex's storage protocol (the cloud origin) ---------------------------

/** Everything Convex serves under /api/ gets its CORS. */
export const API_PREFIX = "/api/";
// Fidelity: crates/local_backend/src/router.rs mounts storage at /api/storage.
export const UPLOAD_PATH = "/api/storage/upload";
/** `GET|HEAD /api/storage/<uuid>`. */
export const FILE_PREFIX = "/api/storage/";

/**
 * HTTP actions on the cloud origin, the prefix stripped from the path they see. Fidelity:
 * crates/local_backend/src/router.rs nests `/http/` after the CORS layer (no /api CORS).
 */
export const CLOUD_ACTIONS_PREFIX = "/http/";

/** The URL `ctx.storage.getUrl()` returns for a file. */
export function fileUrl(origin: string, uuid: string): string {
  return `${origin}${FILE_PREFIX}${uuid}`;
}

/** The URL `generateUploadUrl()` returns. */
export function uploadUrl(origin: string, token: string): string {
  return `${origin}${UPLOAD_PATH}?token=${token}`;
}

/** The file UUID a path names, or null when the path is not a file URL's (`/api/storage/<one segment>`). */
export function fileIdOfPath(path: string): string | null {
  if (!path.startsWith(FILE_PREFIX) || path.includes("/", FILE_PREFIX.length)) return null;
  return path.slice(FILE_PREFIX.length);
}

// --- Convex's client protocols (the cloud origin, served while functions are connected) ---

// Fidelity: get-convex/convex-backend crates/local_backend/src/public_api.rs public_api_router,
// nested under /api (router.rs); what ConvexHttpClient posts to (convex-js src/browser/http_client.ts).
export const CLIENT_API_ROUTES = {
  query: "/api/query",
  mutation: "/api/mutation",
  action: "/api/action",
  queryTs: "/api/query_ts",
  queryAtTs: "/api/query_at_ts",
  /** Any kind of function, by `path` in the body (ConvexHttpClient's internal `function()`). */
  anyFunction: "/api/function",
} as const;
/** `POST /api/run/<module path>/<function>`: any function by URL (the docs' HTTP API). */
export const CLIENT_RUN_PREFIX = "/api/run/";

/**
 * The sync WebSocket's path: convex/browser connects to `/api/<client version>/sync`
 * (convex-js src/browser/sync/client.ts); the backend routes any version segment (router.rs).
 */
export function isSyncPath(path: string): boolean {
  return /^\/api\/[^/]+\/sync$/.test(path);
}

// --- The emulator's own admin routes ----------------------------------------

/** Where the admin routes are mounted; nothing under it exists on a real deployment. */
export const ADMIN_MOUNT = "/_emulator";

/**
 * Admin routes, relative to ADMIN_MOUNT; `:storageId` is one path segment (matchRoute). The
 * admin page uses them relative to its own URL, so a path-prefixed origin works.
 */
export const ADMIN_ROUTES = {
  page: "/",
  pageScript: "/page.js",
  health: "/health",
  files: "/files",
  file: "/files/:storageId",
  fileBytes: "/files/:storageId/bytes",
  reset: "/reset",
  uploadUrl: "/upload-url",
  seed: "/seed",
  journal: "/journal",
  functionCalls: "/journal/functions",
  faults: "/faults",
  events: "/events",
  database: "/database",
} as const;

/** Every admin answer carries this header (the version): a remote handle trusts no answer without it. */
export const ADMIN_ANSWER_HEADER = "x-convex-storage-emulator";

/** An admin route's absolute URL on `origin`, e.g. adminUrl(origin, "uploadUrl"). */
export function adminUrl(origin: string, route: Exclude<keyof typeof ADMIN_ROUTES, "file" | "fileBytes">): string {
  return `${origin}${ADMIN_MOUNT}${ADMIN_ROUTES[route]}`;
}

/**
 * Matches a path below a mount (e.g. "/files/abc") against a route pattern (e.g.
 * "/files/:storageId"): the raw, still %-encoded segments the `:name`s stand for, or null. One
 * trailing slash is ignored, so "/files/" is "/files" (as Express's default routing had it).
 */
export function matchRoute(pattern: string, path: string): Record<string, string> | null {
  const wanted = pattern.split("/");
  const given = (path.length > 1 && path.endsWith("/") ? path.slice(0, -1) : path).split("/");
  if (wanted.length !== given.length) return null;
  const params: Record<string, string> = {};
  for (let i = 0; i < wanted.length; i++) {
    const part = wanted[i]!;
    const value = given[i]!;
    if (part.startsWith(":") && value !== "") params[part.slice(1)] = value;
    else if (part !== value) return null;
  }
  return params;
}

/** True for the admin mount itself and every path below it. */
export function isAdminPath(path: string): boolean {
  return path === ADMIN_MOUNT || path.startsWith(`${ADMIN_MOUNT}/`);
}
