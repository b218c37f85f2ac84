// The emulator from the root's built dist/, for the memory rows: the same
// createStorageEmulator().listen() the CLI runs, plus an env-enabled hook:
// with BENCH_GC_SIGNAL=1 and --expose-gc, SIGUSR2 runs a full GC (so the
// bench can read RSS with and without garbage).
import { createStorageEmulator } from "../../dist/index.js";
import { installGcHook } from "./gc-hook.mjs";

const emulator = createStorageEmulator();
const server = await emulator.listen({ port: 0 });
process.stdout.write(`listening on ${server.url}\n`);
installGcHook();
const stop = () => emulator.close().then(() => process.exit(0));
process.once("SIGTERM", stop).once("SIGINT", stop);
