// The shape of src/ (docs/ARCHITECTURE.md): no import cycles, dependencies
// pointing down only, small files, and no internals in the published types.
// Type-only imports count: they are design dependencies too.
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { describe, expect, it } from "vitest";

const SRC = resolve("src");

function sourceFiles(dir = SRC): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return entry.name.endsWith(".ts") ? [relative(SRC, path)] : [];
  });
}

/** Each src file -> the src files it imports (relative specifiers, `import` and `export … from`). */
function importGraph(): Map<string, string[]> {
  const graph = new Map<string, string[]>();
  for (const file of sourceFiles()) {
    const text = readFileSync(join(SRC, file), "utf8");
    const targets = [...text.matchAll(/(?:^|\n)\s*(?:import|export)\b[^;]*?\bfrom\s+["'](\.{1,2}\/[^"']+)["']/g)].map(
      (m) => relative(SRC, resolve(SRC, dirname(file), m[1]!.replace(/\.js$/, ".ts"))),
    );
    graph.set(file, targets);
  }
  return graph;
}

function cycles(graph: Map<string, string[]>): string[] {
  const found: string[] = [];
  const state = new Map<string, "open" | "done">();
  const stack: string[] = [];
  const visit = (file: string) => {
    state.set(file, "open");
    stack.push(file);
    for (const next of graph.get(file) ?? []) {
      if (state.get(next) === "open") found.push([...stack.slice(stack.indexOf(next)), next].join(" -> "));
      else if (!state.has(next)) visit(next);
    }
    stack.pop();
    state.set(file, "done");
  };
  for (const file of graph.keys()) if (!state.has(file)) visit(file);
  return found;
}

const importersOf = (graph: Map<string, string[]>, from: (file: string) => boolean, to: (file: string) => boolean) =>
  [...graph].flatMap(([file, targets]) => (from(file) ? targets.filter(to).map((t) => `${file} -> ${t}`) : []));

describe("architecture", () => {
  const graph = importGraph();

  it("imports: every relative import names a file that exists", () => {
    const missing = [...graph].flatMap(([file, targets]) =>
      targets.filter((t) => !existsSync(join(SRC, t))).map((t) => `${file} -> ${t}`),
    );
    expect(missing).toEqual([]);
  });

  it("imports: no cycles among src files", () => {
    expect(cycles(graph)).toEqual([]);
  });

  it("imports: no server file imports the emulator", () => {
    expect(
      importersOf(
        graph,
        (f) => f.startsWith("server/"),
        (t) => t === "emulator.ts",
      ),
    ).toEqual([]);
  });

  it("imports: server/'s rooms (api, admin, clients) import each other's files only through the shared plumbing", () => {
    const rooms = ["server/api/", "server/admin/", "server/clients/"];
    const roomOf = (file: string) => rooms.find((room) => file.startsWith(room));
    const across = [...graph].flatMap(([file, targets]) =>
      targets
        .filter((t) => roomOf(file) !== undefined && roomOf(t) !== undefined && roomOf(t) !== roomOf(file))
        .map((t) => `${file} -> ${t}`),
    );
    expect(across).toEqual([]);
  });

  it("imports: the shared plumbing in server/ imports no room but from app.ts, the one that mounts them", () => {
    // host.ts names what every room gets (the ServerHost), clients' hub included: types only.
    const plumbing = (f: string) =>
      f.startsWith("server/") &&
      !f.slice("server/".length).includes("/") &&
      !["server/app.ts", "server/host.ts"].includes(f);
    const rooms = (t: string) => /^server\/(api|admin|clients)\//.test(t);
    expect(importersOf(graph, plumbing, rooms)).toEqual([]);
  });

  it("imports: dependencies point down (file store < gateway < server < emulator)", () => {
    const above = (layer: string[]) => (t: string) => layer.some((prefix) => t === prefix || t.startsWith(prefix));
    const fileStore = (f: string) => f === "file-store.ts" || f.startsWith("file-store/");
    expect(
      importersOf(graph, fileStore, above(["gateway.ts", "storage.ts", "server/", "emulator.ts", "http-actions.ts"])),
    ).toEqual([]);
    expect(
      importersOf(graph, (f) => f === "gateway.ts", above(["storage.ts", "server/", "emulator.ts", "http-actions.ts"])),
    ).toEqual([]);
    expect(importersOf(graph, (f) => f === "http-actions.ts", above(["server/", "emulator.ts", "gateway.ts"]))).toEqual(
      [],
    );
  });

  it("files: each src file stays small (one job)", () => {
    const long = sourceFiles()
      .map((file) => ({ file, lines: readFileSync(join(SRC, file), "utf8").split("\n").length }))
      .filter(({ lines }) => lines > 270);
    expect(long).toEqual([]);
  });

  it("types: the published declarations hide internal members", () => {
    // `npm test` builds dist/ first (pretest).
    const declarations = readFileSync(resolve("dist/emulator.d.ts"), "utf8");
    expect(declarations).toContain("class StorageEmulator");
    expect(declarations).not.toMatch(/\bgateway\b|\bbackend\b|adminEnabled/);
  });
});
