// The app's functions, run in a convex-test instance for Convex's clients: the
// FunctionRunner the emulator's client protocols (server/clients/) call. It
// finds the function as the backend would (public, of the kind asked for),
// runs it through t.query / t.mutation / t.action (t.withIdentity for a
// caller), and turns values and failures (failures.ts) into what goes on the wire.
import { AsyncLocalStorage } from "node:async_hooks";
import { makeFunctionReference } from "convex/server";
import { convexToJson, jsonToConvex, type Value } from "convex/values";
import { clientMessages } from "../errors.js";
import type {
  AuthProvider,
  CallerIdentity,
  FunctionCall,
  FunctionKind,
  FunctionOutcome,
  FunctionRunner,
  JsonValue,
} from "../server/clients/runner.js";
import type { DatabaseContents } from "../database-view.js";
import { readTables, tablesOfSchema, type RunInInstance } from "./database.js";
import { failed, failureOf, mebibytes, messageOf } from "./failures.js";
import { argumentError, parseArgsValidator, type ArgsValidator } from "./validate-args.js";

/** The module map given to convexTest(schema, modules): `import.meta.glob("./**\/*.*s")`. */
export type ConvexModules = Record<string, () => Promise<unknown>>;

type Run = (reference: unknown, args: unknown) => Promise<unknown>;
/** The part of convex-test's `t` (or of a `t.withIdentity(...)`) the runner calls. */
interface Accessor {
  query: Run;
  mutation: Run;
  action: Run;
  run: RunInInstance;
  withIdentity(identity: Record<string, unknown>): Accessor;
}

/** What a registered function carries (convex-js src/server/registration_impl.ts). */
interface RegisteredFunction {
  isQuery?: boolean;
  isMutation?: boolean;
  isAction?: boolean;
  isPublic?: boolean;
  isInternal?: boolean;
  exportArgs?: () => string;
}

/** A registered function as found, with its args validator parsed. */
interface FoundFunction {
  readonly fn: RegisteredFunction;
  readonly validator: ArgsValidator | undefined;
}

const KIND_NAME: Record<FunctionKind, string> = { query: "Query", mutation: "Mutation", action: "Action" };
// Fidelity: crates/common/src/knobs.rs FUNCTION_MAX_ARGS_SIZE (16 MiB).
const MAX_ARGS_BYTES = 1 << 24;

export class ConvexTestRunner implements FunctionRunner {
  readonly #t: Accessor;
  readonly #modules: ConvexModules | undefined;
  readonly #tables: readonly string[] | undefined;
  readonly #prefix: string;
  readonly #listeners = new Set<() => void>();
  readonly #accessors = new Map<string, Accessor>();
  /** Each function found, by module and name: a module map's modules do not change once loaded. */
  readonly #found = new Map<string, Promise<FoundFunction | null>>();
  /** Runs outside any convex-test context: a refresh set off by a write inside a mutation is not part of it. */
  readonly #outside = AsyncLocalStorage.snapshot();

  /** `schema`: the one given to convexTest, which lists the app's tables (else the module map's schema.ts does). */
  constructor(t: unknown, modules?: ConvexModules, schema?: unknown) {
    this.#t = t as Accessor;
    this.#modules = modules;
    this.#tables = tablesOfSchema(schema);
    // convex-test finds the convex folder by its _generated directory (dist/index.js moduleCache); so do we.
    const generated = Object.keys(modules ?? {}).find((key) => key.includes("_generated/"));
    this.#prefix = generated === undefined ? "./" : generated.slice(0, generated.indexOf("_generated/"));
  }

  authProviders?: AuthProvider[];

  /** Reads the app's auth.config.ts, when the module map has one: tokens must then match a provider. */
  async loadAuthConfig(): Promise<void> {
    const key = this.#moduleKey("auth.config");
    if (key === undefined) return;
    const config = ((await this.#modules![key]!()) as { default?: { providers?: unknown[] } }).default;
    this.authProviders = (config?.providers ?? []).flatMap((p): AuthProvider[] => {
      const provider = p as { type?: string; domain?: string; issuer?: string; applicationID?: string };
      const issuer = provider.type === "customJwt" ? provider.issuer : provider.domain;
      if (typeof issuer !== "string") return [];
      const kind = provider.type === "customJwt" ? "CustomJWT" : "OIDC";
      return [
        provider.applicationID === undefined
          ? { kind, issuer }
          : { kind, issuer, applicationID: provider.applicationID },
      ];
    });
  }

  onWrite(listener: () => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** A write syscall ran (or a file was stored or deleted): the database may have changed. */
  noteWrite(): void {
    for (const listener of this.#listeners) listener();
  }

  async readDatabase(limitPerTable: number): Promise<DatabaseContents> {
    const key = this.#tables === undefined ? this.#moduleKey("schema") : undefined;
    const tables =
      key === undefined
        ? this.#tables
        : tablesOfSchema(((await this.#modules![key]!()) as { default?: unknown }).default);
    return readTables((fn) => this.#outside(() => this.#t.run(fn)), tables, limitPerTable);
  }

  async run(call: FunctionCall): Promise<FunctionOutcome> {
    const parsed = parsePath(call.path);
    if (parsed === null) return failed(clientMessages.functionNotFound(call.path));
    const { module, name } = parsed;
    const shortPath = name === "default" ? module : `${module}:${name}`;
    const canonical = `${module}.js:${name}`;
    let kind: FunctionKind | "any" = call.kind;
    const size = Buffer.byteLength(JSON.stringify(call.args));
    const tooLarge =
      size > MAX_ARGS_BYTES
        ? failed(clientMessages.argsTooLarge(canonical, mebibytes(size), mebibytes(MAX_ARGS_BYTES)))
        : null;
    if (this.#modules !== undefined) {
      const found = await this.#findOnce(module, name);
      // Fidelity: crates/udf/src/validation.rs: a missing function and an internal one read alike.
      if (found === null || found.fn.isInternal === true || found.fn.isPublic === false)
        return failed(clientMessages.functionNotFound(shortPath));
      const actual: FunctionKind =
        found.fn.isQuery === true ? "query" : found.fn.isMutation === true ? "mutation" : "action";
      if (kind !== "any" && kind !== actual)
        return failed(clientMessages.wrongKind(canonical, KIND_NAME[kind], KIND_NAME[actual]));
      kind = actual;
      // Fidelity: validation.rs checks the size after the kind, before the validator.
      if (tooLarge !== null) return tooLarge;
      const invalid = argumentError(found.validator, call.args);
      if (invalid !== null) return failed(clientMessages.argumentValidation(invalid));
    }
    if (tooLarge !== null) return tooLarge;
    const accessor = this.#accessorFor(call.identity);
    const reference = makeFunctionReference(`${module}:${name}`);
    let args: Value;
    try {
      args = jsonToConvex(call.args);
    } catch (error) {
      return failed(clientMessages.argumentValidation((error as Error).message));
    }
    const kinds: FunctionKind[] = kind === "any" ? ["query", "mutation", "action"] : [kind];
    for (const attempt of kinds) {
      try {
        const value = await this.#outside(() => accessor[attempt](reference, args));
        return { ok: true, value: convexToJson((value ?? null) as Value) as JsonValue };
      } catch (error) {
        const outcome = failureOf(error, shortPath);
        // Without the modules, "any" learns the kind from convex-test refusing the others.
        if (kind === "any" && /^Expected an? \w+ function, but/.test(messageOf(error))) continue;
        return outcome;
      }
    }
    return failed(clientMessages.functionNotFound(shortPath));
  }

  /** #find, once per module and name (a module that fails to load is asked again next time). */
  #findOnce(module: string, name: string): Promise<FoundFunction | null> {
    const key = `${module}\u0000${name}`;
    let found = this.#found.get(key);
    if (found === undefined) {
      found = this.#find(module, name).then((fn) =>
        fn === null ? null : { fn, validator: parseArgsValidator(fn.exportArgs?.()) },
      );
      found.catch(() => this.#found.delete(key));
      // The paths a client can name are the app's (a few hundred); bounded all the same.
      if (this.#found.size >= 10_000) this.#found.clear();
      this.#found.set(key, found);
    }
    return found;
  }

  async #find(module: string, name: string): Promise<RegisteredFunction | null> {
    const key = this.#moduleKey(module);
    if (key === undefined) return null;
    const exports = (await this.#modules![key]!()) as Record<string, unknown>;
    const fn = exports[name] as RegisteredFunction | undefined;
    if (typeof fn !== "function" && (typeof fn !== "object" || fn === null)) return null;
    return fn.isQuery === true || fn.isMutation === true || fn.isAction === true ? fn : null;
  }

  #moduleKey(module: string): string | undefined {
    const modules = this.#modules ?? {};
    return ["ts", "js", "tsx", "jsx", "mts", "mjs"]
      .map((ext) => `${this.#prefix}${module}.${ext}`)
      .find((k) => k in modules);
  }

  #accessorFor(identity: CallerIdentity | null): Accessor {
    if (identity === null) return this.#t;
    const key = JSON.stringify(identity);
    let accessor = this.#accessors.get(key);
    if (accessor === undefined) {
      // A few callers per test; bounded all the same for a long-running command.
      if (this.#accessors.size >= 1000) this.#accessors.clear();
      accessor = this.#t.withIdentity({ ...identity });
      this.#accessors.set(key, accessor);
    }
    return accessor;
  }
}

/** "messages:list" -> { module: "messages", name: "list" }; "messages" names the default export. */
function parsePath(path: string): { module: string; name: string } | null {
  const colon = path.lastIndexOf(":");
  let module = colon < 0 ? path : path.slice(0, colon);
  const name = colon < 0 ? "default" : path.slice(colon + 1);
  // Fidelity: sync_types udf_path.rs canonicalize: a module path may carry its ".js".
  if (module.endsWith(".js")) module = module.slice(0, -3);
  if (
    module === "" ||
    name === "" ||
    !/^[\w./-]+$/.test(module) ||
    !/^\w+$/.test(name) ||
    module.split("/").some((p) => p === "" || p === "." || p === "..")
  )
    return null;
  return { module, name };
}
