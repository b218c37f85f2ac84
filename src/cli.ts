// The `convex-storage-emulator` command: the fake storage server on a port.
// Options are read in cli/args.ts, user modules loaded in loader/module-loader.ts.
import { adminUrl, fileUrl, uploadUrl } from "./paths.js";
import { parseCli, type CliOptions } from "./cli/args.js";
import { helpText, NAME } from "./cli/help.js";
import { loadRouter, loadRunFunctions } from "./loader/module-loader.js";
import { seedDirectory, type SeededFile } from "./cli/seed-directory.js";
import { startConvexApp, type ConvexApp } from "./convex-app.js";
import { createStorageEmulator } from "./emulator.js";
import { isStorageEmulatorError } from "./errors.js";
import { VERSION } from "./version.js";

/** Runs the command; resolves its exit code: 0, 1 on failure, 2 for a usage error. */
export async function main(argv: string[], env: NodeJS.ProcessEnv = process.env): Promise<number> {
  const out = (line: string) => process.stdout.write(`${line}\n`);
  try {
    const options = parseCli(argv, env);
    if (options === "help") return (out(helpText()), 0);
    if (options === "version") return (out(VERSION), 0);
    if (options.http !== undefined) {
      options.emulator.http = await loadRouter(options.http);
      options.emulator.run = await loadRunFunctions(options.functions);
    }
    const app = options.convex === undefined ? undefined : await startConvexApp(options.convex, options.emulator);
    const emulator = app?.emulator ?? createStorageEmulator(options.emulator);
    const found = emulator.files().length; // with --persist, what earlier runs stored
    const seeded = options.seed === undefined ? [] : await seedDirectory(emulator, options.seed);
    const server = await emulator.listen({ port: options.port, sitePort: options.sitePort, host: options.host });
    // Listen for signals before the banner: whoever reads it may stop us at once, and must get a clean exit.
    const stopped = new Promise<NodeJS.Signals>((done) => {
      process.once("SIGINT", done);
      process.once("SIGTERM", done);
    });
    for (const line of banner(options, server.url, emulator.url, server.siteUrl, found, seeded, app)) out(line);
    // After the banner, the line tools wait for (Playwright's webServer.wait, scripts): everything is set up.
    out(`ready on ${server.url}`);
    if (!options.quiet) {
      emulator.journal.subscribe((entry) => {
        if (entry.type !== "http") return;
        out(
          `${entry.method} ${entry.path} ${entry.status || "aborted"} ${entry.bytesIn + entry.bytesOut}B ${entry.durationMs.toFixed(1)}ms`,
        );
        if (entry.route === "action" && entry.errorMessage !== undefined) out(`  ${entry.errorMessage}`);
      });
    }
    const signal = await stopped;
    await server.close();
    out(`stopped (${signal})`);
    return 0;
  } catch (error) {
    // Messages from errors.ts start with "[convex-storage-emulator] "; the command puts its name first instead.
    const message = isStorageEmulatorError(error)
      ? error.message.replace(/^\[convex-storage-emulator\] /, "")
      : String((error as Error)?.message ?? error);
    process.stderr.write(`${NAME}: ${message}\n`);
    return isStorageEmulatorError(error) && error.code === "CliUsage" ? 2 : 1;
  }
}

/** What the server prints once it listens: where it is, what it serves, what it seeded. */
function banner(
  options: CliOptions,
  listening: string,
  url: string,
  siteUrl: string,
  fileCount: number,
  seeded: SeededFile[],
  app?: ConvexApp,
): string[] {
  const admin = options.emulator.admin !== false;
  const lines = [
    `${NAME} ${VERSION} listening on ${listening}`,
    `  upload: POST ${uploadUrl(url, "<token>")}   (a token: POST ${adminUrl(url, "uploadUrl")})`,
    `  serve:  GET  ${fileUrl(url, "<uuid>")}`,
  ];
  if (admin) lines.push(`  admin:  ${adminUrl(url, "page")}`);
  lines.push(`  site:   ${siteUrl}   (HTTP actions, every path)`);
  if (app !== undefined) {
    lines.push(
      `  convex: ${options.convex} (${app.functionFiles.join(", ")}) in convex-test; clients: VITE_CONVEX_URL=${url}`,
    );
    if (app.hasHttp) lines.push(`  http actions of ${options.convex}/http.ts on ${siteUrl} (VITE_CONVEX_SITE_URL)`);
  }
  if (options.http !== undefined) {
    const functions =
      options.functions === undefined
        ? " (no --functions: ctx.runQuery & co. fail)"
        : `, functions from ${options.functions}`;
    lines.push(`  http actions of ${options.http} on ${siteUrl}${functions}`);
  }
  if (options.emulator.persist !== undefined)
    lines.push(`  files kept in ${options.emulator.persist} (${fileCount} found)`);
  if (!isLoopback(options.host)) {
    lines.push(
      `  warning: bound to ${options.host}: stored files${admin ? " and admin routes" : ""} are reachable from the network`,
    );
  }
  for (const file of seeded) {
    const line = `${file.storageId}  ${file.name}  ${file.contentType}  ${file.size} B`;
    lines.push(file.skipped ? `  skipped ${line}: already stored` : `  seeded ${line}`);
  }
  return lines;
}

function isLoopback(host: string): boolean {
  return host === "localhost" || host === "::1" || host.startsWith("127.");
}
