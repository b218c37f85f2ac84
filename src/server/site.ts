// The site origin: the user's HTTP actions, over a socket (Node request ->
// Fetch Request -> the router's handler -> Fetch Response -> Node response,
// bodies streamed both ways, status and headers, multi-value too, preserved)
// or in process (emulator.fetch()). Both journal the exchange the same way.
import { Readable } from "node:stream";
import type { IncomingMessage, ServerResponse } from "node:http";
import type { HttpActions } from "../http-actions.js";
import { CLOUD_ACTIONS_PREFIX } from "../paths.js";
import { journalRequest, type ServerHost } from "./host.js";
import { requestNotes, sendError, type Handler } from "./http-util.js";

/**
 * The site origin: every path, /api/... included, goes to the HTTP actions, and no CORS
 * is added (the actions set their own). Fidelity: get-convex/convex-backend
 * crates/local_backend/src/proxy.rs forwards every path to /http/*, which router.rs nests
 * after its CORS layer.
 */
export function createSiteHandler(host: ServerHost): Handler {
  const { gateway, actions } = host;
  return (req, res) => {
    journalRequest(gateway, req, res, actions.mounted ? "action" : "unknown");
    return handleAction(actions, host.siteOrigin(), req, res).catch((error: unknown) => sendError(res, error));
  };
}

/** The site origin without a socket (emulator.fetch()): runs the actions and journals the exchange once its body is done. */
export async function fetchSite({ gateway, actions }: ServerHost, request: Request): Promise<Response> {
  const record = gateway.startRequest(
    actions.mounted ? "action" : "unknown",
    request.method,
    new URL(request.url).pathname,
  );
  const { response, settled } = await actions.handle(request);
  void settled.then(record);
  return response;
}

/** `/http/<path>` on the cloud origin: the HTTP action of `/<path>`, on the cloud origin's URL, without the /api CORS. */
export function handleCloudAction(
  { gateway, actions }: ServerHost,
  req: IncomingMessage,
  res: ServerResponse,
): Promise<void> {
  journalRequest(gateway, req, res, actions.mounted ? "action" : "unknown");
  const url = (req.url ?? "/").slice(CLOUD_ACTIONS_PREFIX.length - 1);
  return handleAction(actions, gateway.origin(), req, res, url).catch((error: unknown) => sendError(res, error));
}

/**
 * Runs the action for a Node request and writes its response (limited by HttpActions.handle()).
 * `url`: the path and query the action sees (the cloud origin strips its `/http` prefix).
 */
async function handleAction(
  actions: HttpActions,
  origin: string,
  req: IncomingMessage,
  res: ServerResponse,
  url = req.url ?? "/",
): Promise<void> {
  const { response, settled } = await actions.handle(toFetchRequest(origin, req, url));
  void settled.then(({ bytesOut, errorCode, errorMessage }) => {
    // The status is the socket's own, taken when the response closes (host.ts).
    const notes = requestNotes(res);
    notes.bytesOut = bytesOut;
    if (errorCode !== undefined) [notes.errorCode, notes.errorMessage] = [errorCode, errorMessage];
  });
  await sendFetchResponse(response, req, res);
}

function toFetchRequest(origin: string, req: IncomingMessage, url: string): Request {
  const headers = new Headers();
  const raw = req.rawHeaders;
  for (let i = 0; i + 1 < raw.length; i += 2) headers.append(raw[i]!, raw[i + 1]!);
  const method = req.method ?? "GET";
  const hasBody = method !== "GET" && method !== "HEAD";
  return new Request(new URL(url, origin), {
    method,
    headers,
    ...(hasBody ? { body: Readable.toWeb(req) as ReadableStream<Uint8Array>, duplex: "half" } : {}),
  } as RequestInit);
}

async function sendFetchResponse(response: Response, req: IncomingMessage, res: ServerResponse): Promise<void> {
  res.statusCode = response.status;
  for (const [name, value] of response.headers) {
    if (name !== "set-cookie") res.setHeader(name, value);
  }
  const cookies = response.headers.getSetCookie();
  if (cookies.length > 0) res.setHeader("set-cookie", cookies);
  if (response.body === null || req.method === "HEAD") {
    await response.body?.cancel();
    res.end();
    return;
  }
  // The head goes out before the body is read, as the backend streams it: a body that fails
  // (a dropped chunk under a Content-Length, a handler stream error) is then a cut transfer.
  res.flushHeaders();
  const reader = response.body.getReader();
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      if (!res.write(value)) await new Promise<void>((resolve) => res.once("drain", resolve).once("close", resolve));
      if (res.destroyed) {
        await reader.cancel();
        return;
      }
    }
  } catch {
    // The body failed (over the limit, a handler stream error): headers are out, so cut the connection.
    res.destroy();
    return;
  }
  res.end();
}
