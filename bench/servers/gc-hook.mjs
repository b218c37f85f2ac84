// With BENCH_GC_SIGNAL=1 and node --expose-gc: SIGUSR2 runs a full GC.
export function installGcHook() {
  if (process.env.BENCH_GC_SIGNAL !== "1" || typeof globalThis.gc !== "function") return;
  process.on("SIGUSR2", () => {
    globalThis.gc();
    globalThis.gc();
  });
}
