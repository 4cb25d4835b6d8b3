import { createHmac, timingSafeEqual } from "node:crypto";

/**
 * The subset of JSON Web Tokens (RFC 7519) the server needs: compact JWS with HMAC-SHA256
 * (RFC 7515, `alg: HS256`), nothing else. Verification accepts exactly that algorithm, so a
 * token whose header names `none`, another HMAC or a public-key algorithm never verifies, and
 * compares signatures in constant time.
 */

/** Claims of a token; `exp` and `iat` are seconds since the epoch (RFC 7519 NumericDate). */
export type JwtClaims = Record<string, unknown> & { exp: number; iat: number };

const HEADER = base64UrlJson({ alg: "HS256", typ: "JWT" });
/** Compact JWS: three base64url parts; anything else is refused before it is decoded. */
const COMPACT = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/;
/** Tokens longer than this are refused unread: ours are a few hundred bytes. */
const MAX_TOKEN_LENGTH = 4096;

/**
 * Signs `claims` with HS256.
 *
 * @example
 * const token = signJwt({ sub: "p1", iat: 1700000000, exp: 1700086400 }, key);
 */
export function signJwt(claims: JwtClaims, key: Buffer): string {
  const signingInput = `${HEADER}.${base64UrlJson(claims)}`;
  return `${signingInput}.${signature(signingInput, key).toString("base64url")}`;
}

/** Why a token was refused (for tests and debug logs; clients only ever see a 401). */
export type JwtRejection = "malformed" | "algorithm" | "signature" | "expired" | "not_yet_valid";

/**
 * Verifies an HS256 token and returns its claims, or why it was refused: not a compact JWS,
 * a header other than `alg: HS256` (`none` included), a bad signature, `exp` at or before
 * `nowSeconds`, or an `iat` more than `leewaySeconds` in the future.
 */
export function verifyJwt(
  token: string,
  key: Buffer,
  nowSeconds: number,
  leewaySeconds = 300,
): { claims: JwtClaims } | { rejected: JwtRejection } {
  if (token.length > MAX_TOKEN_LENGTH || !COMPACT.test(token)) return { rejected: "malformed" };
  const [encodedHeader, encodedPayload, encodedSignature] = token.split(".") as [string, string, string];
  const header = parseJsonObject(encodedHeader);
  if (header === undefined) return { rejected: "malformed" };
  // Only the algorithm this server signs with; `crit` extensions are not understood, so refused.
  if (header.alg !== "HS256" || "crit" in header || (header.typ !== undefined && header.typ !== "JWT")) {
    return { rejected: "algorithm" };
  }
  // Compared as canonical base64url text: base64 decoders ignore the spare bits of the last
  // character, so comparing decoded bytes would accept several spellings of one signature.
  const expected = Buffer.from(signature(`${encodedHeader}.${encodedPayload}`, key).toString("base64url"), "ascii");
  const actual = Buffer.from(encodedSignature, "ascii");
  if (actual.length !== expected.length || !timingSafeEqual(actual, expected)) return { rejected: "signature" };
  const claims = parseJsonObject(encodedPayload);
  if (claims === undefined || !isNumericDate(claims.exp) || !isNumericDate(claims.iat)) {
    return { rejected: "malformed" };
  }
  if (claims.exp <= nowSeconds) return { rejected: "expired" };
  if (claims.iat > nowSeconds + leewaySeconds) return { rejected: "not_yet_valid" };
  return { claims: claims as JwtClaims };
}

function signature(signingInput: string, key: Buffer): Buffer {
  return createHmac("sha256", key).update(signingInput, "ascii").digest();
}

function base64UrlJson(value: unknown): string {
  return Buffer.from(JSON.stringify(value), "utf8").toString("base64url");
}

function parseJsonObject(encoded: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(Buffer.from(encoded, "base64url").toString("utf8"));
    return typeof value === "object" && value !== null && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
}

function isNumericDate(value: unknown): value is number {
  return typeof value === "number" && Number.isFinite(value);
}
