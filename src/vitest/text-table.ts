// Plain-text tables for messages a person reads, drawn like console.table
// (and undici MockAgent's pendingInterceptors table) but with a fixed,
// Node-version-independent layout, so the messages can be pinned in tests.

/** A cell: text is left-aligned, numbers right-aligned, null is written "null". */
export type Cell = string | number | null;

// Wide enough for a base64 SHA-256 (44) and a storage id (32); longer text is cut with "…".
const MAX_CELL = 48;

/** Draws rows under a header line. A column of numbers only is right-aligned. */
export function textTable(headers: readonly string[], rows: readonly (readonly Cell[])[]): string {
  const all = [headers, ...rows.map((row) => row.map(cellText))];
  const numeric = headers.map((_, c) => rows.length > 0 && rows.every((row) => typeof row[c] === "number"));
  const widths = all[0]!.map((_, c) => Math.max(...all.map((row) => row[c]!.length)));
  const rule = (left: string, mid: string, right: string) =>
    `${left}${widths.map((w) => "─".repeat(w + 2)).join(mid)}${right}`;
  const line = (row: readonly string[], header: boolean) =>
    `│${row.map((text, c) => ` ${!header && numeric[c] ? text.padStart(widths[c]!) : text.padEnd(widths[c]!)} `).join("│")}│`;
  return [
    rule("┌", "┬", "┐"),
    line(all[0]!, true),
    rule("├", "┼", "┤"),
    ...all.slice(1).map((row) => line(row, false)),
    rule("└", "┴", "┘"),
  ].join("\n");
}

function cellText(cell: Cell): string {
  const text = cell === null ? "null" : String(cell);
  return text.length > MAX_CELL ? `${text.slice(0, MAX_CELL - 1)}…` : text;
}
