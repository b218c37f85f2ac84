// The HTTP API of Convex's clients on the cloud origin: what ConvexHttpClient
// (and the docs' HTTP API) post to. Decode the request, run the function
// through the hub, encode the answer as the backend does.
import { randomBytes } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import { clientMessages, errors } from "../../errors.js";
import { CLIENT_API_ROUTES, CLIENT_RUN_PREFIX } from "../../paths.js";
import { firstHeader, requestNotes, sendError, sendJson } from "../http-util.js";
import { bearerToken, identityOfToken } from "./auth.js";
import type { ClientHub } from "./hub.js";
import { encodeTs } from "./protocol.js";
import type { CallerIdentity, FunctionKind, FunctionOutcome, JsonValue } from "./runner.js";
import { cleanJson } from "./values.js";

// Fidelity: get-convex/convex-backend crates/common/src/knobs.rs MAX_BACKEND_PUBLIC_API_REQUEST_SIZE.
const MAX_BODY_BYTES = (1 << 24) + 2000;

const KIND_OF_PATH: Readonly<Record<string, FunctionKind>> = {
  [CLIENT_API_ROUTES.query]: "query",
  [CLIENT_API_ROUTES.queryAtTs]: "query",
  [CLIENT_API_ROUTES.mutation]: "mutation",
  [CLIENT_API_ROUTES.action]: "action",
};

/** True for the paths this API answers (POST only, like the backend's router). */
export function isClientApiPath(path: string): boolean {
  return (
    path in KIND_OF_PATH ||
    path === CLIENT_API_ROUTES.queryTs ||
    path === CLIENT_API_ROUTES.anyFunction ||
    path.startsWith(CLIENT_RUN_PREFIX)
  );
}

/** Answers one request to a client API path. */
export async function handleClientApi(
  hub: ClientHub,
  req: IncomingMessage,
  res: ServerResponse,
  path: string,
): Promise<void> {
  try {
    if (req.method !== "POST") {
      res.statusCode = 405;
      res.setHeader("Allow", "POST");
      res.setHeader("Content-Length", 0);
      res.end();
      return;
    }
    if (path === CLIENT_API_ROUTES.queryTs) {
      req.resume();
      // Fidelity: public_api.rs public_get_query_ts: `{ ts }`, the u64 encoded as the sync protocol does.
      sendJson(res, 200, { ts: encodeTs(hub.ts) });
      return;
    }
    const identity = identityOfRequest(hub, req);
    const body = await readJsonBody(req, res);
    const run = path.startsWith(CLIENT_RUN_PREFIX) ? runPathOf(path) : null;
    const kind = run === null && path !== CLIENT_API_ROUTES.anyFunction ? KIND_OF_PATH[path]! : "any";
    const functionPath = run ?? stringField(body, "path");
    if (!("args" in body))
      throw errors.badJsonBody("Failed to deserialize the JSON body into the target type: missing field `args`");
    const args = argsObjectOf(body.args);
    const outcome = await hub.call({ kind, path: functionPath, args, identity }, "http");
    // Fidelity: /api/run defaults to clean JSON; the others to the client's default, encoded JSON for npm clients.
    const format = typeof body.format === "string" ? body.format : run !== null ? "json" : "convex_encoded_json";
    sendJson(res, 200, responseBody(outcome, format === "json"));
  } catch (error) {
    sendError(res, error);
  }
}

/**
 * Fidelity: public_api.rs UdfResponse: HTTP 200 either way, `{ status: "success", value }` or
 * `{ status: "error", errorMessage, errorData? }`; logLines are left out when empty (always, here).
 */
function responseBody(outcome: FunctionOutcome, clean: boolean): Record<string, unknown> {
  if (outcome.ok) return { status: "success", value: clean ? cleanJson(outcome.value) : outcome.value };
  const { failure } = outcome;
  const errorMessage = clientMessages.serverError(randomBytes(8).toString("hex"), failure.message, failure.frames);
  return failure.data === undefined
    ? { status: "error", errorMessage }
    : { status: "error", errorMessage, errorData: clean ? cleanJson(failure.data) : failure.data };
}

/** The caller of a request: `Authorization: Bearer <jwt>` decoded (not verified: auth.ts). */
function identityOfRequest(hub: ClientHub, req: IncomingMessage): CallerIdentity | null {
  const header = firstHeader(req, "authorization");
  if (header === undefined) return null;
  if (header.startsWith("Convex ")) throw errors.unauthenticated(clientMessages.tokenRefusals.adminKey);
  const token = bearerToken(header);
  if (typeof token !== "string") throw errors.unauthenticated(token);
  const identity = identityOfToken(token, hub.authProviders);
  if (!("tokenIdentifier" in identity)) throw errors.unauthenticated(identity);
  return identity;
}

/** "/api/run/messages/list" -> "messages:list". Fidelity: public_api.rs public_function_post_with_path. */
function runPathOf(path: string): string {
  const parts = path
    .slice(CLIENT_RUN_PREFIX.length)
    .split("/")
    .map((p) => decodeURIComponent(p));
  if (parts.length < 2 || parts.some((p) => p === "")) throw errors.missingIdentifier();
  const name = parts.pop()!;
  return `${parts.join("/")}:${name}`;
}

function stringField(body: Record<string, unknown>, field: string): string {
  const value = body[field];
  if (value === undefined)
    throw errors.badJsonBody(`Failed to deserialize the JSON body into the target type: missing field \`${field}\``);
  if (typeof value !== "string")
    throw errors.badJsonBody(
      `Failed to deserialize the JSON body into the target type: ${field}: invalid type, expected a string`,
    );
  return value;
}

/** Fidelity: crates/udf/src/helpers.rs UdfArgsJson: a legacy positional array `[args]`, or the object itself. */
function argsObjectOf(args: unknown): JsonValue {
  const value = Array.isArray(args) ? (args.length === 0 ? {} : args[0]) : args;
  return (value ?? {}) as JsonValue;
}

async function readJsonBody(req: IncomingMessage, res: ServerResponse): Promise<Record<string, unknown>> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_BODY_BYTES) {
      req.resume();
      throw errors.bodyTooLarge();
    }
    chunks.push(chunk);
  }
  requestNotes(res).bytesIn = size;
  let body: unknown;
  try {
    body = JSON.parse(Buffer.concat(chunks, size).toString("utf8"));
  } catch (error) {
    // Fidelity: axum's JsonRejection text, carried by crates/common/src/http/extract.rs (BadJsonBody).
    throw errors.badJsonBody(`Failed to parse the request body as JSON: ${(error as Error).message}`);
  }
  if (typeof body !== "object" || body === null || Array.isArray(body)) {
    throw errors.badJsonBody(
      "Failed to deserialize the JSON body into the target type: invalid type, expected a JSON object",
    );
  }
  return body as Record<string, unknown>;
}
