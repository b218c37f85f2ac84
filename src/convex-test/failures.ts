// What goes on the wire when a function fails: a thrown value mapped to the backend's
// message and the app's own stack frames, and the runner's own refusals (not found, too large).
import { dirname, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { convexToJson, type Value } from "convex/values";
import { clientMessages } from "../errors.js";
import type { FunctionFailure, FunctionOutcome, JsonValue } from "../server/clients/runner.js";

export function failed(message: string, frames: readonly string[] = [], data?: JsonValue): FunctionOutcome {
  const failure: FunctionFailure = data === undefined ? { message, frames } : { message, frames, data };
  return { ok: false, failure };
}

export function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** A thrown value as the backend reports it: system texts for lookups, "Uncaught ..." for the app's own. */
export function failureOf(error: unknown, shortPath: string): FunctionOutcome {
  const message = messageOf(error);
  // convex-test's lookups (dist/index.js resolveFunction, getModulesForComponent) when no module map was given.
  if (/^Could not find module for: |^Expected a Convex function exported from module /.test(message))
    return failed(clientMessages.functionNotFound(shortPath));
  // convex-test's kind check, when no module map was given (the function's own kind is not known here).
  if (/^Expected an? \w+ function, but the function exported from module /.test(message)) return failed(message);
  // convex-test's own args check (dist/index.js validateValidator), when no module map was given.
  if (message.startsWith("Validator error: ") && !(error instanceof Error && error.name === "ConvexError"))
    return failed(clientMessages.argumentValidation(message.slice("Validator error: ".length)));
  if (!(error instanceof Error)) return failed(clientMessages.uncaught("", String(error)));
  const data =
    error.name === "ConvexError" && "data" in error
      ? (convexToJson((error as { data: Value }).data) as JsonValue)
      : undefined;
  return failed(clientMessages.uncaught(error.name, error.message), appFrames(error), data);
}

/** This package's own code (src/ or dist/): its frames are not the app's. */
const OWN_CODE = dirname(dirname(fileURLToPath(import.meta.url)));

/** The stack frames of the app's code (not convex's, convex-test's, this package's or Node's), paths relative to the working directory. */
function appFrames(error: Error): string[] {
  return (error.stack ?? "")
    .split("\n")
    .filter(
      (line) =>
        line.startsWith("    at ") &&
        !line.includes("node_modules") &&
        !line.includes("node:") &&
        !line.includes(OWN_CODE),
    )
    .map((line) =>
      line.replace(
        /(\(|at )(\/[^():]+)(:\d+:\d+)/,
        (_m, lead: string, file: string, pos: string) => `${lead}${relative(process.cwd(), file)}${pos}`,
      ),
    );
}

export function mebibytes(bytes: number): string {
  const mib = bytes / (1 << 20);
  return Number.isInteger(mib) ? `${mib} MiB` : `${mib.toFixed(2)} MiB`;
}
