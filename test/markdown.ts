// Reads the code blocks and links of the project's Markdown (README.md, docs/*.md).
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { ROOT } from "./run-to-end.js";

/** README.md and every docs/*.md, as paths relative to the project root. */
export function markdownFiles(): string[] {
  return ["README.md", ...readdirSync(join(ROOT, "docs")).filter((name) => name.endsWith(".md")).sort().map((name) => `docs/${name}`)];
}

export function readMarkdown(file: string): string {
  return readFileSync(join(ROOT, file), "utf8");
}

/** The bodies of the fenced blocks of one language (```ts … ```), in order. */
export function codeBlocks(markdown: string, language: string): string[] {
  const blocks: string[] = [];
  const fence = new RegExp(`^\`\`\`${language}\\n([\\s\\S]*?)^\`\`\`$`, "gm");
  for (const match of markdown.matchAll(fence)) blocks.push(match[1]!);
  return blocks;
}

/** The targets of Markdown links and images, `[text](target)`, outside code blocks. */
export function linkTargets(markdown: string): string[] {
  const prose = markdown.replace(/^```[\s\S]*?^```$/gm, "");
  return [...prose.matchAll(/!?\[[^\]]*\]\(([^)\s]+)\)/g)].map((match) => match[1]!);
}
