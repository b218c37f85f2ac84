// Focused check of the connected row (issue 20): convex-test with an emulator
// connected vs convex-test alone, one fresh child per case (bench/inprocess.mjs),
// both cases interleaved in every round, medians of the per-round ratios: of ops/s, and of CPU
// time per op (alone / connected, so above 1 connected is cheaper), which other load on a shared
// machine moves far less.
//
//   node bench/connected.mjs [--rounds 5] [--ms 1000] [--sizes 1024,65536,1048576] [--memory]
//
// --memory: also the bytes kept per stored byte (bench/kept-bytes.mjs, 64 x 1 MiB): convex-test
// alone, connected, the emulator alone (connected keeps each file twice: convex-test's Blob and
// the emulator's buffers).
//
// Needs `npm run build` first (it runs dist/).
import { parseArgs } from "node:util";
import { BENCH_DIR, join, runJsonChild } from "./lib/proc.mjs";
import { fmtNum, fmtSize, median } from "./lib/stats.mjs";

const { values } = parseArgs({
  options: {
    rounds: { type: "string" },
    ms: { type: "string" },
    sizes: { type: "string" },
    memory: { type: "boolean" },
  },
});
const rounds = Number(values.rounds ?? 5);
const ms = Number(values.ms ?? 1000);
const sizes = (values.sizes ?? "1024,65536,1048576").split(",").map(Number);

for (const size of sizes) {
  const alone = [];
  const connected = [];
  const cpu = { "convex-test": [], connected: [] };
  for (let round = 0; round < rounds; round++) {
    // Alternate which case goes first, so a drift in machine load hits both.
    const order = round % 2 === 0 ? ["convex-test", "connected"] : ["connected", "convex-test"];
    for (const impl of order) {
      const out = await runJsonChild(join(BENCH_DIR, "inprocess.mjs"), { impl, size, ms });
      (impl === "connected" ? connected : alone).push(out.opsPerSec);
      cpu[impl].push(out.cpuUsPerOp);
    }
  }
  const ratios = connected.map((c, i) => c / alone[i]);
  const cpuRatios = cpu.connected.map((c, i) => cpu["convex-test"][i] / c);
  const spread = (xs) => `${median(xs).toFixed(2)}x (${Math.min(...xs).toFixed(2)}-${Math.max(...xs).toFixed(2)})`;
  process.stdout.write(
    `${fmtSize(size).padStart(7)}  connected / alone ${spread(ratios)}  ${fmtNum(median(connected))} vs ${fmtNum(median(alone))} ops/s;` +
      `  CPU ${spread(cpuRatios)}  ${fmtNum(median(cpu.connected))} vs ${fmtNum(median(cpu["convex-test"]))} µs/op\n`,
  );
}

if (values.memory) {
  for (const impl of ["convex-test", "connected", "emulator"]) {
    const out = await runJsonChild(join(BENCH_DIR, "kept-bytes.mjs"), { impl }, { nodeArgs: ["--expose-gc"] });
    process.stdout.write(
      `kept per stored byte, ${impl.padEnd(11)}  arrayBuffers ${out.arrayBuffersPerByte.toFixed(2)}  RSS ${out.rssPerByte.toFixed(2)}\n`,
    );
  }
}
