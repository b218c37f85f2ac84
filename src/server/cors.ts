// CORS on /api/*.
//
// Fidelity: get-convex/convex-backend crates/local_backend/src/router.rs cors(): tower-http
// 0.6.8's CorsLayer mirroring the request Origin and headers, allowing credentials, caching
// preflights for a day. Every OPTIONS request under /api is a preflight (tower-http
// src/cors/mod.rs); lists are joined with "," and Vary with ", " (src/cors/vary.rs).
import type { IncomingMessage, ServerResponse } from "node:http";
import { requestNotes } from "./http-util.js";

const ALLOWED_METHODS = "GET,POST,OPTIONS,PATCH,DELETE,PUT";
const VARY = "origin, access-control-request-method, access-control-request-headers";
const MAX_AGE_SECONDS = "86400";

/** Adds the CORS headers every /api response carries. */
export function applyCors(req: IncomingMessage, res: ServerResponse): void {
  const origin = req.headers.origin;
  if (origin !== undefined) res.setHeader("Access-Control-Allow-Origin", origin);
  res.setHeader("Access-Control-Allow-Credentials", "true");
  res.setHeader("Vary", VARY);
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
  requestNotes(res).bytesOut = 0;
  res.end();
}
