// Loads a user's module for the CLI (--http, --functions): JavaScript with a
// plain import(), TypeScript through tsx when it is installed.
import { resolve } from "node:path";
import { pathToFileURL } from "node:url";

export class ModuleLoadError extends Error {}

const TYPESCRIPT = /\.[cm]?tsx?$/;

export async function loadUserModule(flag: string, path: string): Promise<Record<string, unknown>> {
  const url = pathToFileURL(resolve(path)).href;
  try {
    if (!TYPESCRIPT.test(path)) return (await import(url)) as Record<string, unknown>;
    let tsx: { tsImport(specifier: string, parent: string): Promise<unknown> };
    try {
      tsx = (await import("tsx/esm/api")) as typeof tsx;
    } catch {
      throw new ModuleLoadError(`${flag}: loading TypeScript needs tsx (npm install --save-dev tsx), or point ${flag} at compiled JavaScript`);
    }
    return (await tsx.tsImport(url, import.meta.url)) as Record<string, unknown>;
  } catch (error) {
    if (error instanceof ModuleLoadError) throw error;
    const detail = error instanceof Error ? error.message.split("\n")[0] : String(error);
    throw new ModuleLoadError(`${flag}: cannot load "${path}": ${detail}`);
  }
}
