// Child processes: servers that print "listening on http://…", and clients
// that print one JSON line. Every wait is bounded.
import { execFileSync, spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { dirname, join } from "node:path";

export const BENCH_DIR = dirname(dirname(fileURLToPath(import.meta.url)));
export const ROOT_DIR = dirname(BENCH_DIR);

const LISTENING = /(?:listening|listens) on (http:\/\/[^\s/]+)/;

/** Spawns a server and resolves once it printed its URL (or rejects after `timeoutMs`). */
export function startServer(command, args, { timeoutMs = 30_000, env, cwd = BENCH_DIR } = {}) {
  const child = spawn(command, args, { cwd, env: { ...process.env, ...env }, stdio: ["ignore", "pipe", "pipe"] });
  const started = performance.now();
  let out = "";
  let err = "";
  const exited = new Promise((resolve) => child.once("exit", (code, signal) => resolve({ code, signal })));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`${args.join(" ")}: no "listening on" line within ${timeoutMs} ms\n${out}\n${err}`));
    }, timeoutMs);
    child.stderr.on("data", (d) => {
      if (err.length < 20_000) err += d;
    });
    child.stdout.on("data", (d) => {
      if (out.length < 20_000) out += d;
      const m = LISTENING.exec(out);
      if (m && timer) {
        clearTimeout(timer);
        resolve({
          url: m[1],
          pid: child.pid,
          child,
          startMs: performance.now() - started,
          stderr: () => err,
          stop: () => stopChild(child, exited),
        });
      }
    });
    child.once("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`${args.join(" ")} exited (${code}) before listening\n${out}\n${err}`));
    });
  });
}

/** SIGTERM, then SIGKILL after 5 s. Resolves when the process is gone. */
export async function stopChild(child, exited) {
  if (child.exitCode !== null || child.signalCode !== null) return;
  child.kill("SIGTERM");
  const timer = setTimeout(() => child.kill("SIGKILL"), 5_000);
  await exited;
  clearTimeout(timer);
}

/** Runs `node script json` and resolves to the JSON object of its last stdout line. */
export function runJsonChild(script, input, { timeoutMs = 120_000, nodeArgs = [] } = {}) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [...nodeArgs, script, JSON.stringify(input)], {
      cwd: BENCH_DIR,
      stdio: ["ignore", "pipe", "pipe"],
    });
    let out = "";
    let err = "";
    child.stdout.on("data", (d) => (out += d));
    child.stderr.on("data", (d) => {
      if (err.length < 20_000) err += d;
    });
    const timer = setTimeout(() => child.kill("SIGKILL"), timeoutMs);
    child.once("exit", (code, signal) => {
      clearTimeout(timer);
      const last = out.trim().split("\n").pop() ?? "";
      if (code !== 0) return reject(new Error(`${script} failed (${code ?? signal})\n${err || out}`));
      try {
        resolve(JSON.parse(last));
      } catch {
        reject(new Error(`${script}: no JSON result\n${out}\n${err}`));
      }
    });
  });
}

/** VmRSS and VmHWM of a process, in bytes (Linux). */
export function procMemory(pid) {
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  const kb = (name) => Number(new RegExp(`^${name}:\\s+(\\d+) kB`, "m").exec(status)?.[1] ?? NaN) * 1024;
  return { rss: kb("VmRSS"), hwm: kb("VmHWM") };
}

const CLK_TCK = (() => {
  try {
    return Number(execFileSync("getconf", ["CLK_TCK"], { encoding: "utf8" }).trim()) || 100;
  } catch {
    return 100;
  }
})();

/**
 * A process's counters so far, from one read of /proc/<pid>/stat (Linux): CPU time (user +
 * system) in ms, at clock-tick resolution, and minor page faults (memory new to it).
 */
export function procStat(pid) {
  const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
  // Fields after the command name, which is in parentheses and may contain spaces (field 3 on).
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return { cpuMs: ((Number(fields[11]) + Number(fields[12])) * 1000) / CLK_TCK, minorFaults: Number(fields[7]) };
}

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
export { join };
