// The errors of running the emulator: HTTP actions, listening, the admin
// routes and their guard, the remote handle, faults, matchers and the CLI.
// The emulator's own messages start with the package name and say what to do next.
import { describe, fail, PREFIX } from "./base.js";

// The CLI prints these without the prefix, after its own name; a CliUsage error exits 2.
const cliUsage = (detail: string) =>
  fail("CliUsage", 400, `${PREFIX} ${detail}. Run convex-storage-emulator --help for usage.`);

export const runtimeErrors = {
  // Fidelity: get-convex/convex-backend crates/application/src/redaction.rs, the `code` of a
  // dev deployment's 500 (the request id is a fresh one: crates/application/src/lib.rs).
  httpActionFailed: (requestId: string, uncaught: string) =>
    fail("HttpActionError", 500, `[Request ID: ${requestId}] Server Error: ${uncaught}`),
  // Fidelity: get-convex/convex-backend crates/isolate/src/environment/action/mod.rs, the system
  // log line of a response chunk dropped for passing 20 MiB (humansize BINARY: "20 MiB").
  httpResponseTooLarge: () =>
    fail("HttpResponseTooLarge", 500, "HttpResponseTooLarge: HTTP actions support responses up to 20 MiB"),
  runFunctionMissing: (ctxName: string, kind: "query" | "mutation" | "action", name: string) =>
    fail(
      "RunFunctionMissing",
      500,
      `${PREFIX} ctx.${ctxName}(${name}) was called, but no \`run.${kind}\` was given. Pass createStorageEmulator({ http, run: { ${kind}: t.${kind} } }) (convex-test's t, or your own function).`,
    ),
  unsupportedInHttpAction: (what: string) =>
    fail(
      "Unsupported",
      500,
      `${PREFIX} ${what} is not emulated in HTTP actions. Call it through run.action or test it with convex-test.`,
    ),
  notListening: (url: string) =>
    fail(
      "NotListening",
      500,
      `${PREFIX} emulator.fetch("${describe(url)}") is a cloud-origin URL (storage, admin), which needs a listening server: await emulator.listen({ port: 0 }) first. Paths and site URLs run the HTTP actions in process.`,
    ),
  convexTestUnsupported: (detail: string) =>
    fail("ConvexTestUnsupported", 500, `${PREFIX} connectConvexTest: ${detail}.`),
  convexTestNotEmpty: (count: number) =>
    fail(
      "ConvexTestUnsupported",
      500,
      `${PREFIX} connectConvexTest: connect before storing files: this emulator already holds ${count} file${count === 1 ? "" : "s"} (stored, seeded, restored or found in its persist directory), and convex-test has no _storage documents for them. Connect a fresh emulator (without persist, or with an empty directory).`,
    ),
  convexTestRestore: () =>
    fail(
      "ConvexTestUnsupported",
      500,
      `${PREFIX} restore() is not supported while connected to convex-test: the restored files would have no _storage documents. Disconnect first.`,
    ),
  portInUse: (host: string, port: number, flag = "--port") =>
    fail(
      "PortInUse",
      500,
      `${PREFIX} Port ${port} on ${host} is already in use. Stop what holds it, or pick another port (${flag} N, or listen({ port: 0 }) for a free one).`,
    ),
  alreadyListening: (url: string) =>
    fail(
      "AlreadyListening",
      500,
      `${PREFIX} This emulator already listens on ${url}. Call close() first, or create another emulator.`,
    ),
  alreadyStarting: () =>
    fail(
      "AlreadyListening",
      500,
      `${PREFIX} This emulator is already starting to listen. Await that listen() (and close() it) first, or create another emulator.`,
    ),
  hostNotAllowed: (host: string) =>
    fail(
      "HostNotAllowed",
      421,
      `${PREFIX} Refused a request for host "${describe(host)}": the admin routes and Convex's client protocols answer only loopback hosts (127.0.0.1, localhost, [::1]), the host of \`url\`, and hosts allowed with --allow-host (option allowedHosts). This keeps DNS-rebinding pages out.`,
    ),
  crossSiteRequest: (method: string, origin: string) =>
    fail(
      "CrossSiteRequest",
      403,
      `${PREFIX} Refused a cross-site ${method} from ${describe(origin)}: the admin routes and Convex's client protocols answer only loopback origins, the emulator's own, and origins allowed with --cors-origin (option adminOrigins).`,
    ),
  uploadTimedOut: (idleMs: number) =>
    fail(
      "UploadTimedOut",
      408,
      `${PREFIX} The upload sent nothing for ${idleMs} ms and was aborted; nothing was stored. Raise uploadIdleTimeoutMs (--upload-timeout) for slow clients.`,
    ),
  fileTooLargeToHold: (limit: number) =>
    fail(
      "FileTooLarge",
      413,
      `${PREFIX} The file is larger than the ${limit} bytes one file can hold here; nothing was stored.`,
    ),
  persistLocked: (dir: string, pid: number) =>
    fail(
      "PersistLocked",
      500,
      `${PREFIX} Another emulator (process ${pid}) keeps its files in "${describe(dir)}". Stop it, or give this one another --persist directory.`,
    ),
  blobMissing: (uuid: string) =>
    fail(
      "InternalError",
      500,
      `${PREFIX} Internal error: the bytes of file ${uuid} are missing or cut short; restart the emulator to quarantine it.`,
    ),
  adminRequestInvalid: (route: string, detail: string) =>
    fail("AdminRequestInvalid", 400, `${PREFIX} ${route}: ${detail}`),
  emulatorUnreachable: (url: string, detail: string) =>
    fail(
      "EmulatorUnreachable",
      503,
      `${PREFIX} Nothing answers at ${url} (${detail}). Start the emulator there (npx convex-storage-emulator --port N), or connect to the URL its "ready on" line prints.`,
    ),
  remoteTimeout: (method: string, url: string, ms: number) =>
    fail(
      "RemoteTimeout",
      504,
      `${PREFIX} ${method} ${url} did not answer within ${ms} ms. Is the emulator there stuck, or something else listening? On a slow machine raise it: connectStorageEmulator(url, { timeoutMs }).`,
    ),
  remoteResponseInvalid: (url: string, status: number, detail: string) =>
    fail(
      "RemoteResponseInvalid",
      502,
      `${PREFIX} ${url} answered ${status} with ${detail}, not the emulator's JSON. Is a storage emulator (with its admin routes, no --no-admin) listening there?`,
    ),
  // An Error object cannot be sent as JSON: a remote handle and the admin route take its message.
  faultErrorNotString: () =>
    fail(
      "FaultInvalid",
      400,
      `${PREFIX} faults.next(): over HTTP, \`error\` must be a string (the message); an Error object cannot cross the wire.`,
    ),
  fixtureUsage: (fixture: string, detail: string) =>
    fail("FixtureUsage", 500, `${PREFIX} the ${fixture} fixture: ${detail}`),
  injectedFault: (route: string, status: number, message?: string) =>
    fail(
      "InjectedFault",
      status,
      message ?? `${PREFIX} Injected fault: faults.next({ route: "${route}" }) made this fail.`,
    ),
  faultInvalid: (detail: string) => fail("FaultInvalid", 400, `${PREFIX} faults.next(): ${detail}`),
  matcherUsage: (matcher: string, detail: string) => fail("MatcherUsage", 400, `${PREFIX} ${matcher}(): ${detail}`),
  // The command (src/cli.ts). It prints these without the prefix, after its own name;
  // a CliUsage error exits 2, the others 1.
  cliUsage,
  cliWholeNumber: (source: string, value: string) =>
    cliUsage(`${source} expects a whole number, got "${describe(value)}"`),
  cliPortRange: (source: string, port: number) => cliUsage(`${source} must be from 0 to 65535, got ${port}`),
  cliEmpty: (flag: string) => cliUsage(`${flag} must not be empty`),
  cliSecondsRange: (source: string, max: number, value: string, why: string) =>
    cliUsage(`${source} must be from 0 to ${max} seconds (${why}), got ${describe(value)}`),
  // A library option's check, told with the flag or variable it came from.
  cliInvalid: (source: string, detail: string) => cliUsage(`${source}: ${detail}`),
  cliBoolean: (variable: string, value: string) =>
    cliUsage(`${variable} expects 1, true, 0 or false, got "${describe(value)}"`),
  cliFunctionsNeedHttp: () => cliUsage("--functions needs --http"),
  cliConvexWithHttp: () =>
    cliUsage("--convex serves DIR/http.ts and runs DIR's functions itself: drop --http and --functions"),
  cliConvexWithPersist: () =>
    cliUsage("--convex keeps the app's documents in memory, so its files cannot outlive them: drop --persist"),
  convexDirMissing: (dir: string) => cliUsage(`--convex: "${describe(dir)}" is not a directory`),
  convexDirEmpty: (dir: string) =>
    cliUsage(
      `--convex: "${describe(dir)}" holds no function modules (.ts or .js files besides schema and _generated/); point it at your app's convex/ directory`,
    ),
  convexNeedsConvexTest: (detail: string) =>
    fail(
      "ModuleLoad",
      400,
      `${PREFIX} --convex runs your functions in convex-test, which did not load (${detail}): npm install --save-dev convex-test`,
    ),
  moduleNeedsTsx: (flag: string) =>
    fail(
      "ModuleLoad",
      400,
      `${PREFIX} ${flag}: loading TypeScript needs tsx (npm install --save-dev tsx), or point ${flag} at compiled JavaScript`,
    ),
  moduleLoadFailed: (flag: string, path: string, detail: string) =>
    fail("ModuleLoad", 400, `${PREFIX} ${flag}: cannot load "${describe(path)}": ${detail}`),
  httpModuleNotRouter: (path: string) =>
    fail(
      "ModuleLoad",
      400,
      `${PREFIX} --http: "${describe(path)}" has no default export that is an HttpRouter; export default the httpRouter() of your convex/http.ts`,
    ),
  functionsModuleEmpty: (path: string) =>
    fail("ModuleLoad", 400, `${PREFIX} --functions: "${describe(path)}" exports none of query, mutation, action`),
  // Instead of runFunctionMissing's advice to pass `run`, which a CLI user cannot do.
  cliRunFunctionMissing: (
    ctxName: string,
    kind: "query" | "mutation" | "action",
    name: string,
    functions: string | undefined,
  ) =>
    fail(
      "RunFunctionMissing",
      500,
      functions === undefined
        ? `${PREFIX} ctx.${ctxName}(${name}) was called, but the server was started without --functions. Restart it with --functions FILE, a module exporting query, mutation and action(ref, args) stand-ins (an example: node_modules/convex-storage-emulator/examples/chat/dev-functions.ts).`
        : `${PREFIX} ctx.${ctxName}(${name}) was called, but --functions ${describe(functions)} exports no \`${kind}\`. Export a ${kind}(ref, args) function from it.`,
    ),
  seedDirectoryUnreadable: (dir: string, reason: string) =>
    fail("SeedInvalid", 400, `${PREFIX} --seed: cannot read directory "${describe(dir)}": ${reason}`),
  // Thrown by require.cjs, the package's "require" export, which holds a copy of this text.
  esmOnly: () =>
    fail(
      "EsmOnly",
      500,
      `${PREFIX} This package is ES modules, and this Node cannot require() them (Node 22.12 or newer can). Use import { createStorageEmulator } from "convex-storage-emulator" (from CommonJS: await import("convex-storage-emulator")).`,
    ),
  encodeIdInvalid: (detail: string) => fail("InvalidArgument", 400, `${PREFIX} encodeDocumentId(): ${detail}.`),
  internal: (detail: string) => fail("InternalError", 500, `${PREFIX} Internal error: ${detail}`),
} as const;
