// Serves the user's HTTP actions: Node request -> Fetch Request -> the
// router's handler -> Fetch Response -> Node response, bodies streamed both
// ways, status and headers (multi-value too) preserved.
import { Readable } from "node:stream";
import type { IncomingMessage, ServerResponse } from "node:http";
import type { HttpActions } from "../http-actions.js";
import { facts } from "./http-util.js";

/** Runs the action for a Node request and writes its response (limited by HttpActions.handle()). */
/** `url`: the path and query the action sees (the cloud origin strips its `/http` prefix). */
export async function handleAction(actions: HttpActions, origin: string, req: IncomingMessage, res: ServerResponse, url = req.url ?? "/"): Promise<void> {
  const { response, settled } = await actions.handle(toFetchRequest(origin, req, url));
  void settled.then(({ error, bytesOut }) => {
    Object.assign(facts(res), { bytesOut }, error && { errorCode: error.code, errorMessage: error.message });
  });
  await sendFetchResponse(response, req, res);
}

export function toFetchRequest(origin: string, req: IncomingMessage, url = req.url ?? "/"): Request {
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
