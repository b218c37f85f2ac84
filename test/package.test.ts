// The package as npm users get it: `npm pack`, the tarball installed into an empty
// project without the network, and README examples run there with vitest.
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { linkTargets, markdownFiles, readMarkdown } from "./support/markdown.js";
import { installOffline, type Tarball } from "./support/offline-install.js";
import { writeReadmeExamples } from "./support/readme-project.js";
import { ROOT, runToEnd } from "./support/run-to-end.js";

let work: string;
let project: string;
let shipped: string[];
let readmeTests: number;

beforeAll(async () => {
  // `npm test` builds first; packing without scripts keeps `prepare` from building again.
  if (!existsSync(join(ROOT, "dist/index.js")))
    throw new Error("dist/ is missing: run `npm run build` (npm test does).");
  work = mkdtempSync(join(tmpdir(), "cse-package-"));
  const pack = await runToEnd("npm", ["pack", "--ignore-scripts", "--json", "--pack-destination", work], { cwd: ROOT });
  if (pack.code !== 0) throw new Error(`npm pack failed:\n${pack.output}`);
  const [tarball] = JSON.parse(pack.output.slice(pack.output.indexOf("["))) as (Tarball & {
    files: { path: string }[];
  })[];
  shipped = tarball!.files.map((file) => file.path);
  project = join(work, "project");
  mkdirSync(project);
  await installOffline(
    project,
    { ...tarball!, manifest: JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) },
    ["vitest", "convex", "@types/node"],
  );
  readmeTests = writeReadmeExamples(project);
}, 120_000);

// Removing the installed project (thousands of files) took over 10 s, the default, at a load of 7 on 2 cores.
afterAll(() => {
  if (work) rmSync(work, { recursive: true, force: true });
}, 60_000);

describe("package", () => {
  it("npm pack: ships the build, the command, the docs and the examples, and no sources or source maps", () => {
    expect(shipped).toEqual(
      expect.arrayContaining([
        "LICENSE",
        "README.md",
        "package.json",
        "bin/convex-storage-emulator.js",
        "dist/index.js",
        "dist/index.d.ts",
        "dist/vitest.js",
        "examples/chat/dev-functions.ts",
      ]),
    );
    expect(
      shipped.filter((path) => path.endsWith(".map") || path.startsWith("src/") || path.startsWith("test/")),
    ).toEqual([]);
  });

  it("README and docs: every relative link is a shipped file or folder", () => {
    const isShipped = (path: string) =>
      shipped.includes(path) || shipped.some((file) => file.startsWith(`${path.replace(/\/$/, "")}/`));
    const broken = markdownFiles().flatMap((file) =>
      linkTargets(readMarkdown(file))
        .filter((target) => !/^[a-z]+:/.test(target) && !target.startsWith("#"))
        .map((target) => join(dirname(file), target.split("#")[0]!))
        .filter((path) => !isShipped(path))
        .map((path) => `${file}: ${path}`),
    );
    expect(broken).toEqual([]);
  });

  it("installed from the tarball: README examples pass with vitest, without warnings", async () => {
    const run = await runToEnd(process.execPath, ["node_modules/vitest/vitest.mjs", "run"], { cwd: project });
    expect(run.code, run.output).toBe(0);
    expect(run.output).toMatch(new RegExp(`Tests\\s+${readmeTests} passed \\(${readmeTests}\\)`));
    // Source maps pointing at unshipped sources made vitest warn on every run.
    expect(run.output).not.toMatch(/warn|sourcemap/i);
  }, 60_000);

  it("installed from the tarball: README examples type-check against the shipped types", async () => {
    const run = await runToEnd(process.execPath, [join(ROOT, "node_modules/typescript/bin/tsc"), "-p", "."], {
      cwd: project,
    });
    expect(run.output).toBe("");
    expect(run.code).toBe(0);
  }, 60_000);

  it("installed from the tarball: require() loads the ES build where Node can require() ES modules, else fails saying why", async () => {
    const { errors } = await import("../src/errors.js");
    const loaded = await runToEnd(
      process.execPath,
      [
        "-e",
        'console.log(typeof require("convex-storage-emulator").createStorageEmulator, typeof require("convex-storage-emulator/convex-test").connectConvexTest)',
      ],
      { cwd: project },
    );
    expect(loaded.output).toBe("function function\n");
    for (const specifier of [
      "convex-storage-emulator",
      "convex-storage-emulator/vitest",
      "convex-storage-emulator/convex-test",
    ]) {
      const script = `try { require(${JSON.stringify(specifier)}); } catch (e) { console.log(JSON.stringify({ code: e.code, message: e.message })); }`;
      // As on a Node without require(esm): the "module-sync" condition is off, "require" answers.
      const run = await runToEnd(process.execPath, ["--no-experimental-require-module", "-e", script], {
        cwd: project,
      });
      expect(JSON.parse(run.output)).toEqual({ code: "EsmOnly", message: errors.esmOnly().message });
    }
  });

  it("installed from the tarball: import works and the command runs", async () => {
    const imported = await runToEnd(
      process.execPath,
      [
        "--input-type=module",
        "-e",
        'import { createStorageEmulator } from "convex-storage-emulator"; console.log(createStorageEmulator().url);',
      ],
      { cwd: project },
    );
    expect(imported.output).toBe("http://127.0.0.1:3210\n");
    const command = await runToEnd(join(project, "node_modules/.bin/convex-storage-emulator"), ["--version"], {
      cwd: project,
    });
    expect(command.output).toBe(`${JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")).version}\n`);
  });
});
