// The packed package in a user's project for each supported vitest major (3.2, 4, 5): the
// projects of test/fixtures-projects/consumer-vitest-<major> (vitest, convex 1.51, convex-test
// 0.0.73, TypeScript 5.9 and 7, locked), installed from npm's cache (else the registry), the
// tarball installed on top.
// The README's examples run there as pasted, and type-check with the libraries' declarations
// (skipLibCheck false) under both TypeScripts.
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { writeReadmeExamples } from "./support/readme-project.js";
import { ROOT, runToEnd } from "./support/run-to-end.js";

const MAJORS = [3, 4, 5] as const;
const INSTALL = ["--prefer-offline", "--no-audit", "--no-fund", "--loglevel=error"];

let work: string;
let tarball: string;

beforeAll(async () => {
  if (!existsSync(join(ROOT, "dist/index.js")))
    throw new Error("dist/ is missing: run `npm run build` (npm test does).");
  work = mkdtempSync(join(tmpdir(), "cse-vitest-majors-"));
  const pack = await runToEnd("npm", ["pack", "--ignore-scripts", "--json", "--pack-destination", work], { cwd: ROOT });
  if (pack.code !== 0) throw new Error(`npm pack failed:\n${pack.output}`);
  tarball = join(
    work,
    (JSON.parse(pack.output.slice(pack.output.indexOf("["))) as { filename: string }[])[0]!.filename,
  );
}, 60_000);

afterAll(() => {
  if (work) rmSync(work, { recursive: true, force: true });
}, 60_000);

describe.each(MAJORS)("package with vitest %i", (major) => {
  let project: string;
  let readmeTests: number;

  beforeAll(async () => {
    project = join(work, `vitest-${major}`);
    cpSync(join(ROOT, `test/fixtures-projects/consumer-vitest-${major}`), project, { recursive: true });
    const locked = await runToEnd("npm", ["ci", ...INSTALL], { cwd: project });
    if (locked.code !== 0) throw new Error(`npm ci failed:\n${locked.output}`);
    // As a user adds it: `npm i -D <the package>`, here the tarball; peers resolve without --force.
    const added = await runToEnd("npm", ["install", "--no-save", ...INSTALL, tarball], { cwd: project });
    if (added.code !== 0) throw new Error(`npm install of the tarball failed:\n${added.output}`);
    readmeTests = writeReadmeExamples(project);
    // docs/vitest.md's example project, in a folder of its own (type-checked with the README's).
    for (const name of ["vitest.config.ts", "uploads.test.ts", "own-emulator.test.ts"]) {
      cpSync(join(ROOT, "test/fixtures-projects/vitest-shared", name), join(project, "shared", name));
    }
  }, 180_000);

  it(`vitest ${major}: the installed vitest is that major`, () => {
    const { version } = JSON.parse(readFileSync(join(project, "node_modules/vitest/package.json"), "utf8")) as {
      version: string;
    };
    expect(version.split(".")[0]).toBe(String(major));
  });

  it(`vitest ${major}: the README's examples pass, pasted as they are, without warnings`, async () => {
    const run = await runToEnd(process.execPath, ["node_modules/vitest/vitest.mjs", "run", "readme-"], {
      cwd: project,
    });
    expect(run.code, run.output).toBe(0);
    expect(run.output).toMatch(new RegExp(`Tests\\s+${readmeTests} passed \\(${readmeTests}\\)`));
    expect(run.output).not.toMatch(/warn|sourcemap/i);
  }, 60_000);

  it(`vitest ${major}: the docs' shared-emulator project (globalSetup, the fixtures, inject) passes`, async () => {
    const run = await runToEnd(process.execPath, ["node_modules/vitest/vitest.mjs", "run", "--root", "shared"], {
      cwd: project,
      env: { CONVEX_STORAGE_EMULATOR_URL: undefined },
    });
    expect(run.code, run.output).toBe(0);
    expect(run.output).toMatch(/Tests\s+5 passed \(5\)/);
  }, 60_000);

  it.each([
    ["5.9", "node_modules/typescript/bin/tsc"],
    ["7", "node_modules/typescript-7/bin/tsc"],
  ])(
    `vitest ${major}: the README's examples and the matcher types type-check with TypeScript %s, skipLibCheck false`,
    async (_version, tsc) => {
      // vitest 3.2's own declarations fail TypeScript 7 without skipLibCheck (a duplicate `containSubset`
      // with @types/chai): reported with or without this package, so only the errors beyond those count.
      const run = await runToEnd(process.execPath, [tsc, "-p", "."], { cwd: project });
      if (run.code === 0 && run.output === "") return;
      const baseline = await runToEnd(process.execPath, [tsc, "-p", "tsconfig.baseline.json"], { cwd: project });
      expect(baseline.output, "the project fails only where the libraries fail without this package").not.toBe("");
      expect(
        run.output.split("\n").filter((line) => line !== "" && !baseline.output.split("\n").includes(line)),
      ).toEqual([]);
    },
    60_000,
  );
});
