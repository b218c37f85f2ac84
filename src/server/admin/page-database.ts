// The admin page's Database section (part of page.js, see page-script.ts): the
// connected app's tables and newest documents from GET /_emulator/database, each
// `_storage` document linked to its row in the files table and to its file URL.
// Refreshed when the live feed says something may have changed, once per burst.
// Every value is inserted with textContent, never as HTML.
import { ADMIN_ROUTES } from "../../paths.js";

/** Longest compact JSON shown for one document (the rest is cut, with an ellipsis). */
const SHOWN_JSON = 500;

export const DATABASE_SCRIPT = `
// --- the database -------------------------------------------------------------
const plural = (n, word) => n + " " + word + (n === 1 ? "" : "s");
function link(href, text, className) {
  const a = document.createElement("a");
  a.href = href;
  a.textContent = text;
  a.className = className;
  return a;
}
function documentRow(body, table, doc) {
  const row = body.insertRow();
  row.dataset.id = doc._id;
  cell(row, doc._id, "mono nowrap");
  const { _id, ...fields } = doc;
  const json = JSON.stringify(fields);
  const shown = cell(row, json.length > ${SHOWN_JSON} ? json.slice(0, ${SHOWN_JSON - 1}) + "…" : json, "mono json");
  if (json.length > ${SHOWN_JSON}) shown.title = json.length + " characters";
  if (table.name !== "_storage") return;
  const td = row.insertCell();
  td.className = "nowrap";
  const file = table.files && table.files[doc._id];
  if (!file) return void (td.textContent = "(no file held)");
  const url = link(file.url, "File URL", "file-url");
  url.target = "_blank";
  url.rel = "noopener";
  td.append(link("#file-" + encodeURIComponent(doc._id), "File row", "file-row"), " ", url);
}
async function refreshDatabase() {
  const view = await (await fetch(${JSON.stringify(`.${ADMIN_ROUTES.database}`)})).json();
  const root = $("database");
  root.replaceChildren();
  if (!view.connected) {
    $("database-summary").textContent = "No app connected (connectConvexTest or --convex): there is no database to show.";
    return;
  }
  $("database-summary").textContent =
    plural(view.tables.length, "table") + ", the newest " + view.limit + " documents of each." + (view.reason ? " " + view.reason : "");
  for (const table of view.tables) {
    const section = document.createElement("section");
    section.dataset.table = table.name;
    const heading = document.createElement("h3");
    const more = table.count > table.documents.length ? ", newest " + table.documents.length + " shown" : "";
    heading.textContent = table.name + " (" + plural(table.count, "document") + more + ")";
    section.append(heading);
    if (table.documents.length > 0) {
      const list = document.createElement("table");
      list.setAttribute("aria-label", "Documents of " + table.name + ", newest first");
      const body = list.createTBody();
      for (const doc of table.documents) documentRow(body, table, doc);
      section.append(list);
    }
    root.append(section);
  }
}
let databaseQueued;
function scheduleDatabase() {
  if (!databaseQueued) databaseQueued = setTimeout(() => { databaseQueued = undefined; void refreshDatabase().catch(() => {}); }, 50);
}
`;
