// Azurite's well-known development account and an account SAS for it.
import { createHmac } from "node:crypto";

export const ACCOUNT = "devstoreaccount1";
const KEY = Buffer.from(
  "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==",
  "base64",
);
export const VERSION = "2019-12-12";

/** An account SAS (blob service; service, container and object; read, write, create, list, delete). */
export function accountSas() {
  const sp = "rwdlac";
  const ss = "b";
  const srt = "sco";
  const se = "2099-01-01T00:00:00Z";
  const stringToSign = [ACCOUNT, sp, ss, srt, "", se, "", "", VERSION, ""].join("\n");
  const sig = createHmac("sha256", KEY).update(stringToSign, "utf8").digest("base64");
  return new URLSearchParams({ sv: VERSION, ss, srt, sp, se, sig }).toString();
}
