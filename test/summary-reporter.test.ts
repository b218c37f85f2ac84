// The closing line of a run ("Tests: N passed, N failed[, N skipped]") never says
// "0 failed" for a red run: each case runs vitest on a small test file in a temp dir.
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { cleanupAfterEach } from "./support/cleanup.js";
import { ROOT, runToEnd, VITEST } from "./support/run-to-end.js";

const { tempDir } = cleanupAfterEach();

/** Runs vitest with only the summary reporter on one test file; its exit code and closing line. */
async function setup(testFile: string, filter: string[] = []) {
  const dir = tempDir("cse-summary-");
  writeFileSync(
    join(dir, "vitest.config.mjs"),
    `export default { test: { include: ["*.test.mjs"], reporters: [${JSON.stringify(join(ROOT, "test/support/summary-reporter.ts"))}] } };\n`,
  );
  writeFileSync(join(dir, "case.test.mjs"), `import { afterAll, beforeAll, it } from "vitest";\n${testFile}\n`);
  const { code, output } = await runToEnd(process.execPath, [VITEST, "run", "--root", dir, ...filter], { cwd: dir });
  return { code, closing: output.trim().split("\n").at(-1), output };
}

describe("summary reporter", () => {
  it("summary: a green run counts passed and skipped tests, 0 failed", async () => {
    const run = await setup(`it("passes", () => {});\nit.skip("is skipped", () => {});`);
    expect(run.code, run.output).toBe(0);
    expect(run.closing).toBe("Tests: 1 passed, 0 failed, 1 skipped");
  });

  it("summary: a failing test is 1 failed", async () => {
    const run = await setup(`it("passes", () => {});\nit("fails", () => { throw new Error("no"); });`);
    expect(run.code).toBe(1);
    expect(run.closing).toBe("Tests: 1 passed, 1 failed");
  });

  it("summary: a file that throws at import is 1 failed", async () => {
    const run = await setup(`throw new Error("broken at import");\nit("never collected", () => {});`);
    expect(run.code).toBe(1);
    expect(run.closing).toBe("Tests: 0 passed, 1 failed");
  });

  it("summary: a beforeAll that throws is 1 failed, its tests skipped", async () => {
    // What a missing browser did to the browser tests: the tests never ran and vitest calls them skipped.
    const run = await setup(
      `beforeAll(() => { throw new Error("no browser"); });\nit("a", () => {});\nit("b", () => {});`,
    );
    expect(run.code).toBe(1);
    expect(run.closing).toBe("Tests: 0 passed, 1 failed, 2 skipped");
  });

  it("summary: an error thrown outside any test is 1 failed", async () => {
    const run = await setup(
      `it("leaks a timer that throws", () => { setTimeout(() => { throw new Error("late"); }, 0); });\nit("waits", () => new Promise((r) => setTimeout(r, 50)));`,
    );
    expect(run.code).toBe(1);
    expect(run.closing).toBe("Tests: 2 passed, 1 failed");
  });

  it("summary: a run that fails with no test failing (no file matched the filter) is 1 failed", async () => {
    const run = await setup(`it("passes", () => {});`, ["no-such-file"]);
    expect(run.code).toBe(1);
    expect(run.closing).toBe("Tests: 0 passed, 1 failed");
  });
});
