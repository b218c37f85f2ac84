// The JWT a client authenticates with, as `ctx.auth.getUserIdentity()` sees it.
// Decoded, NOT verified: the emulator is a test backend with no identity
// provider configured, so any well-formed token is accepted (docs/security.md).
import { clientMessages } from "../../errors.js";
import type { TokenRefusal } from "../../errors/clients.js";
import type { AuthProvider, CallerIdentity } from "./runner.js";

// Fidelity: get-convex/convex-backend crates/keybroker/src/broker.rs (UserIdentity from the
// token's claims): the standard OIDC claims become typed fields under these names.
const ATTRIBUTE_OF_CLAIM: Readonly<Record<string, string>> = {
  name: "name",
  given_name: "givenName",
  family_name: "familyName",
  nickname: "nickname",
  preferred_username: "preferredUsername",
  profile: "profileUrl",
  picture: "pictureUrl",
  website: "websiteUrl",
  email: "email",
  email_verified: "emailVerified",
  gender: "gender",
  birthdate: "birthday",
  zoneinfo: "timezone",
  locale: "language",
  phone_number: "phoneNumber",
  phone_number_verified: "phoneNumberVerified",
  updated_at: "updatedAt",
};
// Fidelity: the same file: claims dropped because they change on every refresh, and `exp`.
const DROPPED = new Set(["sub", "iss", "exp", "jti", "nbf", "fva", "address"]);

const { tokenRefusals } = clientMessages;

/** `Authorization: <header>` as a token. Fidelity: crates/authentication/src/lib.rs extract_bearer_token. */
export function bearerToken(header: string): string | TokenRefusal {
  if (header.length <= 7 || header.slice(0, 7).toLowerCase() !== "bearer ") return tokenRefusals.notBearer;
  return header.slice(7).trim();
}

/**
 * The identity a token stands for, or why the backend would refuse it before checking its
 * signature: not a JWT, no `iss` or `sub`, or past its `exp`.
 */
export function identityOfToken(
  token: string,
  providers?: readonly AuthProvider[],
  nowMs = Date.now(),
): CallerIdentity | TokenRefusal {
  const parts = token.split(".");
  if (parts.length !== 3) return tokenRefusals.notJwt;
  let claims: unknown;
  try {
    claims = JSON.parse(Buffer.from(parts[1]!, "base64url").toString("utf8"));
  } catch {
    return tokenRefusals.notJwt;
  }
  if (typeof claims !== "object" || claims === null || Array.isArray(claims)) return tokenRefusals.notJwt;
  const { sub, iss, exp } = claims as Record<string, unknown>;
  if (typeof iss !== "string") return tokenRefusals.noIssuer;
  if (
    providers !== undefined &&
    !providers.some((p) => matchesToken(p, audiencesOf((claims as { aud?: unknown }).aud), iss))
  ) {
    return tokenRefusals.noProvider(
      providers.map((p) =>
        p.kind === "OIDC"
          ? `OIDC(domain=${p.issuer}, app_id=${p.applicationID})`
          : `CustomJWT(issuer=${p.issuer}, app_id=${p.applicationID ?? "none"})`,
      ),
    );
  }
  if (typeof sub !== "string") return tokenRefusals.notOidc;
  if (typeof exp === "number" && exp * 1000 <= nowMs) return tokenRefusals.expired;
  // Fidelity: keybroker UserIdentifier::construct: "<issuer>|<subject>".
  const identity: Record<string, unknown> = { subject: sub, issuer: iss, tokenIdentifier: `${iss}|${sub}` };
  for (const [claim, value] of Object.entries(claims as Record<string, unknown>)) {
    if (DROPPED.has(claim) || value === undefined || value === null) continue;
    const attribute = ATTRIBUTE_OF_CLAIM[claim];
    // updated_at is a number of seconds in the token, an RFC 3339 string on the identity.
    if (attribute === "updatedAt" && typeof value === "number")
      identity[attribute] = new Date(value * 1000).toISOString().replace(".000Z", "+00:00");
    else identity[attribute ?? claim] = value;
  }
  const address = (claims as { address?: { formatted?: unknown } }).address?.formatted;
  if (typeof address === "string") identity.address = address;
  return identity as CallerIdentity;
}

function audiencesOf(aud: unknown): string[] {
  if (typeof aud === "string") return [aud];
  return Array.isArray(aud) ? aud.filter((a): a is string => typeof a === "string") : [];
}

/**
 * Fidelity: crates/common/src/auth.rs AuthInfo::matches_token: the audience must include the
 * provider's applicationID when it has one; issuers compare without a trailing slash, an `iss`
 * without a scheme taken as https://.
 */
function matchesToken(provider: AuthProvider, audiences: string[], issuer: string): boolean {
  if (provider.applicationID !== undefined && !audiences.includes(provider.applicationID)) return false;
  const withScheme = issuer.startsWith("https://") || issuer.startsWith("http://") ? issuer : `https://${issuer}`;
  return provider.issuer.replace(/\/+$/, "") === withScheme.replace(/\/+$/, "");
}

/** When a token's identity ends (its `exp`, in ms), for a token identityOfToken accepted; undefined when it has none. */
export function expiryOf(token: string): number | undefined {
  const exp = (JSON.parse(Buffer.from(token.split(".")[1] ?? "", "base64url").toString("utf8")) as { exp?: unknown })
    .exp;
  return typeof exp === "number" ? exp * 1000 : undefined;
}
