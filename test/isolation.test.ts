// Parallel isolation: several test files, each in its own worker process with its own
// emulator on `port: 0`, upload at the same time without seeing each other's files.
//
// Files under test/**/*.test.ts already run in parallel workers, but how many run at
// once depends on the machine's CPUs, so a check among them might quietly run one file
// after another and prove nothing. Instead this spawns vitest on test/parallel/, whose
// config asks for four forked workers, and whose files wait at a barrier until all four
// have started, and again until all four have uploaded: if they did not overlap, the
// barrier times out and the run fails. Each file also registers the matchers through
// `setupFiles: ["convex-storage-emulator/vitest"]`, as the README shows. vitest resolves
// setup files like Node does, without aliases, so that name goes through this package's
// own "exports" to dist/vitest.js: `npm test` builds first.
import { existsSync } from "node:fs";
import { readdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import { expect, it } from "vitest";
import { cleanupAfterEach } from "./support/cleanup.js";
import { ROOT, runToEnd, VITEST } from "./support/run-to-end.js";

const { tempDir } = cleanupAfterEach();

it("isolation: four files in four workers, each with its own emulator, upload at once without cross-talk", async () => {
  if (!existsSync(join(ROOT, "dist/vitest.js")))
    throw new Error("dist/vitest.js is missing: run `npm run build` (npm test does).");
  const dir = tempDir("cse-isolation-");
  const report = join(dir, "report.json");
  const { code, output } = await runToEnd(
    process.execPath,
    [VITEST, "run", "--config", "test/parallel/vitest.config.ts", "--reporter=json", `--outputFile=${report}`],
    { cwd: ROOT, env: { ISOLATION_DIR: dir } },
  );
  const results = JSON.parse(await readFile(report, "utf8")) as {
    numPassedTests: number;
    numFailedTests: number;
    testResults: { name: string; message?: string; assertionResults?: { failureMessages?: string[] }[] }[];
  };
  const failures = results.testResults.flatMap((file) => [
    ...(file.message ? [`${file.name}: ${file.message}`] : []),
    ...(file.assertionResults ?? []).flatMap((test) =>
      (test.failureMessages ?? []).map((m) => `${file.name}: ${m.split("\n")[0]}`),
    ),
  ]);
  expect(code, `${output}\n${failures.join("\n")}`).toBe(0);
  expect(results).toMatchObject({ numPassedTests: 4, numFailedTests: 0 });
  expect(results.testResults).toHaveLength(4);
  // Every worker reached the barrier from its own process, listening on its own port.
  const arrivals = await Promise.all(
    (await readdir(join(dir, "started"))).map(
      async (name) => JSON.parse(await readFile(join(dir, "started", name), "utf8")) as { pid: number; port: number },
    ),
  );
  expect(arrivals).toHaveLength(4);
  expect(new Set(arrivals.map((a) => a.pid)).size).toBe(4);
  expect(new Set(arrivals.map((a) => a.port)).size).toBe(4);
}, 90_000);
