// Serves the chat example's page: src/ (the docs' React components, React 19 and
// convex/react) bundled in memory with esbuild, beside web/index.html, on an origin of
// its own, as `vite dev` would. With the emulator running the app's functions:
//
//   CLIENT_ORIGIN=http://127.0.0.1:5173 npx convex-storage-emulator --convex examples/chat/convex
//   npx tsx examples/chat/serve.ts      # then open http://127.0.0.1:5173
import { readFile } from "node:fs/promises";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { fileURLToPath, pathToFileURL } from "node:url";
import { build } from "esbuild";

const HERE = new URL("./", import.meta.url);

/** src/main.tsx and everything it imports as one browser module; import.meta.env is the page's window.CHAT_ENV. */
export async function bundleChat(): Promise<string> {
  const result = await build({
    entryPoints: [fileURLToPath(new URL("src/main.tsx", HERE))],
    bundle: true,
    write: false,
    format: "esm",
    platform: "browser",
    target: "es2022",
    jsx: "automatic",
    define: { "import.meta.env": "window.CHAT_ENV", "process.env.NODE_ENV": '"development"' },
    logLevel: "silent",
  });
  return result.outputFiles[0]!.text;
}

export interface ChatServer {
  url: string;
  server: Server;
  close(): Promise<void>;
}

/** Serves index.html at / and the bundle at /app.js; port 0 picks a free one. */
export async function serveChat(options: { port?: number; host?: string } = {}): Promise<ChatServer> {
  const [html, js] = await Promise.all([readFile(new URL("web/index.html", HERE)), bundleChat()]);
  const server = createServer((req, res) => {
    const path = new URL(req.url ?? "/", "http://x").pathname;
    if (path === "/" || path === "/index.html")
      return void res.writeHead(200, { "Content-Type": "text/html; charset=utf-8" }).end(html);
    if (path === "/app.js")
      return void res.writeHead(200, { "Content-Type": "text/javascript; charset=utf-8" }).end(js);
    res.writeHead(404).end("not found");
  });
  const host = options.host ?? "127.0.0.1";
  await new Promise<void>((resolve) => server.listen(options.port ?? 0, host, resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://${host}:${port}`,
    server,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const web = await serveChat({ port: Number(process.env.PORT ?? 5173) });
  process.stdout.write(`web on ${web.url}\n`);
  for (const signal of ["SIGINT", "SIGTERM"] as const) process.once(signal, () => void web.close());
}
