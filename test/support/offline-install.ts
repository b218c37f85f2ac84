// Installs a packed tarball into an empty project without the network, as npm
// would from the registry. `npm ci` has put every tarball of this project's lock
// into npm's cache, but not the registry metadata a fresh `npm install` needs to
// resolve versions; so the project gets a lockfile: the entries of this
// project's lock that its dependencies reach, and `npm ci --offline` installs it.
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { ROOT, runToEnd } from "./run-to-end.js";

interface LockEntry {
  version?: string;
  dependencies?: Record<string, string>;
  optionalDependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
  peerDependenciesMeta?: Record<string, { optional?: boolean }>;
  dev?: boolean;
  devOptional?: boolean;
  [key: string]: unknown;
}

export interface Tarball {
  /** Its file name, beside the project directory. */
  filename: string;
  integrity: string;
  manifest: { name: string; version: string; dependencies?: Record<string, string>; bin?: Record<string, string> };
}

/**
 * Installs `tarball` (in the project's parent directory) and `alongside` (names of
 * this project's own dependencies, at the versions it has) into `dir`.
 */
export async function installOffline(dir: string, tarball: Tarball, alongside: string[]): Promise<void> {
  const lock = JSON.parse(readFileSync(join(ROOT, "package-lock.json"), "utf8")) as {
    packages: Record<string, LockEntry>;
  };
  const { name, version, dependencies = {}, bin } = tarball.manifest;
  const direct = Object.fromEntries(alongside.map((dep) => [dep, lock.packages[`node_modules/${dep}`]!.version!]));
  const packages: Record<string, LockEntry> = {
    "": { name: "consumer", dependencies: { [name]: `file:../${tarball.filename}`, ...direct } },
    [`node_modules/${name}`]: {
      version,
      resolved: `file:../${tarball.filename}`,
      integrity: tarball.integrity,
      dependencies,
      ...(bin ? { bin } : {}),
    },
  };
  const reach = (from: string, dep: string, optional: boolean) => {
    // Node's lookup: from's own node_modules, then each enclosing one up to the root.
    for (
      let base = from;
      ;
      base = base.includes("/node_modules/") ? base.slice(0, base.lastIndexOf("/node_modules/")) : ""
    ) {
      const path = `${base === "" ? "" : `${base}/`}node_modules/${dep}`;
      const entry = lock.packages[path];
      if (entry !== undefined) {
        if (!(path in packages)) {
          const { dev: _dev, devOptional: _devOptional, ...kept } = entry;
          packages[path] = kept;
          visit(path, entry);
        }
        return;
      }
      if (base === "") break;
    }
    if (!optional)
      throw new Error(`installOffline: ${dep} (needed by ${from || "the project"}) is not in package-lock.json`);
  };
  const visit = (path: string, entry: LockEntry) => {
    for (const dep of Object.keys(entry.dependencies ?? {})) reach(path, dep, false);
    for (const dep of Object.keys(entry.optionalDependencies ?? {})) reach(path, dep, true);
    for (const dep of Object.keys(entry.peerDependencies ?? {}))
      reach(path, dep, entry.peerDependenciesMeta?.[dep]?.optional === true);
  };
  for (const dep of [...Object.keys(dependencies), ...alongside]) reach("", dep, false);

  writeFileSync(
    join(dir, "package.json"),
    `${JSON.stringify({ name: "consumer", private: true, type: "module", dependencies: packages[""]!.dependencies }, null, 2)}\n`,
  );
  writeFileSync(
    join(dir, "package-lock.json"),
    `${JSON.stringify({ name: "consumer", lockfileVersion: 3, requires: true, packages }, null, 2)}\n`,
  );
  const { code, output } = await runToEnd("npm", ["ci", "--offline", "--ignore-scripts", "--no-audit", "--no-fund"], {
    cwd: dir,
  });
  if (code !== 0)
    throw new Error(
      `npm ci --offline failed (${code}); \`npm ci\` in this project fills npm's cache first:\n${output}`,
    );
}
