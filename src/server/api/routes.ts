// Convex's storage protocol on the cloud origin, everything under /api/:
// CORS, upload and serve. Routes decode, call the gateway, encode.
import type { IncomingMessage, ServerResponse } from "node:http";
import { errors } from "../../errors.js";
import { UPLOAD_PATH, fileIdOfPath } from "../../paths.js";
import { journalRequest, type ServerHost } from "../host.js";
import { requestNotes, sendError } from "../http-util.js";
import { answerPreflight, applyCors } from "../cors.js";
import { handleServe } from "./serve.js";
import { handleUpload } from "./upload.js";

/** Answers everything under /api/: CORS, upload and serve. `path` is the request's, without its query. */
export function createApiHandler({
  gateway,
  uploadIdleTimeoutMs,
}: ServerHost): (req: IncomingMessage, res: ServerResponse, path: string) => void | Promise<void> {
  return (req, res, path) => {
    const method = req.method ?? "GET";
    if (method === "OPTIONS") {
      journalRequest(gateway, req, res, "cors");
      answerPreflight(req, res);
      return;
    }
    applyCors(req, res);
    if (path === UPLOAD_PATH) {
      journalRequest(gateway, req, res, "upload");
      if (method === "POST") return handleUpload(gateway, uploadIdleTimeoutMs, req, res);
      return methodNotAllowed(res, method, "POST");
    }
    const fileId = fileIdOfPath(path);
    if (fileId !== null) {
      journalRequest(gateway, req, res, "serve");
      if (method === "GET" || method === "HEAD") return handleServe(gateway, req, res, fileId);
      return methodNotAllowed(res, method, "GET,HEAD");
    }
    journalRequest(gateway, req, res, "unknown");
    sendError(res, errors.routeNotFound(method, path));
  };
}

/**
 * Fidelity: tokio-rs/axum axum-v0.8.8 axum/src/routing/method_routing.rs: the method router's
 * fallback is a bare 405, empty body, `Allow` joined with "," (the journal still gets the error).
 */
function methodNotAllowed(res: ServerResponse, method: string, allow: string): void {
  const error = errors.methodNotAllowed(method, allow);
  Object.assign(requestNotes(res), { errorCode: error.code, errorMessage: error.message, bytesOut: 0 });
  res.statusCode = error.status;
  res.setHeader("Allow", allow);
  res.setHeader("Content-Length", 0);
  res.end();
}
