// The text of `convex-storage-emulator --help`, built from the option table so
// that every flag and its environment variable are listed.
import { ADMIN_MOUNT, ADMIN_ROUTES, FILE_PREFIX, UPLOAD_PATH } from "../paths.js";
import { VERSION } from "../version.js";
import { envName, OPTIONS } from "./args.js";

export const NAME = "convex-storage-emulator";

export function helpText(): string {
  const flag = (o: (typeof OPTIONS)[number]) => `--${o.flag}${o.value === undefined ? "" : ` ${o.value}`}`;
  // One column for every help text, two spaces past the longest flag, wrapped at 80.
  const column = 2 + Math.max(...OPTIONS.map((o) => flag(o).length), "-v, --version".length) + 2;
  const options = OPTIONS.map((o) => wrap(`  ${flag(o)}`.padEnd(column) + o.help, column));
  const variables = OPTIONS.map(
    (o) => `  ${`${envName(o.flag)}${o.value === undefined ? "=1" : ""}`.padEnd(43)}${flag(o)}`,
  );
  return `${NAME} ${VERSION}: a fake Convex file storage server, in memory.

Usage: ${NAME} [options]

Options:
${options.join("\n")}
${"  -h, --help".padEnd(column)}show this help
${"  -v, --version".padEnd(column)}show the version

Environment: each option can be set by a variable instead (a flag given on the
command line wins; an empty variable is unset; switches take 1/true or 0/false):
${variables.join("\n")}

Routes (like a local Convex backend):
  POST ${UPLOAD_PATH}?token=…   upload a file (raw body) -> {"storageId"}
  GET  ${FILE_PREFIX}<uuid>           serve a file (Range supported)
  POST ${ADMIN_MOUNT}${ADMIN_ROUTES.uploadUrl}         get an upload URL without a Convex function
  GET  ${ADMIN_MOUNT}${ADMIN_ROUTES.files}              list stored files (JSON)
  GET  ${ADMIN_MOUNT}/                   the admin page: files, requests, faults

Stop with Ctrl-C (SIGINT) or SIGTERM.`;
}

/** `line` broken at spaces into lines of at most 80 characters, continuations indented to `indent`. */
function wrap(line: string, indent: number): string {
  const lines: string[] = [];
  let rest = line;
  while (rest.length > 80) {
    const at = rest.lastIndexOf(" ", 80);
    if (at <= indent) break;
    lines.push(rest.slice(0, at));
    rest = " ".repeat(indent) + rest.slice(at + 1);
  }
  return [...lines, rest].join("\n");
}
