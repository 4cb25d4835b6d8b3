import { traceIdToUuid } from "@agentops/semconv";
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { credentialOf } from "../auth/authenticate";
import type { ApiKeyVerifier } from "../auth/keys";
import type { IssuedToken, ProjectTokens } from "../auth/project-tokens";
import { HttpError } from "../http-error";
import type { ErrorResponse, TokenResponse, TokenVerifyResponse } from "@agentops/span-model";

/** What the routes for AgentOps' SDKs need from the server. */
export interface AgentOpsCompatRoutesOptions {
  apiKeys: ApiKeyVerifier;
  tokens: ProjectTokens;
}

/**
 * Self-hosted servers have no plans; AgentOps' SDKs print a "free plan" notice for any other
 * value, so the server reports the one that keeps them quiet.
 */
const PREMIUM_STATUS = "pro";
/** An API key in a JSON object: a few hundred bytes at most. */
const BODY_LIMIT_BYTES = 16 * 1024;
const TRACE_ID = /^[0-9a-fA-F]{32}$/;

/**
 * The endpoints AgentOps' official SDKs call besides OTLP. The token exchange of the SDKs (Python `agentops` 0.4+, npm `agentops` 0.1):
 * `POST /v3/auth/token` with `{ "api_key": "…" }` (or `GET` with the key in
 * `X-Agentops-Api-Key`) answers a signed, expiring token that `POST /v1/traces` and the REST API
 * accept as `Authorization: Bearer <token>`. `GET` with only a token describes it.
 *
 * Also `GET /sessions?trace_id=<32 hex>`, the link those SDKs print, redirects to the session in
 * the dashboard.
 */
export async function agentopsCompatRoutes(
  app: FastifyInstance,
  options: AgentOpsCompatRoutesOptions,
): Promise<void> {
  const { apiKeys, tokens } = options;

  app.setErrorHandler((error: Error & { statusCode?: number }, request, reply) => {
    let status = 500;
    let code = "internal_error";
    let message = "internal error";
    if (error instanceof HttpError) {
      status = error.statusCode;
      code = error.code;
      message = error.message;
    } else if (
      typeof error.statusCode === "number" &&
      error.statusCode >= 400 &&
      error.statusCode < 500
    ) {
      // fastify's own request errors: malformed JSON, unsupported media type, body too large.
      status = error.statusCode;
      code =
        status === 413
          ? "payload_too_large"
          : status === 415
            ? "unsupported_media_type"
            : "bad_request";
      message = error.message;
    } else {
      request.log.error({ err: error }, "token request failed");
    }
    const body: ErrorResponse = { error: code, message };
    return reply.code(status).send(body);
  });

  async function exchange(request: FastifyRequest, apiKey: string): Promise<TokenResponse> {
    const projectId = await apiKeys.verify(apiKey);
    if (projectId === undefined) throw new HttpError(401, "unauthorized", "unknown API key");
    request.projectId = projectId;
    return tokenResponse(await tokens.issue(projectId));
  }

  app.post("/v3/auth/token", { bodyLimit: BODY_LIMIT_BYTES }, async (request) => {
    const body = request.body;
    if (typeof body !== "object" || body === null || Array.isArray(body)) {
      throw new HttpError(400, "bad_request", 'the body must be a JSON object { "api_key": "…" }');
    }
    const apiKey = (body as Record<string, unknown>).api_key;
    if (typeof apiKey !== "string" || apiKey.trim() === "") {
      throw new HttpError(400, "bad_request", "api_key must be a non-empty string");
    }
    return exchange(request, apiKey.trim());
  });

  app.get("/v3/auth/token", async (request): Promise<TokenResponse | TokenVerifyResponse> => {
    const found = credentialOf(request.headers);
    if (!found) throw new HttpError(401, "unauthorized", "send the API key in X-Agentops-Api-Key");
    if (found.source === "bearer") {
      const info = await tokens.verify(found.credential);
      if (info) {
        request.projectId = info.projectId;
        return {
          message: "the token is valid",
          project_id: info.projectId,
          expires_at: info.expiresAt.toISOString(),
          payload: info.claims,
        };
      }
    }
    return exchange(request, found.credential);
  });

  app.get("/sessions", async (request, reply: FastifyReply) => {
    const traceId = (request.query as Record<string, unknown>).trace_id;
    if (typeof traceId !== "string" || !TRACE_ID.test(traceId) || /^0+$/.test(traceId)) {
      return reply.redirect("/#/sessions", 302);
    }
    return reply.redirect(`/#/sessions/${traceIdToUuid(traceId.toLowerCase())}`, 302);
  });
}

function tokenResponse(issued: IssuedToken): TokenResponse {
  return {
    token: issued.token,
    project_id: issued.projectId,
    project_prem_status: PREMIUM_STATUS,
    expires_at: issued.expiresAt.toISOString(),
  };
}
