// Decoding the admin routes' inputs: the journal's query filters and small
// JSON bodies. A bad input is a 400 AdminRequestInvalid naming the route.
import { DEFAULT_UPLOAD_IDLE_TIMEOUT_MS } from "../../options.js";
import type { IncomingMessage } from "node:http";
import { errors } from "../../errors.js";
import { HTTP_ROUTES, type JournalFilter } from "../../journal.js";
import { OPERATIONS } from "../../paths.js";
import { messageOf, queryParam } from "../http-util.js";
import { readBody } from "../body.js";

/** Fault specs and the like are tiny; a larger body is a mistake, not something to buffer. */
const MAX_JSON_BYTES = 64 * 1024;

const FILTERS = {
  type: ["http", "storage"],
  route: HTTP_ROUTES,
  operation: OPERATIONS,
} as const satisfies Record<keyof JournalFilter, readonly string[]>;

/** `GET /_emulator/journal?type=…&route=…&operation=…` */
export function journalFilterOf(req: IncomingMessage): JournalFilter {
  const filter: Record<string, string> = {};
  for (const [name, allowed] of Object.entries(FILTERS) as [keyof JournalFilter, readonly string[]][]) {
    const value = queryParam(req, name);
    if (value === null) continue;
    if (value === undefined || !allowed.includes(value)) {
      const got = value === undefined ? "it more than once" : JSON.stringify(value);
      throw errors.adminRequestInvalid(
        "GET /_emulator/journal",
        `\`${name}\` must be one of ${allowed.join(", ")}; got ${got}.`,
      );
    }
    filter[name] = value;
  }
  return filter as JournalFilter;
}

/** The request body parsed as JSON (at most 64 KiB). */
export async function readJson(req: IncomingMessage, route: string): Promise<unknown> {
  const chunks: Uint8Array[] = [];
  let size = 0;
  // Read to the end even when too large (keeping nothing past the limit), so the 400 can be answered.
  // A small JSON body: the default idle limit is plenty, and keeps a stalled client from holding on.
  await readBody(req, DEFAULT_UPLOAD_IDLE_TIMEOUT_MS, (chunk) => {
    size += chunk.byteLength;
    if (size <= MAX_JSON_BYTES) chunks.push(chunk);
  });
  if (size > MAX_JSON_BYTES)
    throw errors.adminRequestInvalid(route, `the JSON body is larger than ${MAX_JSON_BYTES} bytes.`);
  const text = Buffer.concat(chunks).toString("utf8");
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw errors.adminRequestInvalid(route, `the body must be JSON (${messageOf(error)}).`);
  }
}
