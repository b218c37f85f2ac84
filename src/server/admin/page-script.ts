// The admin page's script (served as ./page.js beside the page). Plain
// browser JavaScript in a string: no build step. Every value from the
// emulator is inserted with textContent, never as HTML.
import { ADMIN_ROUTES } from "../../paths.js";
import { DATABASE_SCRIPT } from "./page-database.js";

/** An admin route relative to the page (served at the mount with a trailing slash). */
const rel = (route: string) => JSON.stringify(`.${route}`);
const FILES = rel(ADMIN_ROUTES.files);

export const PAGE_SCRIPT = `"use strict";
const $ = (id) => document.getElementById(id);
const MAX_ROWS = 500;
const cell = (row, text, className) => {
  const td = row.insertCell();
  td.textContent = text;
  if (className) td.className = className;
  return td;
};
const human = (bytes) => {
  if (bytes < 1024) return bytes + " B";
  const units = ["KiB", "MiB", "GiB"];
  let value = bytes / 1024, unit = 0;
  while (value >= 1024 && unit < units.length - 1) { value /= 1024; unit++; }
  return (value < 10 ? value.toFixed(1) : Math.round(value)) + " " + units[unit];
};
const isText = (type) => /^text\\/|^application\\/(json|xml|javascript)|\\+(json|xml)(;|$)/.test(type || "");

async function preview(file, td) {
  // The first KiB through the file's own URL (a Range request), then its first lines.
  const res = await fetch(file.url, { headers: { Range: "bytes=0-1023" } });
  if (!res.ok) return;
  const lines = (await res.text()).split("\\n").slice(0, 4).join("\\n");
  const pre = document.createElement("pre");
  pre.className = "preview";
  pre.textContent = lines;
  td.append(pre);
}

async function refresh() {
  const { files } = await (await fetch(${FILES})).json();
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
    // The target of a _storage document's "File row" link (page-database.ts).
    row.id = "file-" + file.storageId;
    const shown = row.insertCell();
    if (file.image) {
      const img = document.createElement("img");
      img.className = "thumb";
      img.alt = file.image.format + " " + file.image.width + "×" + file.image.height;
      img.src = file.url;
      shown.append(img);
    } else if (isText(file.contentType) && file.size > 0) {
      void preview(file, shown).catch(() => {});
    }
    cell(row, file.storageId, "mono");
    cell(row, file.contentType === null ? "(none)" : file.contentType);
    const size = cell(row, human(file.size), "num nowrap");
    size.title = file.size + " bytes";
    cell(row, file.image ? file.image.format + " " + file.image.width + "×" + file.image.height : "", "nowrap image");
    cell(row, file.sha256, "mono");
    cell(row, new Date(file.creationTime).toLocaleString());
    const actions = row.insertCell();
    actions.className = "nowrap";
    const download = document.createElement("a");
    download.href = ${FILES} + "/" + encodeURIComponent(file.storageId) + "/bytes";
    download.textContent = "Download";
    download.setAttribute("download", "");
    const del = document.createElement("button");
    del.className = "danger delete";
    del.textContent = "Delete";
    del.setAttribute("aria-label", "Delete " + file.storageId);
    del.addEventListener("click", async () => {
      await fetch(${FILES} + "/" + encodeURIComponent(file.storageId), { method: "DELETE" });
      await refresh();
    });
    actions.append(download, " ", del);
  }
}

// --- the live journal -------------------------------------------------------
const failed = (e) => (e.type === "storage" ? e.outcome === "error" : e.status === 0 || e.status >= 400);
const routeOf = (e) => (e.type === "storage" ? "storage" : e.route);
function shows(row) {
  const route = $("filter-route").value, status = $("filter-status").value;
  return (!route || row.dataset.route === route) && (!status || (status === "failed") === (row.dataset.failed === "true"));
}
function addEntry(e) {
  const row = $("journal").insertRow(0);
  row.dataset.route = routeOf(e);
  row.dataset.failed = String(failed(e));
  row.className = failed(e) ? "failed" : "succeeded";
  cell(row, new Date(e.at).toLocaleTimeString(), "nowrap");
  cell(row, e.type === "storage" ? "ctx.storage" : e.method, "nowrap");
  cell(row, routeOf(e));
  cell(row, e.type === "storage" ? e.operation + (e.storageId ? " " + e.storageId : "") : e.path, "mono");
  const status = e.type === "storage" ? e.outcome : e.status === 0 ? "cut off" : String(e.status);
  const td = cell(row, status + (e.errorCode ? " " + e.errorCode : ""), "num status nowrap");
  if (e.errorMessage) td.title = e.errorMessage;
  cell(row, e.type === "storage" ? (e.bytes === undefined ? "" : human(e.bytes)) : human(e.bytesIn + e.bytesOut), "num nowrap");
  cell(row, e.durationMs.toFixed(1) + " ms", "num nowrap");
  row.hidden = !shows(row);
  while ($("journal").rows.length > MAX_ROWS) $("journal").deleteRow(-1);
}
// --- client function calls (Convex's clients: sync WebSocket, HTTP API) ---------
function addCall(c) {
  const row = $("calls").insertRow(0);
  row.dataset.path = c.path;
  row.dataset.client = c.client;
  row.className = c.outcome === "ok" ? "succeeded" : "failed";
  cell(row, new Date(c.at).toLocaleTimeString(), "nowrap");
  cell(row, c.kind);
  cell(row, c.path, "mono");
  const args = JSON.stringify(c.args);
  cell(row, args.length > 300 ? args.slice(0, 299) + "…" : args, "mono json");
  cell(row, c.client === "ws" ? "WebSocket" : "HTTP API", "nowrap");
  cell(row, c.outcome === "ok" ? "ok" : "error: " + (c.errorMessage || ""), "status");
  cell(row, c.durationMs.toFixed(1) + " ms", "num nowrap");
  while ($("calls").rows.length > MAX_ROWS) $("calls").deleteRow(-1);
}
${DATABASE_SCRIPT}
let refreshing;
const changesFiles = (e) =>
  e.type === "storage" ? e.operation === "store" || e.operation === "delete" : !["GET", "HEAD", "OPTIONS"].includes(e.method);
const events = new EventSource(${rel(ADMIN_ROUTES.events)});
events.addEventListener("open", () => ($("live").textContent = "live"));
events.addEventListener("error", () => ($("live").textContent = "reconnecting…"));
events.addEventListener("entry", (message) => {
  const entry = JSON.parse(message.data);
  addEntry(entry);
  // Another tab, a test or the app changed the files: show them (once per burst).
  if (changesFiles(entry) && !refreshing) refreshing = setTimeout(() => { refreshing = undefined; void refresh(); }, 50);
  if (changesFiles(entry)) scheduleDatabase();
});
events.addEventListener("call", (message) => {
  const call = JSON.parse(message.data);
  addCall(call);
  // A query reads; anything else may have written.
  if (call.kind !== "query") scheduleDatabase();
});
for (const id of ["filter-route", "filter-status"]) {
  $(id).addEventListener("change", () => { for (const row of $("journal").rows) row.hidden = !shows(row); });
}

// --- controls -------------------------------------------------------------------
$("reset").addEventListener("click", async () => {
  if (!confirm("Delete every stored file?")) return;
  await fetch(${rel(ADMIN_ROUTES.reset)}, { method: "POST" });
  $("journal").replaceChildren();
  $("calls").replaceChildren();
  await Promise.all([refresh(), refreshDatabase()]);
});
$("upload").addEventListener("submit", async (event) => {
  event.preventDefault();
  const file = $("file").files[0];
  if (!file) return;
  const { uploadUrl } = await (await fetch(${rel(ADMIN_ROUTES.uploadUrl)}, { method: "POST" })).json();
  await fetch(uploadUrl, { method: "POST", headers: file.type ? { "Content-Type": file.type } : {}, body: file });
  $("file").value = "";
  await refresh();
});
$("fault").addEventListener("submit", async (event) => {
  event.preventDefault();
  const route = $("fault-route").value;
  const fault = ["upload", "serve"].includes(route) ? { route, status: Number($("fault-status").value) } : { route };
  const res = await fetch(${rel(ADMIN_ROUTES.faults)}, { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(fault) });
  const body = await res.json();
  $("fault-result").textContent = res.ok ? "Queued for the next " + route + "." : body.message;
  $("fault-result").dataset.state = res.ok ? "queued" : "refused";
});
refresh();
void refreshDatabase().catch(() => {});
`;
