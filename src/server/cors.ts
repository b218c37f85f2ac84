// CORS on /api/*.
//
// Fidelity: Convex's /api router uses tower-http's CorsLayer configured to
// mirror the request Origin and headers, allow credentials and cache
// preflights for a day. Every OPTIONS request under /api is a preflight.
import type { IncomingMessage, ServerResponse } from "node:http";
import { facts } from "./http-util.js";

const ALLOWED_METHODS = "GET, POST, OPTIONS, PATCH, DELETE, PUT";
const MAX_AGE_SECONDS = "86400";

/** Adds the CORS headers every /api response carries. */
export function applyCors(req: IncomingMessage, res: ServerResponse): void {
  const origin = req.headers.origin;
  if (origin !== undefined) res.setHeader("Access-Control-Allow-Origin", origin);
  res.setHeader("Access-Control-Allow-Credentials", "true");
  res.setHeader("Vary", "Origin");
}

/** Answers a preflight. */
export function answerPreflight(req: IncomingMessage, res: ServerResponse): void {
  applyCors(req, res);
  res.setHeader("Access-Control-Allow-Methods", ALLOWED_METHODS);
  const requested = req.headers["access-control-request-headers"];
  if (requested !== undefined) res.setHeader("Access-Control-Allow-Headers", requested);
  res.setHeader("Access-Control-Max-Age", MAX_AGE_SECONDS);
  res.statusCode = 200;
  res.setHeader("Content-Length", 0);
  facts(res).bytesOut = 0;
  res.end();
}
