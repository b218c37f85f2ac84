// What a sync session sends back, built from a function's outcome: a mutation's or action's
// failure fields, a query's modification, and the argument object of a client message.
import { randomBytes } from "node:crypto";
import { clientMessages } from "../../errors.js";
import type { StateModification } from "./protocol.js";
import type { FunctionOutcome, JsonValue } from "./runner.js";

/** Fidelity: protocol.ts Mutation/Action/Add carry the argument object as `[args]`. */
export function argsOf(args: JsonValue[]): JsonValue {
  return (args.length === 0 ? {} : args[0]) ?? {};
}

function requestFailure(outcome: Extract<FunctionOutcome, { ok: false }>): string {
  const { message, frames } = outcome.failure;
  return clientMessages.serverError(randomBytes(8).toString("hex"), message, frames);
}

export function failureFields(outcome: Extract<FunctionOutcome, { ok: false }>): { result: string; errorData?: JsonValue } {
  const result = requestFailure(outcome);
  return outcome.failure.data === undefined ? { result } : { result, errorData: outcome.failure.data };
}

export function modificationOf(queryId: number, outcome: FunctionOutcome): StateModification {
  if (outcome.ok) return { type: "QueryUpdated", queryId, value: outcome.value, logLines: [], journal: null };
  const failed: StateModification = { type: "QueryFailed", queryId, errorMessage: requestFailure(outcome), logLines: [], journal: null };
  return outcome.failure.data === undefined ? failed : { ...failed, errorData: outcome.failure.data };
}
