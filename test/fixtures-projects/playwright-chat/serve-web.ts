// The chat example's page (examples/chat/web) on a free port of its own origin,
// for playwright.config.ts's webServer: prints "web on <url>" once serving.
import { serveWebApp } from "../../browser/harness.js";

const web = await serveWebApp();
process.stdout.write(`web on ${web.url}\n`);
for (const signal of ["SIGINT", "SIGTERM"] as const) process.once(signal, () => void web.close());
