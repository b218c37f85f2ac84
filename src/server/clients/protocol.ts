// The sync protocol's messages, as convex/browser sends and expects them.
// Fidelity: get-convex/convex-backend crates/convex/sync_types/src/types/json.rs (the JSON
// shapes) and convex-js src/browser/sync/protocol.ts (the client's parser).
import { clientMessages } from "../../errors.js";
import type { JsonValue } from "./runner.js";

/** A database timestamp: u64 nanoseconds, sent as base64 of its 8 little-endian bytes (json.rs u64_to_string). */
export function encodeTs(ts: bigint): string {
  const bytes = Buffer.alloc(8);
  bytes.writeBigUInt64LE(ts);
  return bytes.toString("base64");
}

export function decodeTs(encoded: string): bigint | null {
  const bytes = Buffer.from(encoded, "base64");
  return bytes.length === 8 ? bytes.readBigUInt64LE() : null;
}

export interface StateVersion {
  querySet: number;
  identity: number;
  ts: bigint;
}

type QuerySetModification =
  { type: "Add"; queryId: number; udfPath: string; args: JsonValue[] } | { type: "Remove"; queryId: number };

export type ClientMessage =
  | { type: "Connect"; sessionId: string; connectionCount: number; maxObservedTimestamp?: string }
  | { type: "ModifyQuerySet"; baseVersion: number; newVersion: number; modifications: QuerySetModification[] }
  | { type: "Mutation" | "Action"; requestId: number; udfPath: string; args: JsonValue[]; componentPath?: string }
  | { type: "Authenticate"; baseVersion: number; tokenType: "User" | "Admin" | "None"; value?: string }
  | { type: "Event"; eventType: string; event: JsonValue };

export type StateModification =
  | { type: "QueryUpdated"; queryId: number; value: JsonValue; logLines: string[]; journal: null }
  | {
      type: "QueryFailed";
      queryId: number;
      errorMessage: string;
      logLines: string[];
      journal: null;
      errorData?: JsonValue;
    }
  | { type: "QueryRemoved"; queryId: number };

/** A field check failed: the message a client gets in its FatalError. */
class Invalid extends Error {}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);
const u32 = (v: unknown, field: string): number => {
  if (typeof v !== "number" || !Number.isInteger(v) || v < 0 || v > 0xffffffff)
    throw new Invalid(`invalid type for \`${field}\`: expected u32`);
  return v;
};
const str = (v: unknown, field: string): string => {
  if (typeof v !== "string") throw new Invalid(`invalid type for \`${field}\`: expected a string`);
  return v;
};
const argsOf = (v: unknown): JsonValue[] => {
  if (!Array.isArray(v)) throw new Invalid("invalid type for `args`: expected an array");
  return v as JsonValue[];
};

function modificationOf(m: unknown): QuerySetModification {
  if (!isObject(m)) throw new Invalid("invalid type for a query set modification: expected an object");
  if (m.type === "Add")
    return {
      type: "Add",
      queryId: u32(m.queryId, "queryId"),
      udfPath: str(m.udfPath, "udfPath"),
      args: argsOf(m.args),
    };
  if (m.type === "Remove") return { type: "Remove", queryId: u32(m.queryId, "queryId") };
  throw new Invalid(`unknown variant \`${String(m.type)}\`, expected \`Add\` or \`Remove\``);
}

const TYPES = "`Connect`, `ModifyQuerySet`, `Mutation`, `Action`, `Authenticate`, `Event`";

/** A text frame as a client message, or the FatalError text that refuses it. */
export function parseClientMessage(text: string): ClientMessage | { invalid: string } {
  try {
    let raw: unknown;
    try {
      raw = JSON.parse(text);
    } catch (error) {
      throw new Invalid((error as Error).message);
    }
    if (!isObject(raw)) throw new Invalid("expected a JSON object");
    switch (raw.type) {
      case "Connect":
        return {
          type: "Connect",
          sessionId: str(raw.sessionId, "sessionId"),
          connectionCount: u32(raw.connectionCount, "connectionCount"),
          ...(typeof raw.maxObservedTimestamp === "string" ? { maxObservedTimestamp: raw.maxObservedTimestamp } : {}),
        };
      case "ModifyQuerySet": {
        if (!Array.isArray(raw.modifications)) throw new Invalid("invalid type for `modifications`: expected an array");
        return {
          type: "ModifyQuerySet",
          baseVersion: u32(raw.baseVersion, "baseVersion"),
          newVersion: u32(raw.newVersion, "newVersion"),
          modifications: raw.modifications.map(modificationOf),
        };
      }
      case "Mutation":
      case "Action":
        return {
          type: raw.type,
          requestId: u32(raw.requestId, "requestId"),
          udfPath: str(raw.udfPath, "udfPath"),
          args: argsOf(raw.args),
          ...(typeof raw.componentPath === "string" ? { componentPath: raw.componentPath } : {}),
        };
      case "Authenticate": {
        const tokenType = raw.tokenType;
        if (tokenType !== "User" && tokenType !== "Admin" && tokenType !== "None")
          throw new Invalid(`unknown variant \`${String(tokenType)}\`, expected one of \`Admin\`, \`User\`, \`None\``);
        return {
          type: "Authenticate",
          baseVersion: u32(raw.baseVersion, "baseVersion"),
          tokenType,
          ...(tokenType === "None" ? {} : { value: str(raw.value, "value") }),
        };
      }
      case "Event":
        return { type: "Event", eventType: str(raw.eventType, "eventType"), event: (raw.event ?? null) as JsonValue };
      default:
        throw new Invalid(`unknown variant \`${String(raw.type)}\`, expected one of ${TYPES}`);
    }
  } catch (error) {
    if (error instanceof Invalid) return { invalid: clientMessages.invalidJson(error.message) };
    throw error;
  }
}

export function versionJson(v: StateVersion): { querySet: number; identity: number; ts: string } {
  return { querySet: v.querySet, identity: v.identity, ts: encodeTs(v.ts) };
}
