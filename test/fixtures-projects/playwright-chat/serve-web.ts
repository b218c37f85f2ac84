// The chat example's page (examples/chat: its React app, bundled) on a free port of its
// own origin, for playwright.config.ts's webServer: prints "web on <url>" once serving.
import { serveChat } from "../../../examples/chat/serve.js";

const web = await serveChat({ port: 0 });
process.stdout.write(`web on ${web.url}\n`);
for (const signal of ["SIGINT", "SIGTERM"] as const) process.once(signal, () => void web.close());
