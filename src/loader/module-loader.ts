// Loads a user's modules for the command (--http, --functions, --convex): JavaScript
// with a plain import(), TypeScript through tsx when it is installed.
import { resolve } from "node:path";
import { pathToFileURL } from "node:url";
import type { HttpRouter } from "convex/server";
import { errors, isStorageEmulatorError } from "../errors.js";
import { functionNameOf, type RunFunctions } from "../http-actions.js";

const TYPESCRIPT = /\.[cm]?tsx?$/;

async function loadUserModule(flag: string, path: string): Promise<Record<string, unknown>> {
  const url = pathToFileURL(resolve(path)).href;
  try {
    if (!TYPESCRIPT.test(path)) return (await import(url)) as Record<string, unknown>;
    let tsx: { tsImport(specifier: string, parent: string): Promise<unknown> };
    try {
      tsx = (await import("tsx/esm/api")) as typeof tsx;
    } catch {
      throw errors.moduleNeedsTsx(flag);
    }
    return (await tsx.tsImport(url, import.meta.url)) as Record<string, unknown>;
  } catch (error) {
    if (isStorageEmulatorError(error)) throw error;
    const detail = error instanceof Error ? error.message.split("\n")[0] : String(error);
    throw errors.moduleLoadFailed(flag, path, detail ?? "");
  }
}

/**
 * The modules of one app (--convex), as one module graph that shares the command's own
 * packages: `convex/server` and the values it checks must be the copy convex-test uses,
 * where tsImport would give each module a graph (and a `convex/server`) of its own.
 */
export async function loadModuleGraph(
  flag: string,
  paths: readonly string[],
): Promise<Map<string, Record<string, unknown>>> {
  if (paths.some((path) => TYPESCRIPT.test(path))) await registerTsx(flag);
  const loaded = new Map<string, Record<string, unknown>>();
  for (const path of paths) {
    try {
      loaded.set(path, (await import(pathToFileURL(resolve(path)).href)) as Record<string, unknown>);
    } catch (error) {
      const detail = error instanceof Error ? error.message.split("\n")[0] : String(error);
      throw errors.moduleLoadFailed(flag, path, detail ?? "");
    }
  }
  return loaded;
}

// tsx's hooks are process-wide (module.register), like `node --import tsx`: registered once.
let tsxRegistered: Promise<void> | undefined;
function registerTsx(flag: string): Promise<void> {
  tsxRegistered ??= (async () => {
    try {
      const tsx = (await import("tsx/esm/api")) as { register(): unknown };
      tsx.register();
    } catch {
      tsxRegistered = undefined;
      throw errors.moduleNeedsTsx(flag);
    }
  })();
  return tsxRegistered;
}

/** The router a --http module exports by default (createStorageEmulator checks it in full). */
export async function loadRouter(path: string): Promise<HttpRouter> {
  const router = (await loadUserModule("--http", path)).default as { isRouter?: unknown } | undefined;
  if (router?.isRouter !== true) throw errors.httpModuleNotRouter(path);
  return router as HttpRouter;
}

/**
 * ctx.runQuery & co. for the server: the `query`/`mutation`/`action` exports (named, or
 * on the default export) of the --functions module. A kind it lacks, or every kind
 * without --functions, fails with a message about --functions, not about library options.
 */
export async function loadRunFunctions(path: string | undefined): Promise<RunFunctions> {
  let source: Record<string, unknown> = {};
  if (path !== undefined) {
    const module = await loadUserModule("--functions", path);
    source = (typeof module.default === "object" && module.default !== null ? module.default : module) as Record<
      string,
      unknown
    >;
  }
  const kinds = ["query", "mutation", "action"] as const;
  if (path !== undefined && !kinds.some((kind) => typeof source[kind] === "function"))
    throw errors.functionsModuleEmpty(path);
  const run: RunFunctions = {};
  for (const kind of kinds) {
    const fn = source[kind];
    const ctxName = `run${kind[0]!.toUpperCase()}${kind.slice(1)}`;
    run[kind] =
      typeof fn === "function"
        ? (fn as NonNullable<RunFunctions[typeof kind]>)
        : async (ref: unknown) => {
            throw errors.cliRunFunctionMissing(ctxName, kind, functionNameOf(ref), path);
          };
  }
  return run;
}
