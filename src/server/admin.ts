// /_emulator/*: JSON routes for tests and humans. Never confused with Convex
// paths: nothing under /_emulator exists on a real deployment.
import type { NextFunction, Request, Response, Router } from "express";
import { errors } from "../errors.js";
import type { StorageEmulator } from "../emulator.js";
import type { StoredFile } from "../file-store.js";
import { fileUrl, uploadUrl } from "../storage.js";
import { facts, sendError, sendJson } from "./http-util.js";
import { sendPage, sendPageScript } from "./page.js";
import { VERSION } from "../version.js";
import { loadExpress } from "./express.js";

export function adminRouter(emulator: StorageEmulator): Router {
  const router = loadExpress().Router();
  const describe = (file: StoredFile) => ({ ...file, url: fileUrl(emulator.url, file.uuid) });
  const found = (req: Request): StoredFile => {
    const id = String(req.params.storageId);
    const file = emulator.file(id);
    if (file === null) throw errors.adminFileNotFound(id);
    return file;
  };
  const route = (handler: (req: Request, res: Response) => void | Promise<void>) =>
    async (req: Request, res: Response) => {
      try {
        await handler(req, res);
      } catch (error) {
        sendError(res, error);
      }
    };

  router.get("/", sendPage);
  router.get("/page.js", sendPageScript);
  router.get("/health", route((_req, res) => {
    const { files } = emulator.backend;
    sendJson(res, 200, { ok: true, version: VERSION, url: emulator.url, files: files.count, totalBytes: files.totalBytes });
  }));
  router.get("/files", route((_req, res) => sendJson(res, 200, { files: emulator.files().map(describe) })));
  router.get("/files/:storageId", route((req, res) => sendJson(res, 200, describe(found(req)))));
  router.get("/files/:storageId/bytes", route((req, res) => {
    const file = found(req);
    const bytes = emulator.backend.files.read(file.uuid);
    if (bytes === null) throw errors.adminFileNotFound(file.storageId);
    res.status(200).setHeader("Content-Type", file.contentType ?? "application/octet-stream");
    res.setHeader("Content-Length", bytes.length);
    res.setHeader("Content-Disposition", `attachment; filename="${file.uuid}"`);
    facts(res).bytesOut = bytes.length;
    res.end(bytes);
  }));
  router.delete("/files/:storageId", route(async (req, res) => {
    const file = found(req);
    await emulator.backend.files.remove(file.uuid);
    sendJson(res, 200, { deleted: file.storageId });
  }));
  router.post("/reset", route((_req, res) => {
    emulator.reset();
    sendJson(res, 200, { ok: true });
  }));
  router.post("/upload-url", route((_req, res) => {
    const { token, expiresAt } = emulator.backend.tokens.issue();
    sendJson(res, 200, { uploadUrl: uploadUrl(emulator.url, token), expiresAt });
  }));
  // Express cannot decode a malformed %-escape in :storageId (a URIError, before any route runs):
  // no stored file has such an id. Errors are JSON here too, never Express's HTML page.
  router.use((error: unknown, req: Request, res: Response, _next: NextFunction) => {
    const id = /^\/files\/([^/]*)/.exec(req.path)?.[1];
    sendError(res, error instanceof URIError && id !== undefined ? errors.adminFileNotFound(id) : error);
  });
  return router;
}
