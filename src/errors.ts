// Every error this package raises: a stable `code`, the HTTP status it maps
// to, and a pinned message. Nothing else in the package builds error text.
//
// Messages that copy Convex's are marked `// Fidelity:`; the others are this
// emulator's own and start with the package name, saying what to do next.

import { PREFIX } from "./errors/base.js";
import { clientErrors, clientMessages } from "./errors/clients.js";
import { runtimeErrors } from "./errors/runtime.js";
import { storageErrors } from "./errors/storage.js";

export {
  StorageEmulatorError,
  StorageEmulatorTypeError,
  isStorageEmulatorError,
  type ErrorCode,
} from "./errors/base.js";

/** Every error, by name: `throw errors.fileNotFound(uuid)`. */
export const errors = { ...storageErrors, ...runtimeErrors, ...clientErrors } as const;

export { clientMessages };

/** Texts that are not errors of their own: bodies and details other errors carry. */
export const messages = {
  // Fidelity: the backend's plain-text 404 body for a path no HTTP action is routed at.
  noHttpActionRouted: (path: string) => `No HttpAction routed for ${path}`,
  // Fidelity: the backend's 404 body when the deployment has no convex/http.js.
  noHttpActions: () => "This Convex deployment does not have HTTP actions enabled.",
  httpActionNotResponse: (got: string) => `the handler returned ${got}, not a Response`,
  // Why start-up moved something of a --persist directory to quarantine/ (the end of `quarantined`).
  quarantineReason: {
    unreadable: "the metadata is not readable JSON",
    invalid: (field: string) => `the metadata has an invalid ${field}`,
    misnamed: "the metadata's uuid does not match its file name",
    duplicateId: "another file has the same storageId",
    blobMissing: "its blob is missing",
    sizeMismatch: "its blob's size differs from the metadata",
    blobNotAFile: "its blob is not a file (a directory?)",
    sha256Mismatch: "its blob's sha256 differs from the metadata",
    orphanBlob: "no metadata names this blob",
    unfinishedReplace: "the files of that reset/restore",
  },
  // GET / on the cloud origin: where things are, instead of a bare 404.
  rootPointer: (uploadUrl: string, fileUrl: string, adminPage: string | undefined) =>
    `${PREFIX} Convex file storage: uploads POST ${uploadUrl}, files GET ${fileUrl}.\n` +
    (adminPage === undefined ? "" : `The admin page (files, requests, faults): ${adminPage}\n`),
  quarantined: (root: string, moved: string, target: string, reason: string) =>
    `${PREFIX} warning: --persist ${root}: moved ${moved} to quarantine/${target}: ${reason}.`,
} as const;
