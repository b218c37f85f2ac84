// GET /_emulator/: a small dev tool. The stored files (image thumbnails and
// dimensions, text and JSON previews, download, delete), an upload form, a
// form that queues a fault, and the request journal, live (server-sent
// events from ./events, newest first, filtered by route and status), the
// calls of the app's functions by Convex's clients, live too, and the
// connected app's database (page-database.ts). Plain
// HTML and a script served beside it (page-script.ts): no build step. All
// data comes from the admin JSON routes and is inserted as text, never as
// HTML. URLs are relative to the page, so a path-prefixed origin works too.
import type { IncomingMessage, ServerResponse } from "node:http";
import { ADMIN_ROUTES, STORAGE_ROUTES, OPERATIONS } from "../../paths.js";
import { pathOf, sendText } from "../http-util.js";
import { PAGE_SCRIPT } from "./page-script.js";

const option = (value: string) => `<option value="${value}">${value}</option>`;

const PAGE = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>convex-storage-emulator</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="color-scheme" content="light dark">
<style>
  :root { font-family: system-ui, sans-serif; --fg: #1d1d1f; --muted: #555; --bg: #fafafa; --card: #fff; --line: #e6e6e9;
    --head: #f0f0f3; --accent: #2457d6; --bad: #b00; --ok: #17753a; color: var(--fg); background: var(--bg); }
  @media (prefers-color-scheme: dark) {
    :root { --fg: #e8e8ea; --muted: #a0a0a8; --bg: #141416; --card: #1d1d20; --line: #2e2e33; --head: #26262b;
      --accent: #8fb0ff; --bad: #ff8a80; --ok: #7fd69a; }
  }
  body { margin: 1.5rem 2rem; }
  h1 { font-size: 1.4rem; margin: 0 0 .25rem; }
  h2 { font-size: 1.1rem; margin: 1.5rem 0 .5rem; }
  .summary, .hint { color: var(--muted); margin: 0 0 1rem; }
  .bar { display: flex; gap: .75rem; align-items: center; margin-bottom: 1rem; flex-wrap: wrap; }
  form { display: flex; gap: .5rem; align-items: center; flex-wrap: wrap; }
  table { border-collapse: collapse; width: 100%; background: var(--card); box-shadow: 0 1px 3px #0003; }
  th, td { text-align: left; padding: .45rem .7rem; border-bottom: 1px solid var(--line); vertical-align: top; font-size: .85rem; }
  th { background: var(--head); font-weight: 600; }
  .mono { font-family: ui-monospace, monospace; font-size: .78rem; word-break: break-all; }
  .nowrap { white-space: nowrap; }
  .num { text-align: right; font-variant-numeric: tabular-nums; }
  img.thumb { width: 48px; height: 48px; object-fit: contain; image-rendering: pixelated; border: 1px solid var(--line); background: #fff; }
  pre.preview { margin: 0; max-width: 28rem; max-height: 5.5em; overflow: hidden; font-size: .72rem; white-space: pre-wrap; color: var(--muted); }
  button, select, input { font: inherit; color: inherit; }
  button, select, input[type=number] { padding: .3rem .6rem; border-radius: 6px; border: 1px solid var(--line); background: var(--card); }
  button { cursor: pointer; }
  button.danger { border-color: var(--bad); color: var(--bad); }
  a { color: var(--accent); }
  :focus-visible { outline: 2px solid var(--accent); outline-offset: 2px; }
  .empty { padding: 1.5rem; text-align: center; color: var(--muted); }
  tr.failed td.status { color: var(--bad); font-weight: 600; }
  tr.succeeded td.status { color: var(--ok); }
  .live { font-size: .8rem; color: var(--muted); }
  h3 { font-size: .95rem; margin: 1rem 0 .4rem; }
  td.json { max-width: 40rem; }
</style>
<script src=".${ADMIN_ROUTES.pageScript}" defer></script>
</head>
<body>
<header>
  <h1>convex-storage-emulator</h1>
  <p class="summary" id="summary" aria-live="polite">Loading…</p>
</header>
<main>
<div class="bar">
  <form id="upload"><label for="file">File</label> <input type="file" id="file" name="file"> <button type="submit">Upload</button></form>
  <button type="button" id="reset" class="danger">Reset (delete every file)</button>
</div>
<table aria-label="Stored files">
  <thead><tr><th>Preview</th><th>Storage id</th><th>Type</th><th class="num">Size</th><th>Image</th><th>SHA-256</th><th>Created</th><th>Actions</th></tr></thead>
  <tbody id="files"></tbody>
</table>

<h2 id="faults-heading">Queue a fault</h2>
<form id="fault" aria-labelledby="faults-heading">
  <label for="fault-route">Route</label>
  <select id="fault-route" name="route">${[...STORAGE_ROUTES, ...OPERATIONS].map(option).join("")}</select>
  <label for="fault-status">Status</label>
  <input type="number" id="fault-status" name="status" min="400" max="599" value="500">
  <button type="submit">Queue</button>
  <span id="fault-result" class="hint" aria-live="polite"></span>
</form>
<p class="hint">The next request or call of that route fails (HTTP routes answer the status; ctx.storage operations throw).</p>

<h2 id="journal-heading">Requests <span class="live" id="live">connecting…</span></h2>
<form id="journal-filter" aria-labelledby="journal-heading">
  <label for="filter-route">Route</label>
  <select id="filter-route"><option value="">any</option>${["upload", "serve", "cors", "action", "function", "admin", "unknown", "storage"].map(option).join("")}</select>
  <label for="filter-status">Status</label>
  <select id="filter-status"><option value="">any</option><option value="ok">succeeded</option><option value="failed">failed</option></select>
</form>
<table aria-label="Request journal, newest first">
  <thead><tr><th>Time</th><th>Method</th><th>Route</th><th>Path or operation</th><th class="num">Status</th><th class="num">Size</th><th class="num">Duration</th></tr></thead>
  <tbody id="journal"></tbody>
</table>

<h2 id="calls-heading">Function calls</h2>
<p class="hint">The app's functions as Convex's clients called them (sync WebSocket, HTTP API), newest first.</p>
<table aria-labelledby="calls-heading">
  <thead><tr><th>Time</th><th>Kind</th><th>Function</th><th>Arguments</th><th>Client</th><th>Outcome</th><th class="num">Duration</th></tr></thead>
  <tbody id="calls"></tbody>
</table>

<h2 id="database-heading">Database</h2>
<p class="hint" id="database-summary" aria-live="polite">Loading…</p>
<div id="database" aria-labelledby="database-heading"></div>
</main>
</body>
</html>
`;

const SECURITY_HEADERS = {
  "Content-Security-Policy":
    "default-src 'self'; img-src 'self' data: blob: http: https:; connect-src 'self' http: https:; style-src 'unsafe-inline'; script-src 'self'",
  "X-Content-Type-Options": "nosniff",
  "Cache-Control": "no-store",
};

export function sendPage(req: IncomingMessage, res: ServerResponse): void {
  // The page's URLs are relative: at the mount without its slash they would miss it.
  const path = pathOf(req);
  if (!path.endsWith("/")) {
    const url = req.url ?? "";
    const query = url.includes("?") ? url.slice(url.indexOf("?")) : "";
    res.statusCode = 308;
    res.setHeader("Location", `${path.slice(path.lastIndexOf("/") + 1)}/${query}`);
    res.setHeader("Content-Length", 0);
    res.end();
    return;
  }
  sendPagePart(res, "text/html; charset=utf-8", PAGE);
}

export function sendPageScript(_req: IncomingMessage, res: ServerResponse): void {
  sendPagePart(res, "text/javascript; charset=utf-8", PAGE_SCRIPT);
}

function sendPagePart(res: ServerResponse, contentType: string, text: string): void {
  for (const [name, value] of Object.entries(SECURITY_HEADERS)) res.setHeader(name, value);
  sendText(res, 200, contentType, text);
}
