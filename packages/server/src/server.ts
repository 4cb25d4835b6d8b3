import { existsSync } from "node:fs";
import Fastify, { type FastifyInstance } from "fastify";
import { AlertEvaluator, AlertingIngest } from "./alerts/evaluator";
import { Authenticator } from "./auth/authenticate";
import { ApiKeyVerifier } from "./auth/keys";
import { ProjectTokens, resolveTokenOptions } from "./auth/project-tokens";
import { IngestQueue } from "./ingest/ingest-queue";
import { RedactingIngest } from "./redaction/redactor";
import { RateLimiter } from "./ingest/rate-limiter";
import { agentopsCompatRoutes } from "./routes/agentops-compat";
import { alertRoutes } from "./routes/alerts";
import { createDashboardHandler, findDashboardDir } from "./routes/dashboard";
import { otlpTracesRoutes } from "./routes/otlp-traces";
import { sessionRoutes } from "./routes/sessions";
import { spoolHealthJson } from "./storage/health";
import type { ServerOptions } from "./types";

declare module "fastify" {
  interface FastifyRequest {
    /** The authenticated project (empty on routes without auth). */
    projectId: string;
    /** Spans accepted and rejected by an OTLP request, for the request log line. */
    spanCounts: { accepted: number; rejected: number } | null;
  }
}

/** 8 MiB: a 2,048-span OTLP/JSON batch with content fits; fastify's 1 MiB default does not. */
export const DEFAULT_BODY_LIMIT_BYTES = 8 * 1024 * 1024;
const DEFAULT_MAX_CONCURRENT_INGEST_REQUESTS = 32;

/**
 * Creates the agentops server: the OTLP/HTTP trace receiver (`POST /v1/traces`), the REST API
 * (`/v2/...`), `GET /healthz` and, when a dashboard build is found, the dashboard at `/`.
 * Returns the fastify instance, not yet listening; closing it does not close the store.
 *
 * @example
 * const storage = await openStorage("sqlite:./.agentops/agentops.db");
 * const server = createServer({ storage });
 * await server.listen({ port: 4318, host: "127.0.0.1" });
 */
export function createServer(options: ServerOptions): FastifyInstance {
  const now = options.now ?? Date.now;
  const bodyLimitBytes = options.bodyLimitBytes ?? DEFAULT_BODY_LIMIT_BYTES;
  const logger = options.logger ?? false;
  const app = Fastify({
    ...(typeof logger === "boolean" ? { logger } : { loggerInstance: logger }),
    // One line per request, written below; fastify's own two lines are switched off.
    disableRequestLogging: true,
    bodyLimit: bodyLimitBytes,
    return503OnClosing: true,
  }) as unknown as FastifyInstance;

  app.decorateRequest("projectId", "");
  app.decorateRequest("spanCounts", null);

  const apiKeys = new ApiKeyVerifier(options.storage, options.keyCache);
  // Throws on a weak secret or a bad lifetime: better not to start than to hand out such tokens.
  const tokens = new ProjectTokens(options.storage, resolveTokenOptions(options.tokens), now);
  const authenticator = new Authenticator(apiKeys, [tokens.verifier, ...(options.bearerVerifiers ?? [])]);
  // Each project's redaction rules apply before anything is stored; its alert rules are
  // evaluated once a batch is committed, outside the request.
  const alerts =
    options.alerts === false ? undefined : new AlertEvaluator(options.storage, app.log, now, options.alerts);
  const redacting = new RedactingIngest(options.storage, now);
  const queue = new IngestQueue(alerts ? new AlertingIngest(redacting, alerts) : redacting, {
    ...options.storage.ingestBatching,
    ...options.ingestQueue,
  });
  const rateLimiter = options.rateLimit === false ? undefined : new RateLimiter(options.rateLimit, now);

  app.addHook("onSend", async (_request, reply, payload) => {
    void reply.header("x-content-type-options", "nosniff");
    return payload;
  });
  app.addHook("onResponse", async (request, reply) => {
    // Method, route, status, timing and counts only: never headers (keys) or bodies (prompts).
    request.log.info(
      {
        method: request.method,
        url: request.url.split("?")[0],
        status: reply.statusCode,
        duration_ms: Math.round(reply.elapsedTime * 100) / 100,
        ...(request.projectId ? { project_id: request.projectId } : {}),
        ...(request.spanCounts ? { spans_accepted: request.spanCounts.accepted, spans_rejected: request.spanCounts.rejected } : {}),
      },
      "request",
    );
  });

  // Background failures of the store (a spool's inserts) go to the same log as the requests.
  if (options.logger) options.storage.setLogger?.(app.log);
  // 200 while the server takes traffic; a spool also shows what waits for ClickHouse, so an
  // operator sees a ClickHouse that refuses inserts before the spool fills and ingest answers 503.
  app.get("/healthz", async () => {
    const spool = options.storage.health?.()?.spool;
    if (spool === undefined) return { status: "ok" };
    return { status: "ok", spool: spoolHealthJson(spool) };
  });
  // Read (or create) the token signing secret before the first request needs it.
  app.addHook("onReady", async () => {
    await tokens.ready();
    alerts?.start();
  });
  app.addHook("onClose", async () => {
    await alerts?.close();
  });

  void app.register(otlpTracesRoutes, {
    authenticator,
    queue,
    rateLimiter,
    bodyLimitBytes,
    maxConcurrentRequests: options.maxConcurrentIngestRequests ?? DEFAULT_MAX_CONCURRENT_INGEST_REQUESTS,
  });
  void app.register(sessionRoutes, { storage: options.storage, authenticator, now });
  void app.register(alertRoutes, { storage: options.storage, authenticator, alerts });
  void app.register(agentopsCompatRoutes, { apiKeys, tokens });

  const dashboardDir =
    options.dashboardDir === false ? undefined : (options.dashboardDir ?? findDashboardDir());
  const dashboard = dashboardDir && existsSync(dashboardDir) ? createDashboardHandler(dashboardDir) : undefined;
  app.setNotFoundHandler(async (request, reply) => {
    const pathname = request.url.split("?")[0]!;
    const isApi = /^\/v[123]\//.test(pathname) || pathname === "/healthz";
    if (dashboard && !isApi && (request.method === "GET" || request.method === "HEAD")) {
      return dashboard(request, reply);
    }
    return reply.code(404).send({ error: "not_found", message: `no route for ${request.method} ${pathname}` });
  });

  return app;
}
