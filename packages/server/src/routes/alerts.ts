import type { FastifyInstance } from "fastify";
import type { AlertEvaluator } from "../alerts/evaluator";
import { addAlertRule, readAlertRules, readDeliveries, removeAlertRule } from "../alerts/project-alerts";
import { AlertRuleError, publicRule } from "../alerts/rules";
import type { Authenticator } from "../auth/authenticate";
import { HttpError } from "../http-error";
import { useRestConventions } from "./rest-common";
import type { Storage } from "../storage/types";

/** What the alert routes need from the server. */
export interface AlertRoutesOptions {
  storage: Storage;
  authenticator: Authenticator;
  /** Told about a change, so this server applies it at once (other replicas within 5 s). */
  alerts: AlertEvaluator | undefined;
}

/**
 * The alert rules and deliveries of the key's project, for the dashboard: `GET /v2/alerts` (rules
 * without their secrets), `POST /v2/alerts` (the secret is answered once), `DELETE
 * /v2/alerts/:id`, `GET /v2/alerts/deliveries`. Same keys and error bodies as the other `/v2` routes.
 */
export async function alertRoutes(app: FastifyInstance, options: AlertRoutesOptions): Promise<void> {
  const { storage, authenticator, alerts } = options;

  useRestConventions(app, authenticator, (error) =>
    error instanceof AlertRuleError ? { status: 400, code: "bad_request" } : undefined,
  );

  app.get("/v2/alerts", async (request) => {
    const rules = await readAlertRules(storage, request.projectId);
    return { rules: rules.map(publicRule) };
  });

  app.post("/v2/alerts", async (request, reply) => {
    const body = request.body;
    if (body === null || typeof body !== "object" || Array.isArray(body)) {
      throw new HttpError(400, "bad_request", "the body must be a JSON object: { name, when, webhook_url, secret? }");
    }
    const fields = body as Record<string, unknown>;
    const rule = await addAlertRule(storage, request.projectId, {
      name: fields.name,
      when: fields.when,
      webhookUrl: fields.webhook_url,
      secret: fields.secret,
    });
    alerts?.invalidate(request.projectId);
    return reply.code(201).send({ rule: publicRule(rule), secret: rule.secret });
  });

  app.delete("/v2/alerts/:id", async (request, reply) => {
    const id = (request.params as { id?: string }).id ?? "";
    if (!(await removeAlertRule(storage, request.projectId, id))) {
      throw new HttpError(404, "not_found", "alert rule not found");
    }
    alerts?.invalidate(request.projectId);
    return reply.code(204).send();
  });

  app.get("/v2/alerts/deliveries", async (request) => {
    return { deliveries: await readDeliveries(storage, request.projectId) };
  });
}
