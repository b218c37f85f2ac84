// The errors and texts of Convex's client protocols on the cloud origin (the
// HTTP API and the sync WebSocket, src/server/clients/): what a client sees
// when a request is malformed, and how a failed function reads, as a dev
// deployment of the backend writes them.
import { fail, PREFIX } from "./base.js";

/** Why a client's token was refused: the backend's short code and message. */
export interface TokenRefusal {
  readonly code: "InvalidAuthHeader" | "Unauthenticated" | "NoAuthProvider";
  readonly message: string;
}

export const clientErrors = {
  // Fidelity: get-convex/convex-backend crates/common/src/http/extract.rs, Json's rejection
  // (axum's own body text after the short code).
  badJsonBody: (detail: string) => fail("BadJsonBody", 400, detail),
  // Fidelity: crates/local_backend/src/public_api.rs public_function_post_with_path.
  missingIdentifier: () =>
    fail("MissingIdentifier", 400, "Path or function name not provided in path, e.g. /api/run/messages/list"),
  // Fidelity: get-convex/convex-backend crates/authentication/src/lib.rs (ErrorMetadata::unauthenticated: 401).
  unauthenticated: (refusal: TokenRefusal) => fail(refusal.code, 401, refusal.message),
  // Fidelity: crates/common/src/http/mod.rs, the 413 of a body past MAX_BACKEND_PUBLIC_API_REQUEST_SIZE.
  bodyTooLarge: () => fail("BadJsonBody", 400, "Failed to buffer the request body: length limit exceeded"),
} as const;

/** Texts of failed functions and of the sync protocol's refusals. */
export const clientMessages = {
  // Fidelity: crates/udf/src/validation.rs missing_or_internal_error (a missing function and an
  // internal one read the same, so a client learns nothing about internal functions).
  functionNotFound: (path: string) => `Could not find public function for '${path}'.`,
  // Fidelity: crates/udf/src/validation.rs ValidatedPathAndArgs::new_inner, with the canonical
  // path ("messages.js:send") and crates/common/src/types/functions.rs UdfType's Display.
  wrongKind: (canonicalPath: string, expected: string, actual: string) =>
    `Trying to execute ${canonicalPath} as ${expected}, but it is defined as ${actual}.`,
  // Fidelity: crates/udf/src/validation.rs new_inner (the detail: convex-test/validate-args.ts).
  argumentValidation: (detail: string) => `ArgumentValidationError: ${detail}`,
  // Fidelity: crates/udf/src/helpers.rs validate_args_size (humansize BINARY).
  argsTooLarge: (canonicalPath: string, actual: string, limit: string) =>
    `Arguments for ${canonicalPath} are too large (actual: ${actual}, limit: ${limit})`,
  // Fidelity: crates/isolate/src/helpers.rs format_uncaught_error.
  uncaught: (name: string, message: string) =>
    name !== "" && message !== ""
      ? `Uncaught ${name}: ${message}`
      : name !== ""
        ? `Uncaught ${name}`
        : message !== ""
          ? `Uncaught ${message}`
          : "Uncaught",
  // Fidelity: crates/application/src/redaction.rs RedactedJsError's Display with logs not redacted
  // (a dev deployment), over crates/common/src/errors.rs JsError's Debug (message, then frames, each on a line).
  serverError: (requestId: string, message: string, frames: readonly string[]) =>
    `[Request ID: ${requestId}] Server Error\n${message}\n${frames.map((frame) => `${frame}\n`).join("")}`,
  // Fidelity: crates/local_backend/src/subs/mod.rs receive_messages (WSMessageInvalidJson); the
  // detail after the colon is the emulator's, where the backend has serde's.
  invalidJson: (detail: string) => `Received Invalid JSON on websocket: ${detail}`,
  // Fidelity: crates/sync/src/state.rs identity (TokenExpired): a session's token ran out.
  identityExpired: "Convex token identity expired",
  // Fidelity: crates/sync/src/state.rs modify_query_set (BaseVersionMismatch).
  baseVersionMismatch: (base: number, current: number) =>
    `Base version ${base} passed up doesn't match the current version ${current}`,
  // Fidelity: crates/errors/src/lib.rs INTERNAL_SERVER_ERROR: the close reason of an error that is not the client's.
  internalServerError: "InternalServerError",
  // Fidelity: crates/authentication/src/lib.rs extract_bearer_token and validate_id_token.
  tokenRefusals: {
    notBearer: { code: "InvalidAuthHeader", message: "Header must begin with `bearer `" },
    notJwt: {
      code: "InvalidAuthHeader",
      message:
        "Could not parse JWT payload. Check that the token is a valid JWT format with three base64-encoded parts separated by dots.",
    },
    noIssuer: {
      code: "InvalidAuthHeader",
      message:
        "Missing issuer claim ('iss') in JWT payload. The JWT must include an 'iss' claim that matches one of your configured auth providers.",
    },
    notOidc: {
      code: "InvalidAuthHeader",
      message: "Could not parse as OIDC ID token. Token might not be an OIDC-compliant JWT.",
    },
    expired: {
      code: "Unauthenticated",
      message:
        "Could not verify OIDC token claim. Check that the token signature is valid and the token hasn't expired.",
    },
    // Fidelity: crates/authentication/src/lib.rs enhance_no_provider_error (logs not redacted).
    noProvider: (configured: readonly string[]): TokenRefusal => ({
      code: "NoAuthProvider",
      message:
        configured.length === 0
          ? "No auth provider found matching the given token (no providers configured). Check convex/auth.config.ts."
          : `No auth provider found matching the given token. Check that your JWT's issuer and audience match one of your configured providers: [${configured.join(", ")}]`,
    }),
    // The emulator's own: it has no admin key.
    adminKey: {
      code: "InvalidAuthHeader",
      message: `${PREFIX} Admin keys are not supported; authenticate with a user JWT (setAuth).`,
    },
  } satisfies Record<string, TokenRefusal | ((configured: readonly string[]) => TokenRefusal)>,
  // The emulator's own close reasons (a WebSocket close reason is at most 123 bytes).
  tooManyConnections: `${PREFIX} Too many connections; try again later.`,
  serverClosing: `${PREFIX} The server is closing.`,
  functionsDisconnected: `${PREFIX} No convex-test instance is connected any more.`,
  // A client call while no runner is attached (a race with disconnect()).
  notConnected: `${PREFIX} No convex-test instance is connected: call connectConvexTest(t, emulator) first.`,
} as const;
