// What a sync session sends back, built from a function's outcome: a mutation's or action's
// response, a query's modification, an AuthError, and the argument object of a client message.
import { randomBytes } from "node:crypto";
import { clientMessages } from "../../errors.js";
import { encodeTs, type StateModification } from "./protocol.js";
import type { FunctionOutcome, JsonValue } from "./runner.js";

/** Fidelity: protocol.ts Mutation/Action/Add carry the argument object as `[args]`. */
export function argsOf(args: JsonValue[]): JsonValue {
  return (args.length === 0 ? {} : args[0]) ?? {};
}

function requestFailure(outcome: Extract<FunctionOutcome, { ok: false }>): string {
  const { message, frames } = outcome.failure;
  return clientMessages.serverError(randomBytes(8).toString("hex"), message, frames);
}

function failureFields(outcome: Extract<FunctionOutcome, { ok: false }>): { result: string; errorData?: JsonValue } {
  const result = requestFailure(outcome);
  return outcome.failure.data === undefined ? { result } : { result, errorData: outcome.failure.data };
}

export function modificationOf(queryId: number, outcome: FunctionOutcome): StateModification {
  if (outcome.ok) return { type: "QueryUpdated", queryId, value: outcome.value, logLines: [], journal: null };
  const failed: StateModification = {
    type: "QueryFailed",
    queryId,
    errorMessage: requestFailure(outcome),
    logLines: [],
    journal: null,
  };
  return outcome.failure.data === undefined ? failed : { ...failed, errorData: outcome.failure.data };
}

/** A MutationResponse: a success carries the timestamp its writes are visible at. */
export function mutationResponse(requestId: number, outcome: FunctionOutcome, ts: bigint): Record<string, unknown> {
  if (outcome.ok)
    return {
      type: "MutationResponse",
      requestId,
      success: true,
      result: outcome.value,
      ts: encodeTs(ts),
      logLines: [],
    };
  return { type: "MutationResponse", requestId, success: false, ...failureFields(outcome), ts: null, logLines: [] };
}

export function actionResponse(requestId: number, outcome: FunctionOutcome): Record<string, unknown> {
  if (outcome.ok) return { type: "ActionResponse", requestId, success: true, result: outcome.value, logLines: [] };
  return { type: "ActionResponse", requestId, success: false, ...failureFields(outcome), logLines: [] };
}

/** An AuthError: `baseVersion` is the identity version last sent. */
export function authError(error: string, baseVersion: number, authUpdateAttempted: boolean): Record<string, unknown> {
  return { type: "AuthError", error, baseVersion, authUpdateAttempted };
}
