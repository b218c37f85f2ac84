// Reads the code blocks and links of the project's Markdown (README.md, docs/*.md).
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { ROOT } from "./run-to-end.js";

/** The README block that test/package.test.ts writes as a project's vitest.config.ts and runs. */
export const VITEST_CONFIG_BLOCK = "// vitest.config.ts\n";

/** README.md and every docs/*.md, as paths relative to the project root. */
export function markdownFiles(): string[] {
  return [
    "README.md",
    ...readdirSync(join(ROOT, "docs"))
      .filter((name) => name.endsWith(".md"))
      .sort()
      .map((name) => `docs/${name}`),
  ];
}

export function readMarkdown(file: string): string {
  return readFileSync(join(ROOT, file), "utf8");
}

interface Fenced {
  language: string;
  body: string;
}

/** Every fenced block (```lang … ```) in order, and the prose between them. */
function parse(markdown: string): { blocks: Fenced[]; prose: string } {
  const blocks: Fenced[] = [];
  let prose = "";
  let open: Fenced | undefined;
  for (const line of markdown.split("\n")) {
    const fence = /^```(\S*)$/.exec(line);
    if (open === undefined && fence) open = { language: fence[1]!, body: "" };
    else if (open !== undefined && line === "```") (blocks.push(open), (open = undefined));
    else if (open !== undefined) open.body += `${line}\n`;
    else prose += `${line}\n`;
  }
  return { blocks, prose };
}

/** The bodies of the fenced blocks of one language ("" for none), in order. */
export function codeBlocks(markdown: string, language: string): string[] {
  return parse(markdown)
    .blocks.filter((block) => block.language === language)
    .map((block) => block.body);
}

/** The targets of Markdown links and images, `[text](target)`, outside code blocks. */
export function linkTargets(markdown: string): string[] {
  return [...parse(markdown).prose.matchAll(/!?\[[^\]]*\]\(([^)\s]+)\)/g)].map((match) => match[1]!);
}

/** The anchors of a Markdown file's headings, as GitHub makes them ("## The clock" is #the-clock). */
export function headingAnchors(markdown: string): string[] {
  return [...parse(markdown).prose.matchAll(/^#+ (.+)$/gm)].map((match) =>
    match[1]!
      .toLowerCase()
      .replace(/[^\p{L}\p{N} _-]/gu, "")
      .replaceAll(" ", "-"),
  );
}
