// Ends a run with the plain closing line CI reads: "Tests: N passed, N failed[, N skipped]".
// A red run never says "0 failed": besides failed tests, a file that failed on its own
// (an error at import, or in a beforeAll/afterAll hook, which leaves its tests skipped)
// counts one failure, and so does each error thrown outside any test.
import type { Reporter, SerializedError, TestModule, TestRunEndReason } from "vitest/node";

export default class SummaryReporter implements Reporter {
  onTestRunEnd(
    testModules: ReadonlyArray<TestModule>,
    unhandledErrors: ReadonlyArray<SerializedError>,
    reason: TestRunEndReason,
  ): void {
    let passed = 0;
    let failed = unhandledErrors.length;
    let skipped = 0;
    for (const module of testModules) {
      let failedTests = 0;
      for (const test of module.children.allTests()) {
        const state = test.result().state;
        if (state === "passed") passed++;
        else if (state === "failed") failedTests++;
        else skipped++;
      }
      failed += failedTests;
      if (module.state() === "failed" && failedTests === 0) failed++;
    }
    // Whatever else made vitest fail the run (say, a type error in a *.test-d.ts file) is a failure too.
    if (reason === "failed" && failed === 0) failed = 1;
    process.stdout.write(`\nTests: ${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ""}\n`);
  }
}
