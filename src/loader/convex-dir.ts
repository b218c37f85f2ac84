// The app of `--convex DIR`: its schema, function modules and HTTP router, found
// as `npx convex dev` finds them and loaded as one module graph for convex-test.
import { readdirSync, statSync } from "node:fs";
import { extname, join, relative, resolve, sep } from "node:path";
import type { GenericSchema, HttpRouter, SchemaDefinition } from "convex/server";
import { errors } from "../errors.js";
import { loadModuleGraph } from "./module-loader.js";

const FLAG = "--convex";

export interface ConvexAppModules {
  /** The directory, absolute. */
  readonly dir: string;
  /** The default export of schema.ts (or .js), if there is one. */
  readonly schema: SchemaDefinition<GenericSchema, boolean> | undefined;
  /** convex-test's `modules`: "./messages.ts" -> its loaded module, keyed as an import.meta.glob is. */
  readonly modules: Record<string, () => Promise<unknown>>;
  /** The default export of http.ts (or .js), if there is one. */
  readonly http: HttpRouter | undefined;
  /** The function modules, relative to `dir` ("messages.ts", "lib/files.ts"). */
  readonly functionFiles: readonly string[];
}

// Fidelity: the files `npx convex dev` bundles (convex-js src/bundler/index.ts entryPoints).
const ENTRY_EXTENSIONS = [".js", ".mjs", ".cjs", ".ts", ".tsx", ".mts", ".cts", ".jsx"];
const SCHEMA = new Set(["schema.ts", "schema.js"]);
const HTTP = new Set(["http.ts", "http.js"]);
// Not an entry point (two dots) but read by the backend for its auth providers; so do the client protocols.
const AUTH_CONFIG = ["auth.config.ts", "auth.config.js"];

/** The entry points under `dir`, relative, as the Convex CLI picks them (without schema). */
export function entryPoints(dir: string): string[] {
  const found: string[] = [];
  const walk = (at: string) => {
    for (const entry of readdirSync(at, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
      const path = join(at, entry.name);
      const rel = relative(dir, path);
      if (entry.isDirectory()) {
        // A component's directory (convex.config.ts) and dependencies are not the app's functions.
        if (entry.name !== "node_modules" && rel !== "_generated" && !statSafe(join(path, "convex.config.ts")))
          walk(path);
        continue;
      }
      const base = entry.name;
      if (!ENTRY_EXTENSIONS.includes(extname(base).toLowerCase()) || base.endsWith(".d.ts")) continue;
      if (base.startsWith(".") || base.startsWith("#") || SCHEMA.has(base)) continue;
      if ((base.match(/\./g) ?? []).length > 1 || rel.includes(" ")) continue;
      found.push(rel.split(sep).join("/"));
    }
  };
  walk(dir);
  return found;
}

/** Finds and loads the app in `dir`: a usage error for a missing or function-less directory. */
export async function loadConvexDirectory(path: string): Promise<ConvexAppModules> {
  const dir = resolve(path);
  if (!statSafe(dir)?.isDirectory()) throw errors.convexDirMissing(path);
  const entries = entryPoints(dir);
  const functionFiles = entries.filter((rel) => !HTTP.has(rel));
  if (functionFiles.length === 0) throw errors.convexDirEmpty(path);
  const schemaFile = [...SCHEMA].find((name) => statSafe(join(dir, name))?.isFile());
  const authConfig = AUTH_CONFIG.filter((name) => statSafe(join(dir, name))?.isFile());
  const files = [...(schemaFile === undefined ? [] : [schemaFile]), ...authConfig, ...entries];
  const loaded = await loadModuleGraph(
    FLAG,
    files.map((rel) => join(dir, rel)),
  );
  const exportsOf = (rel: string) => loaded.get(join(dir, rel))!;
  const httpFile = entries.find((rel) => HTTP.has(rel));
  let http: HttpRouter | undefined;
  if (httpFile !== undefined) {
    const router = exportsOf(httpFile).default as { isRouter?: unknown } | undefined;
    if (router?.isRouter !== true) throw errors.httpModuleNotRouter(join(path, httpFile));
    http = router as HttpRouter;
  }
  const modules: Record<string, () => Promise<unknown>> = {};
  for (const rel of [...authConfig, ...entries]) modules[`./${rel}`] = async () => exportsOf(rel);
  // convex-test finds the functions' root by the "_generated" directory among the keys; only its name is read.
  modules["./_generated/api.js"] = async () => ({});
  return {
    dir,
    schema:
      schemaFile === undefined
        ? undefined
        : (exportsOf(schemaFile).default as SchemaDefinition<GenericSchema, boolean>),
    modules,
    http,
    functionFiles,
  };
}

function statSafe(path: string) {
  try {
    return statSync(path);
  } catch {
    return undefined;
  }
}
