// convex-test's global `Convex` syscall object, wrapped once: convex-test
// installs it as getters returning the running test instance's own syscall
// functions (convex-test 0.0.71 dist/index.js ensureGlobalProxy). Keyed by
// those per-instance functions, a connected instance's syscalls go to its
// replacements; every other instance's pass through untouched.
import { errors } from "../errors.js";

export type SyscallKind = "syscall" | "asyncSyscall" | "jsSyscall";
export type Syscalls = {
  syscall: (op: string, json: string) => string;
  asyncSyscall: (op: string, json: string) => Promise<string>;
  jsSyscall: (op: string, args: Record<string, unknown>) => unknown;
};

const MARK = Symbol.for("convex-storage-emulator.convex-test-proxy");
/** Per-instance raw syscall function -> the connected emulator's replacements. */
const connections = new WeakMap<object, Syscalls>();

interface ConvexGlobal {
  [MARK]?: { inner: object };
}

/** The syscall function convex-test's own global hands out for the running instance. */
export function innerSyscall<K extends SyscallKind>(inner: object, kind: K): Syscalls[K] {
  const getter = Object.getOwnPropertyDescriptor(inner, kind)?.get;
  if (typeof getter !== "function") throw errors.convexTestUnsupported("its global `Convex` has no syscall getters");
  return getter.call(inner) as Syscalls[K];
}

/** Wraps convex-test's global `Convex` once (again after a module reload replaced it). */
export function installProxy(): object {
  const holder = globalThis as { Convex?: ConvexGlobal & object };
  const current = holder.Convex;
  if (current?.[MARK]) return current[MARK].inner;
  if (current === undefined || typeof Object.getOwnPropertyDescriptor(current, "asyncSyscall")?.get !== "function") {
    throw errors.convexTestUnsupported("call convexTest(schema, modules) before connectConvexTest(t, emulator)");
  }
  const inner = current;
  // convex-test's getter, read through the property: every syscall of every instance comes here.
  const pick = <K extends SyscallKind>(kind: K): Syscalls[K] => {
    const raw = (inner as Syscalls)[kind];
    return (connections.get(raw)?.[kind] as Syscalls[K] | undefined) ?? raw;
  };
  holder.Convex = {
    [MARK]: { inner },
    get syscall() {
      return pick("syscall");
    },
    get asyncSyscall() {
      return pick("asyncSyscall");
    },
    get jsSyscall() {
      return pick("jsSyscall");
    },
  } as ConvexGlobal & object;
  return inner;
}

/** Sends one instance's syscalls (its raw functions) to `replacement`. */
export function route(raw: Syscalls, replacement: Syscalls): void {
  for (const fn of Object.values(raw)) connections.set(fn, replacement);
}

export function unroute(raw: Syscalls): void {
  for (const fn of Object.values(raw)) connections.delete(fn);
}

export function isRouted(raw: Syscalls): boolean {
  return connections.has(raw.asyncSyscall);
}
