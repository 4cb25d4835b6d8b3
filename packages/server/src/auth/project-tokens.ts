import { randomBytes } from "node:crypto";
import type { CredentialVerifier } from "./authenticate";
import { type JwtClaims, type JwtRejection, signJwt, verifyJwt } from "./jwt";

/** The database setting that holds the generated signing secret (shared by every replica). */
export const TOKEN_SECRET_SETTING = "auth.token_signing_secret";
/** 24 hours. */
export const DEFAULT_TOKEN_LIFETIME_SECONDS = 86_400;
/** HS256 keys shorter than the hash output weaken it (RFC 7518 §3.2). */
export const MIN_TOKEN_SECRET_BYTES = 32;
const MAX_TOKEN_LIFETIME_SECONDS = 366 * 86_400;
const ISSUER = "agentops-server";

/** Environment variables read when the options leave a field unset. */
export const ENV_TOKEN_SECRET = "AGENTOPS_SERVER_TOKEN_SECRET";
export const ENV_TOKEN_LIFETIME_SECONDS = "AGENTOPS_SERVER_TOKEN_LIFETIME_SECONDS";

/**
 * Signed project tokens, as `POST /v3/auth/token` hands them out in exchange for an API key.
 */
export interface TokenOptions {
  /**
   * HMAC-SHA256 signing secret, at least 32 bytes. Default: `AGENTOPS_SERVER_TOKEN_SECRET`, else a
   * random 256-bit secret that the server generates on first start and keeps in its database,
   * so that tokens survive restarts and every replica on one database accepts them.
   */
  secret?: string;
  /** How long a token is valid. Default: `AGENTOPS_SERVER_TOKEN_LIFETIME_SECONDS`, else 86,400 (24 h). */
  lifetimeSeconds?: number;
}

/** {@link TokenOptions} with the environment and defaults applied. */
export interface ResolvedTokenOptions {
  /** `undefined`: use (or create) the secret kept in the database. */
  secret: string | undefined;
  lifetimeSeconds: number;
}

/**
 * Resolves token options once: explicit option, then environment, then default. Throws on a
 * secret shorter than 32 bytes or a lifetime that is not a whole number of seconds from 1 to
 * 366 days: a server must not start with a weak or meaningless token configuration.
 */
export function resolveTokenOptions(options: TokenOptions = {}, env: NodeJS.ProcessEnv = process.env): ResolvedTokenOptions {
  const fromEnv = env[ENV_TOKEN_SECRET];
  const secret = options.secret ?? (fromEnv !== undefined && fromEnv !== "" ? fromEnv : undefined);
  if (secret !== undefined && Buffer.byteLength(secret, "utf8") < MIN_TOKEN_SECRET_BYTES) {
    throw new Error(`the token signing secret must be at least ${MIN_TOKEN_SECRET_BYTES} bytes (${ENV_TOKEN_SECRET})`);
  }
  let lifetimeSeconds = options.lifetimeSeconds;
  if (lifetimeSeconds === undefined) {
    const text = env[ENV_TOKEN_LIFETIME_SECONDS];
    if (text !== undefined && text !== "") {
      if (!/^\d+$/.test(text.trim())) {
        throw new Error(`${ENV_TOKEN_LIFETIME_SECONDS} must be a whole number of seconds`);
      }
      lifetimeSeconds = Number(text.trim());
    }
  }
  lifetimeSeconds ??= DEFAULT_TOKEN_LIFETIME_SECONDS;
  if (!Number.isInteger(lifetimeSeconds) || lifetimeSeconds < 1 || lifetimeSeconds > MAX_TOKEN_LIFETIME_SECONDS) {
    throw new Error(`the token lifetime must be a whole number of seconds from 1 to ${MAX_TOKEN_LIFETIME_SECONDS}`);
  }
  return { secret, lifetimeSeconds };
}

/** Where the generated secret is kept: the `setSettingIfAbsent` method of a store. */
export interface SecretStore {
  setSettingIfAbsent(name: string, value: string): Promise<string>;
}

/** A token handed to a client. */
export interface IssuedToken {
  token: string;
  projectId: string;
  expiresAt: Date;
}

/** What a valid token says. */
export interface TokenInfo {
  projectId: string;
  issuedAt: Date;
  expiresAt: Date;
  claims: JwtClaims;
}

/**
 * Issues and verifies project tokens: HS256 JWTs carrying the project id (`sub` and
 * `project_id`), an issue and an expiry time. The signing key is read once, lazily, from the
 * options or the database; on first start with neither, a random secret is stored with
 * `setSettingIfAbsent`, so that concurrent replicas agree on one.
 *
 * @example
 * const tokens = new ProjectTokens(storage, resolveTokenOptions());
 * const { token } = await tokens.issue(projectId);
 * await tokens.verify(token); // → { projectId, … }
 */
export class ProjectTokens {
  private key: Promise<Buffer> | undefined;

  constructor(
    private readonly store: SecretStore,
    private readonly options: ResolvedTokenOptions,
    private readonly now: () => number = Date.now,
  ) {}

  /**
   * A verifier for the server's `Authorization: Bearer` credentials: the token's project, or
   * `undefined` for anything that is not a valid token (API keys then get their turn).
   */
  readonly verifier: CredentialVerifier = async (credential) => {
    const info = await this.verify(credential);
    return info && { projectId: info.projectId };
  };

  /** Loads the signing key (creating the stored secret on first start). Safe to call repeatedly. */
  ready(): Promise<Buffer> {
    if (this.key === undefined) {
      this.key = this.loadKey();
      // A failed read (database down) is retried by the next request, not remembered.
      void this.key.catch(() => (this.key = undefined));
    }
    return this.key;
  }

  /** A new token for a project, valid for the configured lifetime. */
  async issue(projectId: string): Promise<IssuedToken> {
    const key = await this.ready();
    const issuedAt = Math.floor(this.now() / 1000);
    const expiresAt = issuedAt + this.options.lifetimeSeconds;
    const token = signJwt(
      {
        iss: ISSUER,
        sub: projectId,
        project_id: projectId,
        iat: issuedAt,
        exp: expiresAt,
        jti: randomBytes(12).toString("base64url"),
      },
      key,
    );
    return { token, projectId, expiresAt: new Date(expiresAt * 1000) };
  }

  /** The token's project and times, or `undefined` when it is not a valid, unexpired token of ours. */
  async verify(token: string): Promise<TokenInfo | undefined> {
    const result = await this.inspect(token);
    return "rejected" in result ? undefined : result;
  }

  /** Like {@link verify}, with the reason for a refusal. */
  async inspect(token: string): Promise<TokenInfo | { rejected: JwtRejection | "claims" }> {
    // Cheap shape check first: API keys and other bearer credentials never touch the key.
    if (typeof token !== "string" || token.split(".").length !== 3) return { rejected: "malformed" };
    const result = verifyJwt(token, await this.ready(), Math.floor(this.now() / 1000));
    if ("rejected" in result) return result;
    const { claims } = result;
    const projectId = claims.project_id;
    if (claims.iss !== ISSUER || typeof projectId !== "string" || projectId === "" || claims.sub !== projectId) {
      return { rejected: "claims" };
    }
    return {
      projectId,
      issuedAt: new Date(claims.iat * 1000),
      expiresAt: new Date(claims.exp * 1000),
      claims,
    };
  }

  private async loadKey(): Promise<Buffer> {
    const secret =
      this.options.secret ??
      (await this.store.setSettingIfAbsent(TOKEN_SECRET_SETTING, randomBytes(32).toString("base64url")));
    return Buffer.from(secret, "utf8");
  }
}
