// Serves the user's HTTP actions: Node request -> Fetch Request -> the
// router's handler -> Fetch Response -> Node response, bodies streamed both
// ways, status and headers (multi-value too) preserved.
import { Readable } from "node:stream";
import type { IncomingMessage, ServerResponse } from "node:http";
import { errors } from "../errors.js";
import { HTTP_ACTION_RESPONSE_LIMIT, type HttpActions } from "../http-actions.js";
import { facts, sendError } from "./http-util.js";

export async function handleAction(actions: HttpActions, origin: string, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const { response, error } = await actions.handle(toFetchRequest(origin, req));
  if (error) Object.assign(facts(res), { errorCode: error.code, errorMessage: error.message });
  await sendFetchResponse(response, req, res);
}

export function toFetchRequest(origin: string, req: IncomingMessage): Request {
  const headers = new Headers();
  const raw = req.rawHeaders;
  for (let i = 0; i + 1 < raw.length; i += 2) headers.append(raw[i]!, raw[i + 1]!);
  const method = req.method ?? "GET";
  const hasBody = method !== "GET" && method !== "HEAD";
  return new Request(new URL(req.url ?? "/", origin), {
    method,
    headers,
    ...(hasBody ? { body: Readable.toWeb(req) as ReadableStream<Uint8Array>, duplex: "half" } : {}),
  } as RequestInit);
}

async function sendFetchResponse(response: Response, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const declared = Number(response.headers.get("content-length") ?? NaN);
  if (declared > HTTP_ACTION_RESPONSE_LIMIT) {
    await response.body?.cancel();
    return sendError(res, errors.httpResponseTooLarge(HTTP_ACTION_RESPONSE_LIMIT));
  }
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
  let sent = 0;
  const reader = response.body.getReader();
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      sent += value.byteLength;
      if (sent > HTTP_ACTION_RESPONSE_LIMIT) {
        // Headers are out: the only honest signal left is a cut connection.
        facts(res).errorCode = "HttpResponseTooLarge";
        await reader.cancel();
        res.destroy();
        return;
      }
      if (!res.write(value)) await new Promise<void>((resolve) => res.once("drain", resolve).once("close", resolve));
      if (res.destroyed) {
        await reader.cancel();
        return;
      }
    }
  } finally {
    facts(res).bytesOut = sent;
  }
  res.end();
}
