// GET /_emulator/events: the journal as server-sent events, for the admin
// page's live request list. The status line and headers go out at once (an
// EventSource opens on an empty journal too); then the most recent entries,
// oldest first, then each new entry as it is recorded (event "entry", data the
// entry as JSON), each client function call likewise (event "call", data the
// FunctionCallEntry), and a comment line as a heartbeat every so often.
// A subscriber that stops reading is disconnected once its unsent events pass
// a bound: its EventSource reconnects and gets the backlog again, so memory
// stays bounded however many entries are recorded meanwhile.
import type { IncomingMessage, ServerResponse } from "node:http";
import type { FunctionCallEntry, Journal, JournalEntry } from "../../journal.js";

/** How many past entries (and past function calls) a new subscriber gets first. */
const BACKLOG = 200;

export type JournalFeed = Pick<Journal, "entries" | "subscribe" | "functionCalls" | "subscribeFunctionCalls">;

export interface FeedLimits {
  /** A comment line this often, so proxies and clients see a live stream when nothing happens. */
  heartbeatMs?: number;
  /** Unsent bytes (response and socket buffers) past which a subscriber is disconnected. */
  maxBufferedBytes?: number;
}

const DEFAULT_FEED_LIMITS: Required<FeedLimits> = { heartbeatMs: 15_000, maxBufferedBytes: 1024 * 1024 };

export function sendJournalEvents(
  journal: JournalFeed,
  req: IncomingMessage,
  res: ServerResponse,
  limits: FeedLimits = {},
): void {
  const { heartbeatMs, maxBufferedBytes } = { ...DEFAULT_FEED_LIMITS, ...limits };
  res.writeHead(200, {
    "Content-Type": "text/event-stream; charset=utf-8",
    "Cache-Control": "no-store",
    "X-Content-Type-Options": "nosniff",
  });
  // Without this Node holds the head until the first write: an EventSource would not open.
  res.flushHeaders();
  let unsubscribe = () => {};
  let unsubscribeCalls = () => {};
  const heartbeat = setInterval(() => write(": heartbeat\n\n"), heartbeatMs);
  heartbeat.unref();
  const stop = () => {
    clearInterval(heartbeat);
    unsubscribe();
    unsubscribeCalls();
  };
  const write = (text: string) => {
    if (res.destroyed) return;
    if (res.writableLength > maxBufferedBytes) {
      // A subscriber that does not read: cut it off rather than buffer without limit.
      stop();
      res.destroy();
      return;
    }
    res.write(text);
  };
  const send = (entry: JournalEntry) => write(`event: entry\ndata: ${JSON.stringify(entry)}\n\n`);
  const sendCall = (call: FunctionCallEntry) => write(`event: call\ndata: ${JSON.stringify(call)}\n\n`);
  // The backlog of both kinds, in the order they happened.
  const backlog = [...journal.entries.slice(-BACKLOG), ...journal.functionCalls().slice(-BACKLOG)].sort(
    (a, b) => a.at - b.at,
  );
  for (const item of backlog) item.type === "function" ? sendCall(item) : send(item);
  if (res.destroyed) return stop();
  unsubscribe = journal.subscribe(send);
  unsubscribeCalls = journal.subscribeFunctionCalls(sendCall);
  // The page is gone (or the server closes): stop feeding it.
  req.once("close", stop);
  res.once("close", stop);
}
