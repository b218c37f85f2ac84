// s3rver 3.7.1: a fake S3 (Koa). It has no in-memory mode, so its directory
// is on tmpfs (/dev/shm) when there is one, else the OS temp dir.
import { mkdtempSync, rmSync, existsSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import S3rver from "s3rver";

const base = existsSync("/dev/shm") ? "/dev/shm" : tmpdir();
const directory = mkdtempSync(join(base, "bench-s3rver-"));
const s3 = new S3rver({
  address: "127.0.0.1",
  port: 0,
  silent: true,
  directory,
  configureBuckets: [{ name: "bench" }],
});
const { address, port } = await s3.run();
process.stdout.write(`listening on http://${address}:${port} dir ${directory}\n`);
const stop = async () => {
  try {
    await s3.close();
  } finally {
    rmSync(directory, { recursive: true, force: true });
    process.exit(0);
  }
};
process.once("SIGTERM", stop).once("SIGINT", stop);
