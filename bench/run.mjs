// `npm run bench`: side-by-side benchmarks of convex-storage-emulator, printed
// as ratios against baselines measured in the same run (issue 11).
//
//   node bench/run.mjs [--quick] [--runs N] [--upload-ms MS] [--warmup-ms MS] [--only inprocess,http,overhead,memory,cli,clients] [--no-write] [--out FILE]
//
// --quick (about a minute): one run of the in-process and HTTP rows at 1 KiB
// and 1 MiB only; --only adds other sections to it.
//
// Every case runs in fresh child processes; the HTTP cases put the server in
// one child and the client (undici Pool, 8 connections) in another. All
// traffic is to 127.0.0.1. Every loop is bounded by time and count.
import { execFileSync, spawn } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { request } from "node:http";
import { createServer } from "node:net";
import os from "node:os";
import { parseArgs } from "node:util";
import { BENCH_DIR, ROOT_DIR, join, procMemory, runJsonChild, sleep, startServer, stopChild } from "./lib/proc.mjs";
import { KiB, MiB, fmtNum, fmtSize, median, quantile } from "./lib/stats.mjs";

const { values: flags } = parseArgs({
  options: {
    quick: { type: "boolean", default: false },
    runs: { type: "string" },
    "upload-ms": { type: "string" },
    "warmup-ms": { type: "string" },
    only: { type: "string" },
    "no-write": { type: "boolean", default: false },
    out: { type: "string" },
  },
});
const QUICK = flags.quick;
// 5: on these shared cores one run's ratio moves by +-15%; the median of 5 moves less.
const RUNS = Number(flags.runs ?? (QUICK ? 1 : 5));
const UPLOAD_MS = Number(flags["upload-ms"] ?? (QUICK ? 1000 : 2000));
// Untimed uploads (then GETs of them) before each HTTP case's timed phases, the same for every
// server: the timed phases measure steady state, not the JIT compiling a server's code (a cost a
// larger server pays longer: with 0.3 s the emulator's 64 KiB uploads cost 0.82x of the floor's
// CPU, with 3 s 0.97-1.0x; bench/LIMITS.md). Cold costs are rows 3 and 5.
const WARMUP_MS = Number(flags["warmup-ms"] ?? (QUICK ? 1000 : 2000));
const INPROC_MS = QUICK ? 500 : 1000;
// Untimed ops before each in-process case, for the same reason as WARMUP_MS.
const INPROC_WARMUP_MS = QUICK ? 200 : 1000;
const MEMORY_BYTES = QUICK ? 256 * MiB : 1024 * MiB;
const ALL_SECTIONS = ["inprocess", "http", "overhead", "memory", "cli", "clients"];
const SECTIONS = new Set((flags.only ?? (QUICK ? "inprocess,http" : ALL_SECTIONS.join(","))).split(","));
const wallStart = performance.now();
const loadStart = os.loadavg();

const log = (line) => process.stdout.write(`${line}\n`);
const elapsed = () => `${((performance.now() - wallStart) / 1000).toFixed(0)}s`;

/** A row that reports a ratio (the median of the runs') without a target: floors, ceilings, extra paths. */
function reportedRatio(section, name, ratios, note, detail) {
  return { section, name, ratios, value: median(ratios), unit: "x", target: "reported", pass: null, note, detail };
}

// --- rows -------------------------------------------------------------------------------

/** @type {{ section: string, name: string, ratios?: number[], value?: number, unit?: string, target: string, pass: boolean | null, detail: string, note?: string }[]} */
const rows = [];

function ratioRow(section, name, ratios, target, meets, detail) {
  const value = median(ratios);
  rows.push({
    section,
    name,
    ratios,
    value,
    unit: "x",
    target,
    pass: Number.isFinite(value) ? meets(value) : false,
    detail,
  });
}

/**
 * An HTTP row, judged on throughput and on server CPU per request (baseline CPU / emulator CPU,
 * so above 1 the emulator is cheaper): it meets its target only when both do.
 */
function httpRow(name, ratios, cpuRatios, target, meets, detail) {
  const value = median(ratios);
  const cpuValue = median(cpuRatios);
  const thr = Number.isFinite(value) && meets(value);
  const cpu = Number.isFinite(cpuValue) && meets(cpuValue);
  const note = thr === cpu ? undefined : thr ? "throughput only" : "CPU only";
  rows.push({
    section: "2. HTTP",
    name,
    ratios,
    value,
    cpuRatios,
    cpuValue,
    unit: "x",
    target,
    pass: thr && cpu,
    partial: note,
    detail,
  });
}

function fmtRatio(r) {
  return `${r.toFixed(2)}x`;
}

function spreadOf(value, ratios) {
  const lo = Math.min(...ratios);
  const hi = Math.max(...ratios);
  return ratios.length > 1 ? `${fmtRatio(value)} (${lo.toFixed(2)}–${hi.toFixed(2)})` : fmtRatio(value);
}

function ratioCell(row) {
  if (row.cpuRatios) return `${spreadOf(row.value, row.ratios)}; CPU ${spreadOf(row.cpuValue, row.cpuRatios)}`;
  if (row.ratios) return spreadOf(row.value, row.ratios);
  return row.valueText ?? String(row.value);
}

function verdict(row) {
  if (row.pass === null) return row.note ?? "n/a";
  if (row.partial) return `MISSES (meets on ${row.partial})`;
  return row.pass ? "meets" : "MISSES";
}

// --- machine ----------------------------------------------------------------------------

function versionOf(dir) {
  try {
    return JSON.parse(readFileSync(join(dir, "package.json"), "utf8")).version;
  } catch {
    return "not installed";
  }
}

function gitDescribe() {
  try {
    const sha = execFileSync("git", ["rev-parse", "--short", "HEAD"], { cwd: ROOT_DIR, encoding: "utf8" }).trim();
    const dirty = execFileSync("git", ["status", "--porcelain", "--", "src"], {
      cwd: ROOT_DIR,
      encoding: "utf8",
    }).trim();
    return `${sha}${dirty ? " + uncommitted changes in src/" : ""}`;
  } catch {
    return "unknown";
  }
}

const azuriteEngines = (() => {
  try {
    return JSON.parse(readFileSync(join(BENCH_DIR, "node_modules/azurite/package.json"), "utf8")).engines?.node ?? null;
  } catch {
    return null;
  }
})();
/** Why Azurite was skipped, if it was. */
let azuriteSkipped = null;

/** The CPU as /proc/cpuinfo names it (a VM may show only "AMD EPYC": family and model say which). */
function cpuModel() {
  try {
    const info = readFileSync("/proc/cpuinfo", "utf8");
    const field = (name) => new RegExp(`^${name}\\s*: (.*)$`, "m").exec(info)?.[1]?.trim();
    const mhz = Number(field("cpu MHz"));
    return (
      `${field("model name")} (${field("vendor_id")} family ${field("cpu family")} model ${field("model")} stepping ${field("stepping")}` +
      `${Number.isFinite(mhz) ? `, ${mhz.toFixed(0)} MHz` : ""}, cache ${field("cache size")})`
    );
  } catch {
    return os.cpus()[0]?.model?.trim() ?? "unknown";
  }
}

const machine = {
  cores: os.cpus().length,
  cpu: cpuModel(),
  memGiB: os.totalmem() / 1024 ** 3,
  platform: `${os.type()} ${os.release()} ${os.arch()}`,
  node: process.version,
  emulator: `${versionOf(ROOT_DIR)} (${gitDescribe()})`,
  peers: {
    undici: versionOf(join(BENCH_DIR, "node_modules/undici")),
    s3rver: versionOf(join(BENCH_DIR, "node_modules/s3rver")),
    azurite: versionOf(join(BENCH_DIR, "node_modules/azurite")),
    "convex-test": versionOf(join(ROOT_DIR, "node_modules/convex-test")),
    convex: versionOf(join(ROOT_DIR, "node_modules/convex")),
  },
};

log(
  `convex-storage-emulator bench: ${machine.cores} cores, ${machine.memGiB.toFixed(1)} GiB, ${machine.cpu}, Node ${machine.node}`,
);
log(
  `peers: ${Object.entries(machine.peers)
    .map(([k, v]) => `${k} ${v}`)
    .join(", ")}; ${RUNS} run(s) per case, upload phase ${UPLOAD_MS} ms after ${WARMUP_MS} ms of warm-up`,
);
if (!existsSync(join(ROOT_DIR, "dist/index.js"))) {
  log("dist/index.js is missing: run `npm run build` in the root first (npm run bench does).");
  process.exit(1);
}

// --- 1. in-process ----------------------------------------------------------------------

const INPROC_SIZES = QUICK ? [1 * KiB, 1 * MiB] : [1 * KiB, 64 * KiB, 1 * MiB];

async function inProcessSection() {
  const impls = ["limit", "copy", "emulator", "convex-test", "connected"];
  const res = Object.fromEntries(impls.map((i) => [i, Object.fromEntries(INPROC_SIZES.map((s) => [s, []]))]));
  const cpu = Object.fromEntries(impls.map((i) => [i, Object.fromEntries(INPROC_SIZES.map((s) => [s, []]))]));
  let pending = null;
  const total = RUNS * INPROC_SIZES.length * impls.length;
  let n = 0;
  for (let run = 0; run < RUNS; run++) {
    for (const size of INPROC_SIZES) {
      for (const impl of impls) {
        n++;
        if (impl === "connected" && pending) continue;
        const out = await runJsonChild(join(BENCH_DIR, "inprocess.mjs"), {
          impl,
          size,
          ms: INPROC_MS,
          warmupMs: INPROC_WARMUP_MS,
        });
        if (out.pending) {
          pending = out.pending;
          log(`[in-process ${n}/${total}] ${impl}: ${pending}`);
          continue;
        }
        res[impl][size].push(out.opsPerSec);
        cpu[impl][size].push(out.cpuUsPerOp);
        log(
          `[in-process ${n}/${total}] run ${run + 1}/${RUNS} ${fmtSize(size).padStart(7)} ${impl.padEnd(11)} ${fmtNum(out.opsPerSec).padStart(8)} ops/s  (${elapsed()})`,
        );
      }
    }
  }
  const per = (a, b, size) => res[a][size].map((x, i) => x / res[b][size][i]);
  // Ops/s and, beside it, the process's CPU time per op (less moved by other load).
  const ops = (impl, size) => `${fmtNum(median(res[impl][size]))} (${fmtNum(median(cpu[impl][size]))} µs CPU/op)`;
  for (const size of INPROC_SIZES) {
    const target = size === KiB ? 0.5 : 0.7;
    ratioRow(
      "1. in-process",
      `store+get+getUrl ${fmtSize(size)}: emulator / Map limit`,
      per("emulator", "limit", size),
      `>= ${target}x`,
      (r) => r >= target,
      `${ops("emulator", size)} vs ${ops("limit", size)}, ops/s`,
    );
  }
  // The floor of the store's design (bytes(), text() and snapshot() are synchronous, so a stored
  // Blob is read into a copy): a Map that keeps a copy, and how close the emulator comes to it.
  for (const size of INPROC_SIZES) {
    const reported = (name, ratios, detail) => rows.push(reportedRatio("1. in-process", name, ratios, "floor", detail));
    reported(
      `floor ${fmtSize(size)}: Map keeping a copy / Map limit`,
      per("copy", "limit", size),
      `${ops("copy", size)} vs ${ops("limit", size)}, ops/s`,
    );
    reported(
      `store+get+getUrl ${fmtSize(size)}: emulator / Map keeping a copy`,
      per("emulator", "copy", size),
      `${ops("emulator", size)} vs ${ops("copy", size)}, ops/s`,
    );
  }
  for (const size of INPROC_SIZES) {
    ratioRow(
      "1. in-process",
      `store+get+getUrl ${fmtSize(size)}: emulator / convex-test`,
      per("emulator", "convex-test", size),
      "> 1x",
      (r) => r > 1,
      `${ops("emulator", size)} vs ${ops("convex-test", size)}, ops/s`,
    );
  }
  for (const size of INPROC_SIZES) {
    // The ceiling of connected mode as built: it does convex-test's work and the emulator's, so on
    // CPU per op it can at best be alone / (alone + the emulator alone), from each run's own cases.
    if (pending) break;
    const ceilings = cpu["convex-test"][size].map((alone, i) => alone / (alone + cpu.emulator[size][i]));
    rows.push(
      reportedRatio(
        "1. in-process",
        `ceiling ${fmtSize(size)}: convex-test alone / (alone + emulator alone), CPU per op`,
        ceilings,
        "floor",
        `${fmtNum(median(cpu["convex-test"][size]))} and ${fmtNum(median(cpu.emulator[size]))} µs CPU/op`,
      ),
    );
  }
  for (const size of INPROC_SIZES) {
    const name = `t.run store+get+getUrl ${fmtSize(size)}: convex-test + emulator connected / convex-test alone`;
    if (pending)
      rows.push({
        section: "1. in-process",
        name,
        target: ">= 0.9x",
        pass: null,
        note: pending,
        valueText: "—",
        detail: "",
      });
    else
      ratioRow(
        "1. in-process",
        name,
        per("connected", "convex-test", size),
        ">= 0.9x",
        (r) => r >= 0.9,
        `${ops("connected", size)} vs ${ops("convex-test", size)}, ops/s`,
      );
  }
}

// --- 2. HTTP ----------------------------------------------------------------------------

const HTTP_SIZES = QUICK ? [1 * KiB, 1 * MiB] : [1 * KiB, 64 * KiB, 1 * MiB, 16 * MiB];
const HTTP_KINDS = ["bare", "emulator", "s3rver", "azurite"];
/** Server CPU per upload and per GET, for RESULTS.md. */
let cpuTable = null;

function serverSpec(kind, { profDir, gc } = {}) {
  const node = process.execPath;
  // --expose-gc + BENCH_GC_SIGNAL=1: SIGUSR2 makes the bench server scripts run a full GC.
  const gcFlags = gc ? ["--expose-gc"] : [];
  switch (kind) {
    case "emulator-lib":
      return {
        cmd: node,
        args: [...gcFlags, join(BENCH_DIR, "servers/emulator.mjs")],
        cwd: BENCH_DIR,
        env: { BENCH_GC_SIGNAL: "1" },
      };
    case "emulator":
      return {
        cmd: node,
        args: [
          ...(profDir ? ["--cpu-prof", "--cpu-prof-dir", profDir] : []),
          join(ROOT_DIR, "bin/convex-storage-emulator.js"),
          "--port",
          "0",
          "--quiet",
        ],
        cwd: ROOT_DIR,
      };
    case "bare":
      return {
        cmd: node,
        args: [...gcFlags, join(BENCH_DIR, "servers/bare.mjs")],
        cwd: BENCH_DIR,
        env: { BENCH_GC_SIGNAL: "1" },
      };
    case "s3rver":
      return { cmd: node, args: [join(BENCH_DIR, "servers/s3rver.mjs")], cwd: BENCH_DIR };
    case "floor":
      return { cmd: node, args: [join(BENCH_DIR, "servers/floor.mjs")], cwd: BENCH_DIR };
    case "azurite": {
      // In memory; its cwd is a temp dir in case it writes anything. Telemetry off: traffic stays on 127.0.0.1.
      const cwd = mkdtempSync(join(os.tmpdir(), "bench-azurite-"));
      return {
        cmd: node,
        args: [
          join(BENCH_DIR, "node_modules/azurite/dist/src/blob/main.js"),
          "--inMemoryPersistence",
          "--blobHost",
          "127.0.0.1",
          "--blobPort",
          "0",
          "--silent",
          "--skipApiVersionCheck",
          "--loose",
          "--disableTelemetry",
        ],
        cwd,
        cleanup: () => rmSync(cwd, { recursive: true, force: true }),
      };
    }
    default:
      throw new Error(kind);
  }
}

async function withServer(kind, fn, opts) {
  const spec = serverSpec(kind, opts);
  const server = await startServer(spec.cmd, spec.args, { cwd: spec.cwd, env: spec.env });
  try {
    return await fn(server);
  } finally {
    await server.stop();
    spec.cleanup?.();
  }
}

async function httpSection() {
  const skipped = {};
  // Azurite 3.37.0 declares node >= 22; check once that it starts here.
  try {
    await withServer("azurite", async () => {});
  } catch (error) {
    skipped.azurite = `Azurite would not start on Node ${process.version}: ${
      String(error.message)
        .split("\n")
        .find((l) => l.trim()) ?? ""
    }`;
    azuriteSkipped = `so it was skipped: ${skipped.azurite}`;
    log(skipped.azurite);
  }
  const kinds = [...HTTP_KINDS.filter((k) => !skipped[k]), "floor"];
  // Per kind and size: throughput (req/s) and server CPU per request (µs) of each phase, one entry per run.
  const res = Object.fromEntries(
    kinds.map((k) => [
      k,
      Object.fromEntries(HTTP_SIZES.map((s) => [s, { up: [], serve: [], upCpu: [], serveCpu: [], upFaults: [] }])),
    ]),
  );
  const total = RUNS * HTTP_SIZES.length * kinds.length;
  let n = 0;
  for (let run = 0; run < RUNS; run++) {
    for (const size of HTTP_SIZES) {
      for (const kind of kinds) {
        n++;
        const t0 = performance.now();
        // The client reads the server's CPU time (/proc/<pid>/stat) around each timed phase.
        const out = await withServer(kind, (server) =>
          // The floor speaks the emulator's routes.
          runJsonChild(
            join(BENCH_DIR, "http-client.mjs"),
            {
              kind: kind === "floor" ? "emulator" : kind,
              origin: server.url,
              size,
              uploadMs: UPLOAD_MS,
              warmupMs: WARMUP_MS,
              serverPid: server.pid,
            },
            { timeoutMs: 180_000 },
          ),
        );
        const up = out.uploads / out.uploadSec;
        const serve = out.serves / out.serveSec;
        const r = res[kind][size];
        r.up.push(up);
        r.serve.push(serve);
        r.upCpu.push(out.uploadCpuUs);
        r.serveCpu.push(out.serveCpuUs);
        r.upFaults.push(out.uploadFaults);
        const unit = (rps) =>
          size >= MiB ? `${fmtNum((rps * size) / MiB).padStart(6)} MiB/s` : `${fmtNum(rps).padStart(6)} req/s`;
        log(
          `[http ${n}/${total}] run ${run + 1}/${RUNS} ${fmtSize(size).padStart(7)} ${kind.padEnd(8)} upload ${unit(up)} (${out.uploads}) ${fmtNum(out.uploadCpuUs).padStart(6)} µs CPU/req, serve ${unit(serve)} ${fmtNum(out.serveCpuUs).padStart(6)} µs CPU/req  (${((performance.now() - t0) / 1000).toFixed(1)} s, load ${os.loadavg()[0].toFixed(1)}, ${elapsed()})`,
        );
      }
    }
  }
  cpuTable = {
    kinds,
    sizes: HTTP_SIZES,
    median: (k, size, dir) => median(res[k][size][{ up: "upCpu", serve: "serveCpu", faults: "upFaults" }[dir]]),
  };
  const fmtRate = (size, rps) => (size >= MiB ? `${fmtNum((rps * size) / MiB)} MiB/s` : `${fmtNum(rps)} req/s`);
  const fmtCpu = (us) => `${fmtNum(us)} µs`;
  for (const size of HTTP_SIZES) {
    for (const dir of ["up", "serve"]) {
      const label = dir === "up" ? "upload" : "serve";
      const cpuKey = dir === "up" ? "upCpu" : "serveCpu";
      const emu = res.emulator[size][dir];
      const emuCpu = res.emulator[size][cpuKey];
      const em = `${fmtRate(size, median(emu))}, ${fmtCpu(median(emuCpu))} CPU/req`;
      // Ratios within each run: throughput emulator / baseline, CPU baseline / emulator (above 1: the emulator is cheaper).
      const vs = (baseline, baselineCpu) => [
        emu.map((x, i) => x / baseline[i]),
        emuCpu.map((x, i) => baselineCpu[i] / x),
      ];
      const detail = (baseline, baselineCpu) =>
        `${em} vs ${fmtRate(size, median(baseline))}, ${fmtCpu(median(baselineCpu))}`;
      // vs bare (or, at 16 MiB, the best of bare and s3rver in the same run)
      let base = { name: "bare node:http", thr: res.bare[size][dir], cpu: res.bare[size][cpuKey] };
      if (size === 16 * MiB) {
        base = {
          name: "best of bare, s3rver",
          thr: emu.map((_, i) => Math.max(res.bare[size][dir][i], res.s3rver[size][dir][i])),
          cpu: emu.map((_, i) => Math.min(res.bare[size][cpuKey][i], res.s3rver[size][cpuKey][i])),
        };
      }
      const target = size === KiB ? 0.5 : 0.8;
      httpRow(
        `${label} ${fmtSize(size)}: emulator / ${base.name}`,
        ...vs(base.thr, base.cpu),
        `>= ${target}x`,
        (r) => r >= target,
        detail(base.thr, base.cpu),
      );
      // Reported: what node:http plus the protocol's own work costs (bench/servers/floor.mjs)
      // against the same baseline, and the emulator against it.
      const floor = res.floor[size];
      const fl = `${fmtRate(size, median(floor[dir]))}, ${fmtCpu(median(floor[cpuKey]))} CPU/req`;
      const floorRatios = [floor[dir].map((x, i) => x / base.thr[i]), floor[cpuKey].map((x, i) => base.cpu[i] / x)];
      rows.push({
        section: "2. HTTP",
        name: `floor ${label} ${fmtSize(size)}: node:http + the protocol's work / ${base.name}`,
        ratios: floorRatios[0],
        value: median(floorRatios[0]),
        cpuRatios: floorRatios[1],
        cpuValue: median(floorRatios[1]),
        unit: "x",
        target: "reported",
        pass: null,
        note: "floor",
        detail: `${fl} vs ${fmtRate(size, median(base.thr))}, ${fmtCpu(median(base.cpu))}`,
      });
      const [thr, cpu] = vs(floor[dir], floor[cpuKey]);
      rows.push({
        section: "2. HTTP",
        name: `${label} ${fmtSize(size)}: emulator / floor`,
        ratios: thr,
        value: median(thr),
        cpuRatios: cpu,
        cpuValue: median(cpu),
        unit: "x",
        target: "reported",
        pass: null,
        note: "floor",
        detail: `${em} vs ${fl}`,
      });
      for (const peer of ["s3rver", "azurite"]) {
        const name = `${label} ${fmtSize(size)}: emulator / ${peer}`;
        if (skipped[peer]) {
          rows.push({
            section: "2. HTTP",
            name,
            target: "> 1x",
            pass: null,
            note: "skipped",
            valueText: "—",
            detail: skipped[peer],
          });
          continue;
        }
        const p = res[peer][size];
        httpRow(name, ...vs(p[dir], p[cpuKey]), "> 1x", (r) => r > 1, detail(p[dir], p[cpuKey]));
      }
    }
  }
}

// --- 3. per-test overhead ---------------------------------------------------------------

async function overheadSection() {
  const out = await runJsonChild(
    join(BENCH_DIR, "overhead.mjs"),
    QUICK
      ? { iterations: 50, warmup: 10, resetFiles: 10_000, resetRuns: 2, snapshotMiB: 64, snapshotRuns: 1 }
      : { iterations: 300, warmup: 30, resetFiles: 10_000, resetRuns: 5, snapshotMiB: 256, snapshotRuns: 3 },
    { timeoutMs: 300_000 },
  );
  const { emulator, bare } = out.lifecycle;
  log(
    `[overhead] lifecycle ${emulator.length}x each: emulator median ${median(emulator).toFixed(2)} ms p99 ${quantile(emulator, 0.99).toFixed(2)} ms; bare median ${median(bare).toFixed(2)} ms p99 ${quantile(bare, 0.99).toFixed(2)} ms  (${elapsed()})`,
  );
  const detail = (q) => `${q(emulator).toFixed(2)} ms vs ${q(bare).toFixed(2)} ms, ${emulator.length} each`;
  const med = median(emulator) / median(bare);
  rows.push({
    section: "3. per-test",
    name: "create+listen+1 upload+close: emulator / bare http (median)",
    value: med,
    valueText: fmtRatio(med),
    target: "<= 2x",
    pass: med <= 2,
    detail: detail(median),
  });
  const p99 = quantile(emulator, 0.99) / quantile(bare, 0.99);
  rows.push({
    section: "3. per-test",
    name: "create+listen+1 upload+close: emulator / bare http (p99)",
    value: p99,
    valueText: fmtRatio(p99),
    target: "<= 2.5x",
    pass: p99 <= 2.5,
    detail: detail((a) => quantile(a, 0.99)),
  });
  const reset = median(out.reset);
  log(`[overhead] reset() with ${out.resetFiles} files: ${out.reset.map((x) => x.toFixed(2)).join(", ")} ms`);
  rows.push({
    section: "3. per-test",
    name: `reset() with ${fmtNum(out.resetFiles)} files stored`,
    value: reset,
    valueText: `${reset.toFixed(2)} ms`,
    target: "< 10 ms",
    pass: reset < 10,
    detail: `median of ${out.reset.length}: ${out.reset.map((x) => x.toFixed(1)).join(", ")} ms`,
  });
  for (const what of ["snapshot", "restore"]) {
    const rates = out[what].map((ms) => out.snapshotMiB / (ms / 1000));
    log(`[overhead] ${what}() of ${out.snapshotMiB} MiB: ${out[what].map((x) => x.toFixed(0)).join(", ")} ms`);
    rows.push({
      section: "3. per-test",
      name: `${what}() of ${out.snapshotMiB} MiB (1 MiB files)`,
      value: median(rates),
      valueText: `${fmtNum(median(rates))} MiB/s`,
      target: "reported",
      pass: null,
      note: "reported",
      detail: `${out[what].map((x) => x.toFixed(0)).join(", ")} ms`,
    });
  }
}

// --- 4. memory --------------------------------------------------------------------------

async function memorySection() {
  const files = MEMORY_BYTES / MiB;
  // The emulator here is servers/emulator.mjs: the CLI's createStorageEmulator().listen() from dist/, plus a GC hook.
  const servers = [
    ["emulator", "emulator-lib"],
    ["bare", "bare"],
  ];
  const stored = {};
  for (const [kind, serverKind] of servers) {
    await withServer(
      serverKind,
      async (server) => {
        const before = procMemory(server.pid);
        const out = await runJsonChild(
          join(BENCH_DIR, "http-client.mjs"),
          { kind, origin: server.url, size: MiB, uploadMs: 300_000, maxUploads: files, serve: false, warmupMs: 0 },
          { timeoutMs: 300_000 },
        );
        if (out.uploads !== files) throw new Error(`${kind}: ${out.uploads} uploads, expected ${files}`);
        await sleep(500); // let the server finish its bookkeeping
        const after = procMemory(server.pid);
        server.child.kill("SIGUSR2");
        await sleep(1000);
        const afterGc = procMemory(server.pid);
        stored[kind] = { before, after, afterGc, sec: out.uploadSec };
        log(
          `[memory] ${kind}: ${files} x 1 MiB stored over HTTP in ${out.uploadSec.toFixed(1)} s; RSS ${(after.rss / MiB).toFixed(0)} MiB (idle ${(before.rss / MiB).toFixed(0)} MiB, after a full GC ${(afterGc.rss / MiB).toFixed(0)} MiB), peak ${(afterGc.hwm / MiB).toFixed(0)} MiB  (${elapsed()})`,
        );
      },
      { gc: true },
    );
  }
  const mib = (b) => (b / MiB).toFixed(0);
  const rss = stored.emulator.after.rss / MEMORY_BYTES;
  rows.push({
    section: "4. memory",
    name: `server RSS after storing ${fmtSize(MEMORY_BYTES)} as 1 MiB files / stored bytes`,
    value: rss,
    valueText: fmtRatio(rss),
    target: "<= 1.15x",
    pass: rss <= 1.15,
    detail:
      `emulator ${mib(stored.emulator.after.rss)} MiB (${mib(stored.emulator.afterGc.rss)} MiB after a full GC); ` +
      `bare node:http ${mib(stored.bare.after.rss)} MiB = ${(stored.bare.after.rss / MEMORY_BYTES).toFixed(2)}x (${mib(stored.bare.afterGc.rss)} MiB after GC)`,
  });

  for (const chunked of [false, true]) {
    const peak = {};
    const how = chunked ? "without Content-Length (chunked)" : "with Content-Length";
    for (const [kind, serverKind] of servers) {
      await withServer(
        serverKind,
        async (server) => {
          const idle = procMemory(server.pid);
          const out = await runJsonChild(
            join(BENCH_DIR, "big-upload.mjs"),
            { kind, origin: server.url, totalBytes: MEMORY_BYTES, chunked },
            { timeoutMs: 300_000 },
          );
          await sleep(200);
          peak[kind] = { ...procMemory(server.pid), idle: idle.rss };
          log(
            `[memory] ${kind}: one ${fmtSize(MEMORY_BYTES)} upload ${how} in ${out.sec.toFixed(1)} s; peak RSS (VmHWM) ${mib(peak[kind].hwm)} MiB, RSS after ${mib(peak[kind].rss)} MiB, idle before ${mib(idle.rss)} MiB  (${elapsed()})`,
          );
        },
        { gc: true },
      );
    }
    const over = (peak.emulator.hwm - MEMORY_BYTES) / MiB;
    rows.push({
      section: "4. memory",
      name: `peak RSS (VmHWM) during one ${fmtSize(MEMORY_BYTES)} upload ${how}, over stored bytes`,
      value: over,
      valueText: `+${fmtNum(over)} MiB`,
      target: "<= +64 MiB",
      pass: over <= 64,
      detail: `emulator peak ${mib(peak.emulator.hwm)} MiB (idle ${mib(peak.emulator.idle)} MiB); bare node:http (chunks + Buffer.concat) peak ${mib(peak.bare.hwm)} MiB (idle ${mib(peak.bare.idle)} MiB)`,
    });
  }
}

// --- 5. CLI start -----------------------------------------------------------------------

function freePort() {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once("error", reject);
    s.listen(0, "127.0.0.1", () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

function getOnce(url) {
  return new Promise((resolve) => {
    const req = request(url, { agent: false }, (res) => {
      res.resume();
      res.on("end", () => resolve(res.statusCode));
    });
    req.on("error", () => resolve(0));
    req.setTimeout(1000, () => req.destroy());
    req.end();
  });
}

/** Spawns `args`, polls `path` every 5 ms until it answers 200; returns ms from spawn. */
async function timeToFirstRequest(args, port, path) {
  const t0 = performance.now();
  const child = spawn(process.execPath, args, { cwd: ROOT_DIR, stdio: "ignore" });
  const exited = new Promise((r) => child.once("exit", r));
  try {
    // Bounded: 10 s of polling.
    while (performance.now() - t0 < 10_000) {
      if ((await getOnce(`http://127.0.0.1:${port}${path}`)) === 200) return performance.now() - t0;
      if (child.exitCode !== null) throw new Error(`${args.join(" ")} exited ${child.exitCode}`);
      await sleep(5);
    }
    throw new Error(`${args.join(" ")}: no answer within 10 s`);
  } finally {
    await stopChild(child, exited);
  }
}

async function cliSection() {
  const times = { emulator: [], bare: [] };
  const iterations = QUICK ? 3 : 7;
  for (let i = 0; i < iterations; i++) {
    for (const kind of i % 2 ? ["emulator", "bare"] : ["bare", "emulator"]) {
      const port = await freePort();
      const ms =
        kind === "emulator"
          ? await timeToFirstRequest(
              [join(ROOT_DIR, "bin/convex-storage-emulator.js"), "--port", String(port), "--quiet"],
              port,
              "/_emulator/health",
            )
          : await timeToFirstRequest(
              ["-e", `require("node:http").createServer((q, s) => s.end("ok")).listen(${port}, "127.0.0.1")`],
              port,
              "/",
            );
      times[kind].push(ms);
    }
  }
  log(
    `[cli] start to first answer, ${iterations}x: emulator ${times.emulator.map((x) => x.toFixed(0)).join(", ")} ms; bare node -e ${times.bare.map((x) => x.toFixed(0)).join(", ")} ms  (${elapsed()})`,
  );
  const r = median(times.emulator) / median(times.bare);
  rows.push({
    section: "5. CLI",
    name: "spawn bin to first GET /_emulator/health / bare `node -e` http listen",
    value: r,
    valueText: fmtRatio(r),
    target: "< 2x",
    pass: r < 2,
    detail: `median ${median(times.emulator).toFixed(0)} ms vs ${median(times.bare).toFixed(0)} ms, ${iterations} each`,
  });
}

// Convex's own clients (issue 27): a mutation's round trip over the WebSocket and the HTTP API
// against t.mutation in process, and one mutation fanned out to 100 subscribed clients.
async function clientsSection() {
  const samples = QUICK ? 300 : 1000;
  const results = [];
  for (let run = 0; run < RUNS; run++) {
    results.push(
      await runJsonChild(
        join(BENCH_DIR, "clients.mjs"),
        { samples, batches: 5, fanout: 100, rounds: QUICK ? 10 : 20 },
        { timeoutMs: 300_000 },
      ),
    );
    const r = results.at(-1);
    log(
      `[clients] run ${run + 1}: t.mutation p50 ${r.inProcess.p50.toFixed(3)} ms, WebSocket ${r.ws.p50.toFixed(3)} ms (floor ${r.syncFloor.p50.toFixed(3)} ms), HTTP ${r.http.p50.toFixed(3)} ms, fan-out to 100 ${r.fanout.p50.toFixed(1)} ms  (${elapsed()})`,
    );
  }
  const ratio = (path, q) => results.map((r) => r[path][q] / r.inProcess[q]);
  const ms = (path, q) =>
    `${median(results.map((r) => r[path][q])).toFixed(3)} ms vs ${median(results.map((r) => r.inProcess[q])).toFixed(3)} ms`;
  ratioRow(
    "6. clients",
    "ConvexClient.mutation over the WebSocket / t.mutation in process (p50)",
    ratio("ws", "p50"),
    "<= 1.5x",
    (x) => x <= 1.5,
    ms("ws", "p50"),
  );
  for (const [path, label] of [
    ["ws", "ConvexClient.mutation over the WebSocket"],
    ["wsSubscribed", "the same, subscribed to what it writes"],
    ["http", "ConvexHttpClient.mutation over HTTP"],
  ]) {
    for (const q of path === "ws" ? ["p99"] : ["p50", "p99"]) {
      rows.push(
        reportedRatio("6. clients", `${label} / t.mutation in process (${q})`, ratio(path, q), "reported", ms(path, q)),
      );
    }
  }
  // Floors: the same round trips with the emulator's work taken out (bench/lib/client-floors.mjs).
  for (const [path, label] of [
    ["echoFloor", "floor: bare ws + JSON, the same frames"],
    ["syncFloor", "floor: ConvexClient vs a canned sync server"],
    ["syncFloorSubscribed", "floor: the same, subscribed"],
    ["httpFloor", "floor: ConvexHttpClient vs canned node:http"],
  ]) {
    rows.push(
      reportedRatio(
        "6. clients",
        `${label} / t.mutation in process (p50)`,
        ratio(path, "p50"),
        "floor",
        ms(path, "p50"),
      ),
    );
  }
  const cpu = (path) => median(results.map((r) => r[path].cpuUs / r.inProcess.cpuUs));
  rows.push({
    section: "6. clients",
    name: "CPU per op / t.mutation's: WebSocket, subscribed, HTTP; floors: ConvexClient, ConvexHttpClient",
    value: cpu("ws"),
    valueText: `${cpu("ws").toFixed(2)}x`,
    unit: "x",
    target: "reported",
    pass: null,
    note: "reported",
    detail:
      ["ws", "wsSubscribed", "http", "syncFloor", "httpFloor"].map((p) => `${cpu(p).toFixed(2)}x`).join(", ") +
      ` (t.mutation ${median(results.map((r) => r.inProcess.cpuUs)).toFixed(0)} µs)`,
  });
  const fan = results.map((r) => r.fanout.p50);
  rows.push({
    section: "6. clients",
    name: "one mutation to 100 subscribed ConvexClients, until the last has it (p50)",
    value: median(fan),
    valueText: `${median(fan).toFixed(1)} ms`,
    target: "reported",
    pass: null,
    note: "reported",
    detail: `p99 ${median(results.map((r) => r.fanout.p99)).toFixed(1)} ms, ${RUNS} run(s)`,
  });
}

// --- run --------------------------------------------------------------------------------

const sections = [
  ["inprocess", inProcessSection],
  ["http", httpSection],
  ["overhead", overheadSection],
  ["memory", memorySection],
  ["cli", cliSection],
  ["clients", clientsSection],
];
for (const [name, fn] of sections) if (SECTIONS.has(name)) await fn();

const wallSec = (performance.now() - wallStart) / 1000;
const loadEnd = os.loadavg();

// --- report -----------------------------------------------------------------------------

const header = ["row", "ratio / value (spread)", "target", "verdict", "emulator vs baseline"];
const table = rows.map((r) => [r.name, ratioCell(r), r.target, verdict(r), r.detail]);
const widths = header.map((h, i) => Math.max(h.length, ...table.map((t) => t[i].length)));
const line = (cells) => cells.map((c, i) => (i === 4 ? c : c.padEnd(widths[i]))).join("  ");
log("");
log(line(header));
log(widths.map((w, i) => "-".repeat(i === 4 ? Math.min(w, 40) : w)).join("  "));
let lastSection = "";
for (let i = 0; i < rows.length; i++) {
  if (rows[i].section !== lastSection) {
    lastSection = rows[i].section;
    log(`${lastSection}`);
  }
  log(line(table[i]));
}
const judged = rows.filter((r) => r.pass !== null);
const met = judged.filter((r) => r.pass).length;
log("");
log(
  `${met}/${judged.length} targets met. Ratios are medians over ${RUNS} run(s) of per-run ratios; (spread) is the min–max per-run ratio. Wall time ${wallSec.toFixed(0)} s.`,
);

// RESULTS.md only from a full run; --out FILE writes any run's report elsewhere.
if (flags.out) {
  writeFileSync(flags.out, resultsMarkdown());
  log(`wrote ${flags.out}`);
} else if (!flags["no-write"] && !QUICK && ALL_SECTIONS.every((name) => SECTIONS.has(name))) {
  writeFileSync(join(BENCH_DIR, "RESULTS.md"), resultsMarkdown());
  log(`wrote bench/RESULTS.md`);
}

function resultsMarkdown() {
  const md = [];
  const esc = (s) => String(s).replaceAll("|", "\\|");
  md.push("# Benchmark results");
  md.push("");
  md.push(
    `Written by \`npm run bench\` (bench/run.mjs) on ${new Date().toISOString().slice(0, 16).replace("T", " ")} UTC. ` +
      "Anyone (the lead included) may re-run it; it overwrites this file except for the hand-written notes at the end, which come from bench/LIMITS.md.",
  );
  md.push("");
  md.push("## Machine and versions");
  md.push("");
  md.push(`- CPU: ${machine.cores} cores, ${machine.cpu}`);
  md.push(`- memory: ${machine.memGiB.toFixed(1)} GiB; ${machine.platform}`);
  md.push(`- Node ${machine.node}; convex-storage-emulator ${machine.emulator}`);
  md.push(
    `- peers: ${Object.entries(machine.peers)
      .map(([k, v]) => `${k} ${v}`)
      .join(", ")}`,
  );
  if (azuriteEngines)
    md.push(
      `- Azurite ${machine.peers.azurite} declares \`engines.node ${azuriteEngines}\` (npm warns EBADENGINE); ${azuriteSkipped ?? `it installed and ran on Node ${process.version} in every case here`}.`,
    );
  md.push(
    `- load average (1 min) at start ${loadStart[0].toFixed(2)}, at end ${loadEnd[0].toFixed(2)}: other agents' test runs share these ${machine.cores} cores, so absolute numbers are noisy; the ratios compare cases from the same run, interleaved.`,
  );
  md.push(
    `- ${RUNS} runs per case (each in fresh processes); HTTP upload phase ${UPLOAD_MS / 1000} s after ${WARMUP_MS / 1000} s of untimed uploads and their GETs (the same for every server: steady state, not JIT warm-up); in-process cases ${INPROC_MS / 1000} s after ${INPROC_WARMUP_MS / 1000} s of untimed ops. Total wall time ${wallSec.toFixed(0)} s (without install and build).`,
  );
  md.push("");
  md.push("## Results");
  md.push("");
  md.push(
    "Ratio = emulator / baseline from the same run (median of the per-run ratios; the spread is the lowest and highest per-run ratio). Above 1 the emulator is faster, except for rows 3 and 4 where lower is better. " +
      "HTTP rows show the throughput ratio, then the server-CPU ratio (baseline CPU per request / emulator CPU per request, so above 1 the emulator is cheaper); a row meets its target only when both do.",
  );
  md.push("");
  md.push("| row | ratio / value (spread) | target | verdict | emulator vs baseline (medians) |");
  md.push("|---|---|---|---|---|");
  lastSection = "";
  for (let i = 0; i < rows.length; i++) {
    if (rows[i].section !== lastSection) {
      lastSection = rows[i].section;
      md.push(`| **${lastSection}** | | | | |`);
    }
    const t = table[i];
    md.push(
      `| ${esc(t[0])} | ${esc(t[1])} | ${esc(t[2])} | ${t[3] === "MISSES" ? "**misses**" : esc(t[3])} | ${esc(t[4])} |`,
    );
  }
  md.push("");
  md.push(`${met} of ${judged.length} targets met.`);
  md.push("");
  if (cpuTable) {
    md.push(
      "Server CPU time (user + system, from /proc/<pid>/stat, read by the client around each timed phase) per request, upload / GET, median over runs; it is much less moved by the other load on the machine than throughput, and the HTTP rows above are judged on both:",
    );
    md.push("");
    md.push(`| size | ${cpuTable.kinds.join(" | ")} |`);
    md.push(`|---|${cpuTable.kinds.map(() => "---:").join("|")}|`);
    for (const size of cpuTable.sizes) {
      md.push(
        `| ${fmtSize(size)} | ${cpuTable.kinds.map((k) => `${fmtNum(cpuTable.median(k, size, "up"))} / ${fmtNum(cpuTable.median(k, size, "serve"))} µs`).join(" | ")} |`,
      );
    }
    md.push("");
    md.push(
      "Server minor page faults per upload (/proc/<pid>/stat, the upload phase): memory new to the process, ~15-25 µs of CPU each on these VMs, so they explain much of the upload CPU above:",
    );
    md.push("");
    md.push(`| size | ${cpuTable.kinds.join(" | ")} |`);
    md.push(`|---|${cpuTable.kinds.map(() => "---:").join("|")}|`);
    for (const size of cpuTable.sizes)
      md.push(
        `| ${fmtSize(size)} | ${cpuTable.kinds.map((k) => fmtNum(cpuTable.median(k, size, "faults"))).join(" | ")} |`,
      );
    md.push("");
  }
  md.push("## Method");
  md.push("");
  md.push(
    "- **1. in-process**: one op = `store(blob)` + `(await get(id)).arrayBuffer()` + `getUrl(id)`, sequentially, in a fresh process per case. " +
      "The limit is a `Map` of Blobs (store = `map.set(randomUUID(), blob)`, get = `map.get` + `arrayBuffer()`, getUrl = string concatenation). " +
      "The floor rows run a `Map` that keeps a copy (`new Uint8Array(await blob.arrayBuffer())`) and returns `new Blob([copy])`: what any store must do whose `bytes()`/`text()`/`snapshot()` are synchronous, as the emulator's are (a Blob reads only asynchronously). " +
      'convex-test runs the same three calls in one `t.run(ctx => …)` per op (`convexTest(undefined, { "_generated/api.js": … })`); the connected row does the same with `connectConvexTest(t, emulator)` from `dist/convex-test.js`. ' +
      "Memory new to a process costs ~15-25 µs per 4 KiB page on these VMs, so whether the allocator reuses a freed buffer or faults in a new one moves these rows a lot: the Map limit's own op at 64 KiB took 31 or 188 µs (0.4 or 9.6 page faults) in back-to-back runs, and at 1 MiB it ran 150 to 4,600 ops/s with glibc's settings; the children run with the default ones, and the floor rows come from the same runs. " +
      "The detail column shows the process's CPU time per op beside ops/s.",
  );
  md.push(
    "- **2. HTTP**: each server in its own child process on 127.0.0.1, one client process with an undici Pool of 8 connections. " +
      `Upload phase of ${UPLOAD_MS / 1000} s, each request a new key and the same random body; then the serve phase GETs every uploaded key once and checks its length. ` +
      "Throughput = completed requests / elapsed (MiB/s = that × size). The emulator is the CLI (`bin/convex-storage-emulator.js --port 0 --quiet`); " +
      "it gets one upload URL (`POST /_emulator/upload-url`) per case and reuses it for every upload (a Convex upload token is reusable for an hour), POSTs the raw body to it, " +
      "then maps the returned storage ids to `/api/storage/<uuid>` with one untimed `GET /_emulator/files` (what `getUrl` does) and GETs those. " +
      "bare = node:http reading the body into a Map and serving it back (bench/servers/bare.mjs); s3rver = PUT/GET object in a bucket, files on tmpfs (/dev/shm; it has no in-memory mode); " +
      "Azurite = blob service with `--inMemoryPersistence --disableTelemetry`, PUT BlockBlob / GET blob with an account SAS of the well-known dev account.",
  );
  md.push(
    "- **3. per-test**: in one process, interleaved: `createStorageEmulator()` + `listen({ port: 0 })` + `generateUploadUrl()` + one 1 KiB POST (own connection) + `close()`, " +
      "against `http.createServer().listen(0)` + one 1 KiB POST + `close()`. reset(): 10,000 seeded 1 KiB files. snapshot()/restore(): 256 files of 1 MiB.",
  );
  md.push(
    `- **4. memory**: VmRSS / VmHWM of the server process from /proc/<pid>/status, fresh server each; ${fmtSize(MEMORY_BYTES)} uploaded as 1 MiB files over HTTP (8 connections), ` +
      `RSS read 0.5 s after the last upload; then a fresh server and one ${fmtSize(MEMORY_BYTES)} upload streamed in 1 MiB chunks with Content-Length, and again without (chunked). One run each; bare node:http shown for context.`,
  );
  md.push(
    "- **5. CLI**: spawn `node bin/convex-storage-emulator.js --port P --quiet` and poll `GET /_emulator/health` every 5 ms until it answers 200, " +
      "against `node -e` with an http server on P polled on `/`; alternated, 7 each, medians.",
  );
  md.push("");
  const limits = join(BENCH_DIR, "LIMITS.md");
  if (existsSync(limits)) {
    md.push(readFileSync(limits, "utf8").trim());
    md.push("");
  }
  return md.join("\n");
}
