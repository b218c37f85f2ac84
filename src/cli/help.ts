// The text of `convex-storage-emulator --help`, built from the option table so
// that every flag and its environment variable are listed.
import { ADMIN_MOUNT, ADMIN_ROUTES, FILE_PREFIX, UPLOAD_PATH } from "../paths.js";
import { VERSION } from "../version.js";
import { envName, OPTIONS } from "./args.js";

export const NAME = "convex-storage-emulator";

export function helpText(): string {
  const flag = (o: (typeof OPTIONS)[number]) => `--${o.flag}${o.value === undefined ? "" : ` ${o.value}`}`;
  const options = OPTIONS.map((o) => `  ${flag(o).padEnd(23)}${o.help}`);
  const variables = OPTIONS.map((o) => `  ${`${envName(o.flag)}${o.value === undefined ? "=1" : ""}`.padEnd(43)}${flag(o)}`);
  return `${NAME} ${VERSION}: a fake Convex file storage server, in memory.

Usage: ${NAME} [options]

Options:
${options.join("\n")}
  -h, --help             show this help
  -v, --version          show the version

Environment: each option can be set by a variable instead (a flag given on the
command line wins; an empty variable is unset; switches take 1/true or 0/false):
${variables.join("\n")}

Routes (like a local Convex backend):
  POST ${UPLOAD_PATH}?token=…   upload a file (raw body) -> {"storageId"}
  GET  ${FILE_PREFIX}<uuid>           serve a file (Range supported)
  POST ${ADMIN_MOUNT}${ADMIN_ROUTES.uploadUrl}         get an upload URL without a Convex function
  GET  ${ADMIN_MOUNT}${ADMIN_ROUTES.files}              list stored files (JSON); ${ADMIN_MOUNT}/ shows them

Stop with Ctrl-C (SIGINT) or SIGTERM.`;
}
