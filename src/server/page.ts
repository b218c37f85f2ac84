// GET /_emulator/: a page listing stored files, with image previews, download
// links, delete and reset buttons, and an upload form. Plain HTML and a small
// script served beside it (no build step); all data comes from the admin JSON
// routes and is inserted as text, never as HTML. URLs are relative to the
// page, so an emulator mounted under a path prefix works too.
import type { Request, Response } from "express";
import { ADMIN_ROUTES } from "../paths.js";

/** An admin route relative to the page (served at the mount with a trailing slash). */
const rel = (route: string) => `.${route}`;

const PAGE = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>convex-storage-emulator</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>
  :root { font-family: system-ui, sans-serif; color: #1d1d1f; background: #fafafa; }
  body { margin: 2rem; }
  h1 { font-size: 1.4rem; margin: 0 0 .25rem; }
  .summary { color: #555; margin: 0 0 1rem; }
  .bar { display: flex; gap: .75rem; align-items: center; margin-bottom: 1rem; flex-wrap: wrap; }
  table { border-collapse: collapse; width: 100%; background: #fff; box-shadow: 0 1px 3px #0002; }
  th, td { text-align: left; padding: .5rem .75rem; border-bottom: 1px solid #eee; vertical-align: middle; font-size: .85rem; }
  th { background: #f0f0f3; font-weight: 600; }
  td.mono { font-family: ui-monospace, monospace; font-size: .78rem; word-break: break-all; }
  img.thumb { width: 48px; height: 48px; object-fit: contain; image-rendering: pixelated; border: 1px solid #ddd; background: #fff; }
  td.nowrap { white-space: nowrap; }
  button { font: inherit; padding: .3rem .7rem; border-radius: 6px; border: 1px solid #bbb; background: #fff; cursor: pointer; }
  button.danger { border-color: #d33; color: #b00; }
  .empty { padding: 2rem; text-align: center; color: #777; }
</style>
<script src="${rel(ADMIN_ROUTES.pageScript)}" defer></script>
</head>
<body>
<h1>convex-storage-emulator</h1>
<p class="summary" id="summary">Loading…</p>
<div class="bar">
  <form id="upload"><input type="file" id="file" name="file"> <button type="submit">Upload</button></form>
  <button type="button" id="reset" class="danger">Reset (delete every file)</button>
</div>
<table>
  <thead><tr><th>Preview</th><th>Storage id</th><th>UUID</th><th>Type</th><th>Size</th><th>SHA-256</th><th>Created</th><th></th></tr></thead>
  <tbody id="files"></tbody>
</table>
</body>
</html>
`;

const SCRIPT = `"use strict";
const $ = (id) => document.getElementById(id);
const cell = (row, text, className) => {
  const td = row.insertCell();
  td.textContent = text;
  if (className) td.className = className;
  return td;
};
async function refresh() {
  const { files } = await (await fetch(${JSON.stringify(rel(ADMIN_ROUTES.files))})).json();
  const total = files.reduce((sum, f) => sum + f.size, 0);
  $("summary").textContent = files.length + " file" + (files.length === 1 ? "" : "s") + ", " + total + " bytes";
  const body = $("files");
  body.replaceChildren();
  if (files.length === 0) {
    const td = body.insertRow().insertCell();
    td.colSpan = 8;
    td.className = "empty";
    td.textContent = "No files stored yet.";
    return;
  }
  for (const file of files) {
    const row = body.insertRow();
    row.dataset.storageId = file.storageId;
    const preview = row.insertCell();
    if ((file.contentType || "").startsWith("image/")) {
      const img = document.createElement("img");
      img.className = "thumb";
      img.alt = file.storageId;
      img.src = file.url;
      preview.append(img);
    }
    cell(row, file.storageId, "mono");
    cell(row, file.uuid, "mono");
    cell(row, file.contentType === null ? "(none)" : file.contentType);
    cell(row, file.size + " B", "nowrap");
    cell(row, file.sha256, "mono");
    cell(row, new Date(file.creationTime).toLocaleString());
    const actions = row.insertCell();
    actions.className = "nowrap";
    const download = document.createElement("a");
    download.href = ${JSON.stringify(rel(ADMIN_ROUTES.files))} + "/" + encodeURIComponent(file.storageId) + "/bytes";
    download.textContent = "Download";
    download.setAttribute("download", "");
    const del = document.createElement("button");
    del.className = "danger delete";
    del.textContent = "Delete";
    del.addEventListener("click", async () => {
      await fetch(${JSON.stringify(rel(ADMIN_ROUTES.files))} + "/" + encodeURIComponent(file.storageId), { method: "DELETE" });
      await refresh();
    });
    actions.append(download, " ", del);
  }
}
$("reset").addEventListener("click", async () => {
  if (!confirm("Delete every stored file?")) return;
  await fetch(${JSON.stringify(rel(ADMIN_ROUTES.reset))}, { method: "POST" });
  await refresh();
});
$("upload").addEventListener("submit", async (event) => {
  event.preventDefault();
  const file = $("file").files[0];
  if (!file) return;
  const { uploadUrl } = await (await fetch(${JSON.stringify(rel(ADMIN_ROUTES.uploadUrl))}, { method: "POST" })).json();
  await fetch(uploadUrl, { method: "POST", headers: file.type ? { "Content-Type": file.type } : {}, body: file });
  $("file").value = "";
  await refresh();
});
refresh();
`;

const SECURITY_HEADERS = {
  "Content-Security-Policy": "default-src 'self'; img-src 'self' data: blob: http: https:; style-src 'unsafe-inline'; script-src 'self'",
  "X-Content-Type-Options": "nosniff",
  "Cache-Control": "no-store",
};

export function sendPage(req: Request, res: Response): void {
  // The page's URLs are relative: at the mount without its slash they would miss it.
  const [path = "", query] = req.originalUrl.split("?");
  if (!path.endsWith("/")) return res.redirect(308, `${path.slice(path.lastIndexOf("/") + 1)}/${query === undefined ? "" : `?${query}`}`);
  res.status(200).set({ ...SECURITY_HEADERS, "Content-Type": "text/html; charset=utf-8" }).send(PAGE);
}

export function sendPageScript(_req: Request, res: Response): void {
  res.status(200).set({ ...SECURITY_HEADERS, "Content-Type": "text/javascript; charset=utf-8" }).send(SCRIPT);
}
