// What the client protocols need from whatever runs the app's functions: a
// leaf of types, so server/ never imports the runner's side (convex-test.ts
// builds one from a convex-test instance and hands it to the emulator).
import type { DatabaseContents } from "../../database-view.js";

/** A value as it travels on the wire: Convex's encoded JSON (`convexToJson`). */
export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };

export type FunctionKind = "query" | "mutation" | "action";

/** Who calls: the claims of the caller's JWT, mapped as the backend maps them (auth.ts). */
export type CallerIdentity = Readonly<Record<string, unknown>> & {
  readonly subject: string;
  readonly issuer: string;
  readonly tokenIdentifier: string;
};

/** Why a function failed, before the server adds the request id (errors/clients.ts formats it). */
export interface FunctionFailure {
  /** The first line, e.g. "Uncaught Error: boom" or "Could not find public function for 'a:b'.". */
  readonly message: string;
  /** Stack frames of the app's own code, each "    at fn (file:line:col)". */
  readonly frames: readonly string[];
  /** A ConvexError's data, encoded. */
  readonly data?: JsonValue;
}

export type FunctionOutcome =
  { readonly ok: true; readonly value: JsonValue } | { readonly ok: false; readonly failure: FunctionFailure };

export interface FunctionCall {
  /** "any": whichever kind the function is (the HTTP API's /api/run). */
  readonly kind: FunctionKind | "any";
  /** "messages:list", "messages" (default export) or "dir/file:name". */
  readonly path: string;
  /** The single argument object, encoded. */
  readonly args: JsonValue;
  readonly identity: CallerIdentity | null;
}

/** One provider of the app's convex/auth.config.ts, as the backend matches a token to it. */
export interface AuthProvider {
  readonly kind: "OIDC" | "CustomJWT";
  /** `domain` (OIDC) or `issuer` (customJwt). */
  readonly issuer: string;
  readonly applicationID?: string;
}

export interface FunctionRunner {
  /** The app's auth.config.ts providers; undefined when it has none (then any issuer is accepted). */
  readonly authProviders?: readonly AuthProvider[];
  /** Runs a public function as a client would reach it; never throws for the function's own failures. */
  run(call: FunctionCall): Promise<FunctionOutcome>;
  /** Calls `listener` after anything may have written to the database or files; returns the undo. */
  onWrite(listener: () => void): () => void;
  /** The database's tables, each with its count and newest `limitPerTable` documents (the admin page's Database). */
  readDatabase?(limitPerTable: number): Promise<DatabaseContents>;
}
