// The README's examples as a user's project has them: the vitest config block as
// vitest.config.ts, every other ts block, pasted as it is, as a test file of its own, and
// a tsconfig.json with the README's advice ("convex-storage-emulator/vitest" in types).
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { codeBlocks, readMarkdown, VITEST_CONFIG_BLOCK } from "./markdown.js";

/** Writes the README's examples into `dir`; returns how many tests they hold. */
export function writeReadmeExamples(dir: string): number {
  const blocks = codeBlocks(readMarkdown("README.md"), "ts");
  const config = blocks.find((block) => block.startsWith(VITEST_CONFIG_BLOCK));
  if (config === undefined) throw new Error("no README block is the vitest config");
  writeFileSync(join(dir, "vitest.config.ts"), config);
  const examples = blocks.filter((block) => block !== config);
  examples.forEach((block, i) => writeFileSync(join(dir, `readme-${i + 1}.test.ts`), block));
  // Checked with the libraries' own declarations too: the matcher types must hold under each vitest.
  const compilerOptions = {
    module: "nodenext",
    target: "es2022",
    lib: ["es2023", "esnext.disposable", "dom"],
    strict: true,
    noEmit: true,
    skipLibCheck: false,
    types: ["node", "convex-storage-emulator/vitest"],
  };
  writeFileSync(
    join(dir, "tsconfig.json"),
    JSON.stringify({ compilerOptions, include: ["**/*.test.ts", "vitest.config.ts"] }),
  );
  // The same project without this package: what the libraries' declarations report on their own.
  writeFileSync(
    join(dir, "baseline.ts"),
    'import { expect, test } from "vitest";\nimport { defineConfig } from "vitest/config";\ntest("x", () => expect(defineConfig({})).toBeTruthy());\n',
  );
  writeFileSync(
    join(dir, "tsconfig.baseline.json"),
    JSON.stringify({ compilerOptions: { ...compilerOptions, types: ["node"] }, include: ["baseline.ts"] }),
  );
  return examples.reduce((count, block) => count + (block.match(/^test\(/gm)?.length ?? 0), 0);
}
