/** Awaits a promise that must reject, returning the error (with its `code`, when it has one). */
export async function failure(promise: Promise<unknown>): Promise<Error & { code?: string }> {
  try {
    await promise;
  } catch (error) {
    return error as Error & { code?: string };
  }
  throw new Error("expected the call to fail");
}
