// What a client sees when a call fails, pinned to the backend's dev-deployment texts.
import { ConvexHttpClient } from "convex/browser";
import { anyApi, makeFunctionReference } from "convex/server";
import { describe, expect, it } from "vitest";
import { WebSocket } from "ws";
import { waitFor } from "../support/wait.js";
import { jwt, setup, wsClient } from "./setup.js";

const api = anyApi;
const REQUEST = "\\[Request ID: [0-9a-f]{16}\\] Server Error\\n";

/** POSTs like ConvexHttpClient and returns the status and the JSON body. */
async function post(url: string, route: string, path: string, args: unknown) {
  const response = await fetch(`${url}/api/${route}`, {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ path, format: "convex_encoded_json", args: [args] }),
  });
  return {
    status: response.status,
    body: (await response.json()) as { status: string; errorMessage?: string; errorData?: unknown; value?: unknown },
  };
}

describe("failures over the HTTP API", () => {
  it("a failed function: HTTP 200, status error, the request-id text", async () => {
    const { url } = await setup();
    // Fidelity: get-convex/convex-backend crates/local_backend/src/public_api.rs UdfResponse::Error,
    // crates/application/src/redaction.rs RedactedJsError's Display (logs not redacted).
    const { status, body } = await post(url, "mutation", "protocol:fail", {});
    expect(status).toBe(200);
    expect(body.status).toBe("error");
    expect(body.errorMessage).toMatch(
      new RegExp(`^${REQUEST}Uncaught Error: boom\\n    at .*protocol\\.ts:\\d+:\\d+\\)?\\n`),
    );
  });

  it("an unknown function, an unknown module and an internal function read the same", async () => {
    const { url } = await setup();
    // Fidelity: crates/udf/src/validation.rs missing_or_internal_error.
    for (const path of ["protocol:nope", "nomodule:list", "protocol:hidden"]) {
      const { body } = await post(url, "query", path, {});
      expect(body.errorMessage).toMatch(new RegExp(`^${REQUEST}Could not find public function for '${path}'\\.\\n$`));
    }
    const { body } = await post(url, "mutation", "protocol:hiddenWrite", {});
    expect(body.errorMessage).toContain("Could not find public function for 'protocol:hiddenWrite'.");
  });

  it("a function called as the wrong kind", async () => {
    const { url } = await setup();
    // Fidelity: crates/udf/src/validation.rs ValidatedPathAndArgs::new_inner (canonical path, UdfType's Display).
    const client = new ConvexHttpClient(url, { logger: false });
    await expect(client.mutation(makeFunctionReference<"mutation">("protocol:count"), { name: "a" })).rejects.toThrow(
      /Server Error\nTrying to execute protocol\.js:count as Mutation, but it is defined as Query\.\n$/,
    );
  });

  it("arguments that fail the validator", async () => {
    const { url } = await setup();
    // Fidelity: crates/common/src/schemas/validator.rs ValidationError's Display, prefixed in validation.rs.
    const wrongType = await post(url, "mutation", "messages:sendMessage", { body: 1, author: "a" });
    expect(wrongType.body.errorMessage).toMatch(
      new RegExp(
        `^${REQUEST}ArgumentValidationError: Value does not match validator\\.\\nPath: \\.body\\nValue: 1\\.0\\nValidator: v\\.string\\(\\)\\n$`,
      ),
    );
    const missing = await post(url, "mutation", "messages:sendMessage", { author: "a" });
    expect(missing.body.errorMessage).toContain(
      'ArgumentValidationError: Object is missing the required field `body`. Consider wrapping the field validator in `v.optional(...)` if this is expected.\n\nObject: {author: "a"}\nValidator: v.object({author: v.string(), body: v.string()})\n',
    );
    const extra = await post(url, "mutation", "messages:sendMessage", { author: "a", body: "b", x: true });
    expect(extra.body.errorMessage).toContain(
      'ArgumentValidationError: Object contains extra field `x` that is not in the validator.\n\nObject: {author: "a", body: "b", x: true}\n',
    );
  });

  it("a ConvexError: errorData in Convex's JSON encoding", async () => {
    const { url } = await setup();
    // Fidelity: public_api.rs UdfResponse::error (error_data exported in the request's format).
    const { body } = await post(url, "mutation", "protocol:refuse", {});
    expect(body.errorData).toEqual({ code: "NOPE", limit: { $integer: "AwAAAAAAAAA=" } });
    expect(body.errorMessage).toMatch(new RegExp(`^${REQUEST}Uncaught ConvexError: `));
  });

  it("a malformed body: 400 BadJsonBody", async () => {
    const { url } = await setup();
    // Fidelity: crates/common/src/http/extract.rs Json (BadJsonBody, axum's rejection text).
    const response = await fetch(`${url}/api/query`, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: "{not json",
    });
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({
      code: "BadJsonBody",
      message: expect.stringMatching(/^Failed to parse the request body as JSON: /),
    });
    const noArgs = await fetch(`${url}/api/query`, {
      method: "POST",
      body: JSON.stringify({ path: "protocol:count" }),
    });
    expect(await noArgs.json()).toEqual({
      code: "BadJsonBody",
      message: "Failed to deserialize the JSON body into the target type: missing field `args`",
    });
  });

  it("tokens the backend refuses before checking a signature: 401 with its code and message", async () => {
    const { url } = await setup();
    // Fidelity: crates/authentication/src/lib.rs extract_bearer_token, validate_id_token.
    const refusal = async (authorization: string) => {
      const response = await fetch(`${url}/api/query`, {
        method: "POST",
        headers: { Authorization: authorization },
        body: JSON.stringify({ path: "protocol:whoami", args: {} }),
      });
      return { status: response.status, body: await response.json() };
    };
    expect(await refusal("Basic abc")).toEqual({
      status: 401,
      body: { code: "InvalidAuthHeader", message: "Header must begin with `bearer `" },
    });
    expect(await refusal("Bearer not-a-jwt")).toEqual({
      status: 401,
      body: {
        code: "InvalidAuthHeader",
        message:
          "Could not parse JWT payload. Check that the token is a valid JWT format with three base64-encoded parts separated by dots.",
      },
    });
    expect((await refusal(`bearer ${jwt({ sub: "a" })}`)).body.message).toBe(
      "Missing issuer claim ('iss') in JWT payload. The JWT must include an 'iss' claim that matches one of your configured auth providers.",
    );
    expect(await refusal(`Bearer ${jwt({ sub: "a", iss: "https://i.example", exp: 1 })}`)).toEqual({
      status: 401,
      body: {
        code: "Unauthenticated",
        message:
          "Could not verify OIDC token claim. Check that the token signature is valid and the token hasn't expired.",
      },
    });
    const client = new ConvexHttpClient(url, { logger: false, auth: "not-a-jwt" });
    await expect(client.query(api.protocol!.whoami!, {})).rejects.toThrow(/InvalidAuthHeader/);
  });
});

describe("failures over the sync WebSocket", () => {
  it("the same texts reach ConvexClient, after its own [CONVEX ...] prefix", async () => {
    const { url } = await setup();
    const client = wsClient(url);
    const message = (p: Promise<unknown>) =>
      p.then(
        () => "resolved",
        (e: Error) => e.message,
      );
    expect(await message(client.query(makeFunctionReference<"query">("protocol:hidden"), {}))).toMatch(
      new RegExp(
        `^\\[CONVEX Q\\(protocol:hidden\\)\\] ${REQUEST}Could not find public function for 'protocol:hidden'\\.\\n`,
      ),
    );
    expect(
      await message(client.mutation(makeFunctionReference<"mutation">("protocol:count"), { name: "a" })),
    ).toContain("Trying to execute protocol.js:count as Mutation, but it is defined as Query.");
    expect(
      await message(client.action(makeFunctionReference<"action">("protocol:increment"), { name: "a" })),
    ).toContain("Trying to execute protocol.js:increment as Action, but it is defined as Mutation.");
    expect(await message(client.mutation(api.messages!.sendMessage!, { author: "a" }))).toContain(
      "ArgumentValidationError: Object is missing the required field `body`.",
    );
  });
});

describe("without the module map", () => {
  it("unknown functions still read as the backend's; other checks are convex-test's", async () => {
    const { url } = await setup({ modules: false });
    const { body } = await post(url, "query", "protocol:nope", {});
    expect(body.errorMessage).toMatch(
      new RegExp(`^${REQUEST}Could not find public function for 'protocol:nope'\\.\\n$`),
    );
    const invalid = await post(url, "mutation", "messages:sendMessage", { author: "a" });
    expect(invalid.body.errorMessage).toContain("ArgumentValidationError: Missing required field `body` in object");
  });
});

describe("auth over the sync WebSocket", () => {
  it("a token the backend would refuse: AuthError, and setAuth reports false", async () => {
    const { url } = await setup();
    const client = wsClient(url);
    const changes: boolean[] = [];
    client.setAuth(
      async () => jwt({ sub: "a", iss: "https://i.example", exp: 1 }),
      (isAuthenticated) => changes.push(isAuthenticated),
    );
    await waitFor(() => changes.includes(false), { what: "onChange(false)" });
    // The client goes on without auth: queries run as nobody.
    expect(await client.query(api.protocol!.whoami!, {})).toBeNull();
  });

  it("a session's token that expires: the next call gets AuthError 'Convex token identity expired', not attempted", async () => {
    const { url } = await setup();
    const ws = new WebSocket(`${url.replace(/^http/, "ws")}/api/1.49.0/sync`);
    const received: Record<string, unknown>[] = [];
    ws.on("message", (data) => received.push(JSON.parse(String(data)) as Record<string, unknown>));
    await new Promise((resolve) => ws.once("open", resolve));
    const exp = Math.floor(Date.now() / 1000) + 1;
    ws.send(
      JSON.stringify({
        type: "Authenticate",
        baseVersion: 0,
        tokenType: "User",
        value: jwt({ sub: "e", iss: "https://i.example", exp }),
      }),
    );
    ws.send(JSON.stringify({ type: "ModifyQuerySet", baseVersion: 0, newVersion: 1, modifications: [] }));
    await waitFor(() => received.some((m) => m.type === "Transition"));
    await new Promise((resolve) => setTimeout(resolve, exp * 1000 - Date.now() + 20));
    ws.send(
      JSON.stringify({ type: "Mutation", requestId: 0, udfPath: "protocol:increment", args: [{ name: "late" }] }),
    );
    // Fidelity: crates/sync/src/state.rs identity (TokenExpired: unauthenticated), sent by subs/mod.rs as an AuthError not attempted.
    expect(await waitFor(() => received.find((m) => m.type === "AuthError"))).toEqual({
      type: "AuthError",
      error: "Convex token identity expired",
      baseVersion: 1,
      authUpdateAttempted: false,
    });
    ws.close();
  });

  it("a valid token: setAuth reports true once the server confirmed it", async () => {
    const { url } = await setup();
    const client = wsClient(url);
    const changes: boolean[] = [];
    client.setAuth(
      async () => jwt({ sub: "ok", iss: "https://i.example" }),
      (isAuthenticated) => changes.push(isAuthenticated),
    );
    await waitFor(() => changes.includes(true), { what: "onChange(true)" });
    expect(await client.query(api.protocol!.whoami!, {})).toMatchObject({ tokenIdentifier: "https://i.example|ok" });
  });

  it("with a convex/auth.config.ts, a token must match one of its providers (issuer and applicationID)", async () => {
    const authConfig = { providers: [{ domain: "https://issuer.example/", applicationID: "convex" }] };
    const { url } = await setup({ authConfig });
    const whoami = (token: string) =>
      new ConvexHttpClient(url, { logger: false, auth: token }).query(api.protocol!.whoami!, {});
    expect(await whoami(jwt({ sub: "a", iss: "https://issuer.example", aud: "convex" }))).toMatchObject({
      tokenIdentifier: "https://issuer.example|a",
    });
    // Fidelity: crates/authentication/src/lib.rs enhance_no_provider_error, crates/common/src/auth.rs matches_token.
    const refused =
      "NoAuthProvider: No auth provider found matching the given token. Check that your JWT's issuer and audience match one of your configured providers: [OIDC(domain=https://issuer.example/, app_id=convex)]";
    await expect(whoami(jwt({ sub: "a", iss: "https://other.example", aud: "convex" }))).rejects.toThrow(
      refused.replace("NoAuthProvider: ", ""),
    );
    await expect(whoami(jwt({ sub: "a", iss: "https://issuer.example", aud: "another-app" }))).rejects.toThrow(
      /NoAuthProvider/,
    );
    const client = wsClient(url);
    const changes: boolean[] = [];
    client.setAuth(
      async () => jwt({ sub: "a", iss: "https://other.example", aud: "convex" }),
      (ok) => changes.push(ok),
    );
    await waitFor(() => changes.includes(false), { what: "onChange(false)" });
  });
});
