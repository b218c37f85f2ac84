// Convex's encoded JSON (what convexToJson writes) as the "clean" JSON the
// HTTP API's `format: "json"` answers with.
import type { JsonValue } from "./runner.js";

/**
 * Fidelity: get-convex/convex-backend crates/value/src/export (ValueFormat::ConvexCleanJSON):
 * an Int64 becomes its decimal string, bytes their base64 string, a special float its name;
 * everything else is already plain JSON.
 */
export function cleanJson(value: JsonValue): JsonValue {
  if (Array.isArray(value)) return value.map(cleanJson);
  if (value === null || typeof value !== "object") return value;
  const keys = Object.keys(value);
  if (keys.length === 1) {
    const only = value[keys[0]!];
    if (keys[0] === "$integer" && typeof only === "string")
      return Buffer.from(only, "base64").readBigInt64LE().toString();
    if (keys[0] === "$bytes" && typeof only === "string") return only;
    if (keys[0] === "$float" && typeof only === "string") return floatName(Buffer.from(only, "base64").readDoubleLE());
  }
  const out: { [key: string]: JsonValue } = {};
  for (const key of keys) out[key] = cleanJson(value[key]!);
  return out;
}

function floatName(n: number): string {
  if (Number.isNaN(n)) return "NaN";
  if (n === Infinity) return "Infinity";
  if (n === -Infinity) return "-Infinity";
  return "-0";
}
