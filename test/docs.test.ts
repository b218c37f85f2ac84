// README.md and docs/*.md stay true: every code example is run by a test, the
// README stays a short user's page, reference tables list what the code has, and
// links lead somewhere. (That linked files are shipped: test/package.test.ts.)
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join } from "node:path";
import ts from "typescript";
import { describe, expect, it } from "vitest";
import { envName, OPTIONS } from "../src/cli/args.js";
import { codeBlocks, headingAnchors, linkTargets, markdownFiles, readMarkdown } from "./support/markdown.js";
import { ROOT } from "./support/run-to-end.js";

/**
 * The files that run the docs' examples, with their text: the test files vitest runs
 * (vitest.config.ts's include) and the example projects tests run (test/fixtures-projects).
 */
function testFiles(): { path: string; text: string }[] {
  return ["test", "examples"].flatMap((dir) =>
    readdirSync(join(ROOT, dir), { recursive: true, encoding: "utf8" })
      .filter(
        (path) =>
          path.endsWith(".test.ts") ||
          (dir === "test" && path.startsWith("fixtures-projects/") && path.endsWith(".ts")),
      )
      .map((path) => ({ path: `${dir}/${path}`, text: readFileSync(join(ROOT, dir, path), "utf8") })),
  );
}

/** Whether `block`'s lines appear one after another in `text`, all indented alike (inside a test body). */
function holds(text: string, block: string): boolean {
  const lines = block.replace(/\n$/, "").split("\n");
  const textLines = text.split("\n");
  return textLines.some((line, at) => {
    if (!line.endsWith(lines[0]!) || line.trim() !== lines[0]!.trim()) return false;
    const indent = line.slice(0, line.length - lines[0]!.length);
    return lines.every(
      (expected, i) =>
        textLines[at + i] === (expected === "" ? "" : indent + expected) ||
        (expected === "" && textLines[at + i]?.trim() === ""),
    );
  });
}

/** The public members of the StorageEmulator class: not private, not `@internal`. */
function publicMembers(): string[] {
  const path = join(ROOT, "src/emulator.ts");
  const source = ts.createSourceFile(path, readFileSync(path, "utf8"), ts.ScriptTarget.Latest, true);
  const emulatorClass = source.statements.find(
    (node): node is ts.ClassDeclaration => ts.isClassDeclaration(node) && node.name?.text === "StorageEmulator",
  );
  if (emulatorClass === undefined) throw new Error("no class StorageEmulator in src/emulator.ts");
  return emulatorClass.members.flatMap((member) => {
    if (ts.isConstructorDeclaration(member) || member.name === undefined || ts.isPrivateIdentifier(member.name))
      return [];
    if (ts.getCombinedModifierFlags(member as ts.Declaration) & (ts.ModifierFlags.Private | ts.ModifierFlags.Protected))
      return [];
    if (ts.getJSDocTags(member).some((tag) => tag.tagName.text === "internal")) return [];
    return [member.name.getText(source)];
  });
}

describe("docs", () => {
  it("examples: every ts block of README.md and docs/*.md is held verbatim by a test file", () => {
    const files = testFiles();
    const orphans = markdownFiles().flatMap((file) =>
      codeBlocks(readMarkdown(file), "ts")
        // test/package.test.ts runs the README's from the README itself, in an installed project.
        .filter(() => file !== "README.md")
        .filter((block) => !files.some(({ text }) => holds(text, block)))
        .map((block) => `${file}: ${block.split("\n")[0]}`),
    );
    expect(orphans).toEqual([]);
    expect(markdownFiles().flatMap((file) => codeBlocks(readMarkdown(file), "ts")).length).toBeGreaterThanOrEqual(10);
  });

  it("examples: a changed line in a block is noticed", () => {
    const block = codeBlocks(readMarkdown("docs/api.md"), "ts").find((code) =>
      code.includes("uploadUrlTtlMs: 3_600_000"),
    )!;
    const text = testFiles().find(({ text }) => holds(text, block))!.text;
    expect(holds(text, block.replace("3_600_000", "3_600_001"))).toBe(false);
  });

  it("README: a user's page of at most 12 KB", () => {
    expect(statSync(join(ROOT, "README.md")).size).toBeLessThanOrEqual(12 * 1024);
  });

  it("README: opens with the install line and the two commands for working on the project", () => {
    const [first] = codeBlocks(readMarkdown("README.md"), "sh");
    expect(readMarkdown("README.md").indexOf(first!)).toBeLessThan(100);
    expect(first!.split("\n").map((line) => line.split("#")[0]!.trim())).toEqual([
      "npm i -D convex-storage-emulator",
      "npm ci && npm start",
      "npm ci && npm test",
      "",
    ]);
  });

  it("docs/api.md: the members table names every public member of the emulator", () => {
    // The first cell of each row of "Inspect and control", e.g. "`bytes(id)` / `text(id)`".
    const named = readMarkdown("docs/api.md")
      .split("\n## Inspect and control\n")[1]!
      .split("\n")
      .filter((line) => line.startsWith("| `"))
      .flatMap((row) => [...row.split("|")[1]!.matchAll(/`([^`(]+)/g)].map((match) => match[1]!.trim()));
    const members = publicMembers();
    expect(members).toEqual(expect.arrayContaining(["url", "files", "journal", "listen", "[Symbol.asyncDispose]"]));
    const missing = members.filter((name) => !named.includes(name === "[Symbol.asyncDispose]" ? "await using" : name));
    expect(missing).toEqual([]);
  });

  it("docs/cli.md: the options table lists every flag with its variable", () => {
    const rows = readMarkdown("docs/cli.md")
      .split("\n")
      .filter((line) => line.startsWith("| `--"));
    expect(rows.map((row) => /^\| `--([a-z0-9-]+)[ `]/.exec(row)?.[1])).toEqual(OPTIONS.map((o) => o.flag));
    for (const [i, option] of OPTIONS.entries()) expect(rows[i]).toContain(`\`${envName(option.flag)}`);
  });

  it("links: every #anchor names a heading, and none leads to a repository that does not exist", () => {
    const broken = markdownFiles().flatMap((file) =>
      linkTargets(readMarkdown(file)).flatMap((target) => {
        // No public repository yet: files of this one are linked relatively (shipped ones: test/package.test.ts).
        if (target.includes("github.com/convex-storage-emulator")) return [`${file}: ${target}`];
        if (/^[a-z]+:/.test(target) || !target.includes("#")) return [];
        const [path, anchor] = target.split("#") as [string, string];
        const linked = path === "" ? file : join(dirname(file), path);
        return existsSync(join(ROOT, linked)) && headingAnchors(readMarkdown(linked)).includes(anchor)
          ? []
          : [`${file}: ${target}`];
      }),
    );
    expect(broken).toEqual([]);
  });

  it("README: every example is a whole file: it imports what it uses from vitest", () => {
    for (const block of codeBlocks(readMarkdown("README.md"), "ts")) {
      const used = ["test", "expect", "beforeEach"].filter((name) =>
        new RegExp(`\\b${name}\\(`).test(block.replace(/^import .*$/gm, "")),
      );
      const imported =
        /import \{([^}]+)\} from "vitest";/
          .exec(block)?.[1]
          ?.split(",")
          .map((name) => name.trim()) ?? [];
      expect(
        used.filter((name) => !imported.includes(name)),
        block.split("\n")[0],
      ).toEqual([]);
    }
  });
});
