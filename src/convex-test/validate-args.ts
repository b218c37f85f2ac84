// A function's arguments checked against its args validator with the
// backend's texts (convex-test's own check words them differently).
// Fidelity: get-convex/convex-backend crates/common/src/schemas/validator.rs
// (ValidationError's Display, Validator's Display) and crates/value/src/lib.rs
// (ConvexValue's Display); v.id() checks only that the value is a string here
// (convex-test checks the table when the function runs).
import type { JsonValue } from "../server/clients/runner.js";

interface ValidatorJson {
  type: string;
  value?: unknown;
  tableName?: string;
  keys?: ValidatorJson;
  values?: { fieldType: ValidatorJson } | ValidatorJson;
}
type Fields = Record<string, { fieldType: ValidatorJson; optional: boolean }>;

class Mismatch {
  constructor(
    readonly render: (context: string) => string,
    readonly path: string[] = [],
  ) {}
}

/** A function's exported args validator (its `exportArgs()`), parsed once for every call. */
export type ArgsValidator = ValidatorJson;

export function parseArgsValidator(exported: string | undefined): ArgsValidator | undefined {
  return exported === undefined ? undefined : (JSON.parse(exported) as ValidatorJson);
}

/** The ArgumentValidationError detail for `args`, or null when they pass (or there is no validator). */
export function argumentError(exported: string | ArgsValidator | undefined, args: JsonValue): string | null {
  if (exported === undefined) return null;
  const validator = typeof exported === "string" ? (JSON.parse(exported) as ValidatorJson) : exported;
  const mismatch = check(validator, args);
  if (mismatch === null) return null;
  const context = mismatch.path.length === 0 ? "" : `Path: ${[...mismatch.path].reverse().join("")}`;
  return mismatch.render(context);
}

function check(validator: ValidatorJson, value: JsonValue): Mismatch | null {
  const noMatch = () =>
    new Mismatch(
      (context) =>
        `Value does not match validator.\n${context}\nValue: ${show(value)}\nValidator: ${showValidator(validator)}`,
    );
  switch (validator.type) {
    case "any":
      return null;
    case "null":
      return value === null ? null : noMatch();
    case "number":
      return typeof value === "number" || tagOf(value) === "$float" ? null : noMatch();
    case "bigint":
      return tagOf(value) === "$integer" ? null : noMatch();
    case "boolean":
      return typeof value === "boolean" ? null : noMatch();
    case "string":
    case "id":
      return typeof value === "string" ? null : noMatch();
    case "bytes":
      return tagOf(value) === "$bytes" ? null : noMatch();
    case "literal":
      return JSON.stringify(value) === JSON.stringify(validator.value)
        ? null
        : new Mismatch(
            (context) =>
              `\`${show(value)}\` does not match literal validator \`v.literal(${show(validator.value as JsonValue)})\`.${context}`,
          );
    case "array": {
      if (!Array.isArray(value)) return noMatch();
      for (let i = 0; i < value.length; i++) {
        const inner = check(validator.value as ValidatorJson, value[i]!);
        if (inner !== null) return within(inner, `[${i}]`);
      }
      return null;
    }
    case "union":
      return (validator.value as ValidatorJson[]).some((v) => check(v, value) === null) ? null : noMatch();
    case "record": {
      if (!isPlainObject(value)) return noMatch();
      const values = validator.values as { fieldType: ValidatorJson };
      for (const [key, field] of Object.entries(value)) {
        const inner = check(values.fieldType ?? (validator.values as ValidatorJson), field);
        if (inner !== null) return within(inner, `.${key}`);
      }
      return null;
    }
    case "object": {
      if (!isPlainObject(value)) return noMatch();
      const fields = validator.value as Fields;
      for (const [name, { optional }] of Object.entries(fields)) {
        if (!optional && value[name] === undefined) {
          return new Mismatch(
            (context) =>
              `Object is missing the required field \`${name}\`. Consider wrapping the field validator in \`v.optional(...)\` if this is expected.\n${context}\nObject: ${show(value)}\nValidator: ${showValidator(validator)}`,
          );
        }
      }
      for (const name of Object.keys(value)) {
        if (fields[name] === undefined) {
          return new Mismatch(
            (context) =>
              `Object contains extra field \`${name}\` that is not in the validator.\n${context}\nObject: ${show(value)}\nValidator: ${showValidator(validator)}`,
          );
        }
      }
      for (const [name, field] of Object.entries(value)) {
        const inner = check(fields[name]!.fieldType, field);
        if (inner !== null) return within(inner, `.${name}`);
      }
      return null;
    }
    default:
      return null;
  }
}

function within(mismatch: Mismatch, step: string): Mismatch {
  return new Mismatch(mismatch.render, [...mismatch.path, step]);
}

function isPlainObject(value: JsonValue): value is { [key: string]: JsonValue } {
  return typeof value === "object" && value !== null && !Array.isArray(value) && tagOf(value) === null;
}

function tagOf(value: JsonValue): string | null {
  if (typeof value !== "object" || value === null || Array.isArray(value)) return null;
  const keys = Object.keys(value);
  return keys.length === 1 && keys[0]!.startsWith("$") ? keys[0]! : null;
}

/** ConvexValue's Display: strings quoted, objects `{k: v}` with keys sorted, floats with a point. */
function show(value: JsonValue): string {
  if (value === null) return "null";
  if (typeof value === "string") return JSON.stringify(value);
  if (typeof value === "number") return Number.isInteger(value) ? `${value}.0` : String(value);
  if (typeof value === "boolean") return String(value);
  if (Array.isArray(value)) return `[${value.map(show).join(", ")}]`;
  const tag = tagOf(value);
  if (tag === "$integer")
    return Buffer.from(value[tag] as string, "base64")
      .readBigInt64LE()
      .toString();
  if (tag === "$bytes") return `b${JSON.stringify(value[tag])}`;
  return `{${Object.keys(value)
    .sort()
    .map((k) => `${k}: ${show(value[k]!)}`)
    .join(", ")}}`;
}

function showValidator(v: ValidatorJson): string {
  switch (v.type) {
    case "id":
      return `v.id("${v.tableName}")`;
    case "number":
      return "v.float64()";
    case "bigint":
      return "v.int64()";
    case "literal":
      return `v.literal(${JSON.stringify(v.value)})`;
    case "array":
      return `v.array(${showValidator(v.value as ValidatorJson)})`;
    case "union":
      return `v.union(${(v.value as ValidatorJson[]).map(showValidator).join(", ")})`;
    case "record":
      return `v.record(${showValidator(v.keys!)}, ${showValidator((v.values as { fieldType: ValidatorJson }).fieldType ?? v.values)})`;
    case "object": {
      const fields = v.value as Fields;
      const shown = Object.keys(fields)
        .sort()
        .map(
          (k) =>
            `${k}: ${fields[k]!.optional ? `v.optional(${showValidator(fields[k]!.fieldType)})` : showValidator(fields[k]!.fieldType)}`,
        );
      return `v.object({${shown.join(", ")}})`;
    }
    default:
      return `v.${v.type}()`;
  }
}
