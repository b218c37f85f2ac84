// The build a bench runs: this repository's dist/, or another build's with BENCH_DIST=<dir>
// (for an A/B of two builds in the same minutes).
export const DIST = process.env.BENCH_DIST
  ? new URL(`file://${process.env.BENCH_DIST.replace(/\/?$/, "/")}`)
  : new URL("../../dist/", import.meta.url);
