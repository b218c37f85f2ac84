// Floors for bench/clients.mjs: what Convex's client protocols cost without the emulator.
//
// - echoFloor: a bare `ws` server and a bare `ws` client trading the same JSON frames a
//   ConvexClient mutation trades (Mutation up; MutationResponse + Transition down), each side
//   doing the JSON encode/decode: the socket and the JSON, no client library, no functions.
// - fakeSync: a minimal sync server answering ConvexClient's Mutation with a canned
//   MutationResponse and the Transition that reflects it, with a canned new value for each
//   subscribed query (no convex-test): the client library and the socket, no functions.
// - fakeHttp: node:http answering ConvexHttpClient's POST /api/mutation with a canned success.
import { createServer } from "node:http";
import { WebSocket, WebSocketServer } from "ws";

const encodeTs = (ts) => {
  const bytes = Buffer.alloc(8);
  bytes.writeBigUInt64LE(ts);
  return bytes.toString("base64");
};

async function listen(server) {
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  return `http://127.0.0.1:${server.address().port}`;
}

async function wsServer(onSocket) {
  const http = createServer((req, res) => res.writeHead(404).end());
  const wss = new WebSocketServer({ server: http, perMessageDeflate: false });
  wss.on("connection", onSocket);
  const url = await listen(http);
  return {
    url,
    close: async () => {
      for (const ws of wss.clients) ws.terminate();
      await new Promise((resolve) => wss.close(resolve));
      await new Promise((resolve) => http.close(resolve));
    },
  };
}

/** The answers to one mutation: the response and the transition that carries its timestamp. */
// The transition carries a new value for every subscribed query (a canned one: the mutation's result).
function answers(state, requestId, result) {
  const start = { ...state.version };
  state.ts += 1n;
  const ts = encodeTs(state.ts);
  state.version = { querySet: start.querySet, identity: start.identity, ts };
  const modifications = [...state.queries].map((queryId) => ({
    type: "QueryUpdated",
    queryId,
    value: result,
    logLines: [],
    journal: null,
  }));
  return [
    JSON.stringify({ type: "MutationResponse", requestId, success: true, result, ts, logLines: [] }),
    JSON.stringify({ type: "Transition", startVersion: start, endVersion: state.version, modifications }),
  ];
}

const newState = () => ({
  ts: BigInt(Date.now()) * 1_000_000n,
  version: { querySet: 0, identity: 0, ts: encodeTs(0n) },
  result: 0,
  queries: new Set(),
});

/** Bare ws both ends; `op()` is one round trip (resolves when the Transition is parsed). */
export async function echoFloor() {
  const server = await wsServer((ws) => {
    const state = newState();
    ws.on("message", (data) => {
      const message = JSON.parse(String(data));
      for (const frame of answers(state, message.requestId, ++state.result)) ws.send(frame);
    });
  });
  const client = new WebSocket(server.url.replace("http", "ws"), { perMessageDeflate: false });
  await new Promise((resolve, reject) => client.once("open", resolve).once("error", reject));
  let waiting = null;
  client.on("message", (data) => {
    const message = JSON.parse(String(data));
    if (message.type === "Transition") waiting?.();
  });
  let requestId = 0;
  const op = () =>
    new Promise((resolve) => {
      waiting = resolve;
      client.send(
        JSON.stringify({ type: "Mutation", requestId: requestId++, udfPath: "bench:bump", args: [{ name: "floor" }] }),
      );
    });
  return { op, close: async () => (client.terminate(), server.close()) };
}

/** A sync server that knows Mutation and ModifyQuerySet, every query's value the latest mutation's result. */
export async function fakeSync() {
  return wsServer((ws) => {
    const state = newState();
    ws.on("message", (data) => {
      const message = JSON.parse(String(data));
      if (message.type === "Mutation") {
        for (const frame of answers(state, message.requestId, ++state.result)) ws.send(frame);
      } else if (message.type === "ModifyQuerySet") {
        const start = { ...state.version };
        state.version = { ...start, querySet: message.newVersion };
        for (const m of message.modifications)
          m.type === "Add" ? state.queries.add(m.queryId) : state.queries.delete(m.queryId);
        const modifications = message.modifications.map((m) =>
          m.type === "Add"
            ? { type: "QueryUpdated", queryId: m.queryId, value: state.result, logLines: [], journal: null }
            : { type: "QueryRemoved", queryId: m.queryId },
        );
        ws.send(JSON.stringify({ type: "Transition", startVersion: start, endVersion: state.version, modifications }));
      }
    });
  });
}

/** node:http reading the body and answering the HTTP API's success shape. */
export async function fakeHttp() {
  let result = 0;
  const server = createServer((req, res) => {
    const chunks = [];
    req.on("data", (chunk) => chunks.push(chunk));
    req.on("end", () => {
      JSON.parse(Buffer.concat(chunks).toString());
      const body = JSON.stringify({ status: "success", value: ++result, logLines: [] });
      res.writeHead(200, { "content-type": "application/json", "content-length": Buffer.byteLength(body) }).end(body);
    });
  });
  const url = await listen(server);
  return { url, close: () => new Promise((resolve) => (server.closeAllConnections(), server.close(resolve))) };
}
