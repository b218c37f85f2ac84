// GET /_emulator/events: the journal as server-sent events, for the admin
// page's live request list. On connect the most recent entries, oldest
// first, then each new entry as it is recorded. Event name "entry", data the
// entry as JSON.
import type { IncomingMessage, ServerResponse } from "node:http";
import type { Journal, JournalEntry } from "../../journal.js";

/** How many past entries a new subscriber gets first. */
const BACKLOG = 200;

export type JournalFeed = Pick<Journal, "entries" | "subscribe">;

export function sendJournalEvents(journal: JournalFeed, req: IncomingMessage, res: ServerResponse): void {
  res.writeHead(200, {
    "Content-Type": "text/event-stream; charset=utf-8",
    "Cache-Control": "no-store",
    "X-Content-Type-Options": "nosniff",
  });
  const send = (entry: JournalEntry) => res.write(`event: entry\ndata: ${JSON.stringify(entry)}\n\n`);
  for (const entry of journal.entries.slice(-BACKLOG)) send(entry);
  const unsubscribe = journal.subscribe(send);
  // The page is gone (or the server closes): stop feeding it.
  req.once("close", unsubscribe);
  res.once("close", unsubscribe);
}
