import type { IncomingHttpHeaders } from "node:http";
import type { ApiKeyVerifier } from "./keys";

/** Where a credential came from. */
export type CredentialSource = "api-key" | "bearer";

/** Who a request acts for. */
export interface Principal {
  projectId: string;
}

/**
 * Turns a credential into a principal, or `undefined` when it does not recognise it. The server
 * tries its `bearerVerifiers` option (e.g. signed short-lived tokens) for `Authorization: Bearer`
 * credentials before falling back to API keys.
 */
export type CredentialVerifier = (credential: string, source: CredentialSource) => Promise<Principal | undefined>;

const BEARER_PATTERN = /^Bearer\s+(\S+)\s*$/i;

/** The credential of a request: `X-Agentops-Api-Key` first, then `Authorization: Bearer`. */
export function credentialOf(headers: IncomingHttpHeaders): { credential: string; source: CredentialSource } | undefined {
  const apiKey = headers["x-agentops-api-key"];
  if (typeof apiKey === "string" && apiKey.trim() !== "") return { credential: apiKey.trim(), source: "api-key" };
  const authorization = headers.authorization;
  if (typeof authorization === "string") {
    const match = BEARER_PATTERN.exec(authorization);
    if (match) return { credential: match[1]!, source: "bearer" };
  }
  return undefined;
}

/** Resolves a request's credential with the configured verifiers. */
export class Authenticator {
  constructor(
    private readonly apiKeys: ApiKeyVerifier,
    private readonly bearerVerifiers: readonly CredentialVerifier[] = [],
  ) {}

  /** The request's principal; `undefined` when the credential is missing or unknown. */
  async authenticate(headers: IncomingHttpHeaders): Promise<Principal | undefined> {
    const found = credentialOf(headers);
    if (!found) return undefined;
    if (found.source === "bearer") {
      for (const verify of this.bearerVerifiers) {
        const principal = await verify(found.credential, found.source);
        if (principal) return principal;
      }
    }
    const projectId = await this.apiKeys.verify(found.credential);
    return projectId === undefined ? undefined : { projectId };
  }
}
