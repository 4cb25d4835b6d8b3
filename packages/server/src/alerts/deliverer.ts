import type { SessionStats, Storage } from "../storage/types";
import { recordDelivery, type AlertDelivery } from "./project-alerts";
import type { AlertRule } from "./rules";
import { sendWebhook, type WebhookPolicy } from "./webhook";

/** Where the alerts write what they do (the server's logger). */
export interface AlertLog {
  info(object: Record<string, unknown>, message: string): void;
  warn(object: Record<string, unknown>, message: string): void;
  error(object: Record<string, unknown>, message: string): void;
}

/** The JSON body a webhook receives. */
export interface AlertPayload {
  delivery_id: string;
  rule: Pick<AlertRule, "id" | "name" | "when" | "condition">;
  project_id: string;
  session_id: string;
  /** What the session showed against the condition: USD, errors, the end state, or ms. */
  observed: number | string;
  /** As `GET /v2/sessions/:id/stats` answered when the rule matched. */
  stats: SessionStats;
  fired_at: string;
  /** The session in the dashboard, relative to the server's origin. */
  link: string;
}

/** One fired alert waiting to be delivered. */
export interface FiredAlert {
  deliveryId: string;
  projectId: string;
  rule: AlertRule;
  stats: SessionStats;
  observed: number | string;
  firedAtMs: number;
}

/** Deliveries sent at once; more wait their turn. */
const MAX_ACTIVE = 16;
/** Deliveries waiting at most; past it, a fired alert is recorded as failed at once. */
const MAX_WAITING = 1_000;

/**
 * Sends fired alerts to their webhooks, a bounded number at once, and records every attempt in
 * the project's delivery list. Nothing here throws: a failure is a failed delivery and a log line.
 */
export class AlertDeliverer {
  private readonly waiting: FiredAlert[] = [];
  private readonly active = new Set<Promise<void>>();
  private readonly abort = new AbortController();

  constructor(
    private readonly storage: Pick<Storage, "getSetting" | "putSetting">,
    private readonly policy: WebhookPolicy,
    private readonly log: AlertLog,
  ) {}

  /** Queues a fired alert; it is recorded as pending when its turn comes. */
  enqueue(alert: FiredAlert): void {
    if (this.abort.signal.aborted) {
      this.active.add(this.unsent(alert, "the server stopped before it was sent"));
    } else if (this.waiting.length >= MAX_WAITING) {
      this.log.error({ project_id: alert.projectId, rule_id: alert.rule.id, session_id: alert.stats.session_id }, "alert dropped: too many deliveries waiting");
      void this.unsent(alert, "too many deliveries waiting");
    } else {
      this.waiting.push(alert);
      this.pump();
    }
  }

  /**
   * Stops: waits end at once, answers still missing count as failed, alerts not sent yet are
   * recorded as failed; resolves when all is recorded.
   */
  async close(): Promise<void> {
    this.abort.abort();
    for (const alert of this.waiting.splice(0)) this.active.add(this.unsent(alert, "the server stopped before it was sent"));
    await Promise.allSettled([...this.active]);
  }

  /** Records a fired alert that is not sent at all: failed, with one entry (attempt 0) saying why. */
  private unsent(alert: FiredAlert, reason: string): Promise<void> {
    const delivery = this.deliveryOf(alert);
    delivery.status = "failed";
    delivery.attempts.push({ attempt: 0, at: new Date().toISOString(), status: null, error: reason, duration_ms: 0 });
    return this.record(alert.projectId, delivery);
  }

  private pump(): void {
    while (this.active.size < MAX_ACTIVE && this.waiting.length > 0) {
      const alert = this.waiting.shift()!;
      const run = this.deliver(alert).catch((error: unknown) => {
        this.log.error({ err: error, project_id: alert.projectId, rule_id: alert.rule.id }, "alert delivery failed");
      });
      this.active.add(run);
      void run.finally(() => {
        this.active.delete(run);
        this.pump();
      });
    }
  }

  private deliveryOf(alert: FiredAlert): AlertDelivery {
    return {
      id: alert.deliveryId,
      rule_id: alert.rule.id,
      rule_name: alert.rule.name,
      when: alert.rule.when,
      session_id: alert.stats.session_id,
      webhook_url: alert.rule.webhookUrl,
      fired_at: new Date(alert.firedAtMs).toISOString(),
      status: "pending",
      attempts: [],
    };
  }

  private async deliver(alert: FiredAlert): Promise<void> {
    const delivery = this.deliveryOf(alert);
    await this.record(alert.projectId, delivery);
    const payload: AlertPayload = {
      delivery_id: alert.deliveryId,
      rule: { id: alert.rule.id, name: alert.rule.name, when: alert.rule.when, condition: alert.rule.condition },
      project_id: alert.projectId,
      session_id: alert.stats.session_id,
      observed: alert.observed,
      stats: alert.stats,
      fired_at: delivery.fired_at,
      link: `/#/sessions/${alert.stats.session_id}`,
    };
    const context = { project_id: alert.projectId, rule_id: alert.rule.id, session_id: delivery.session_id, delivery_id: delivery.id };
    await sendWebhook(
      { url: alert.rule.webhookUrl, secret: alert.rule.secret, deliveryId: alert.deliveryId, body: JSON.stringify(payload), firedAtMs: alert.firedAtMs },
      this.policy,
      this.abort.signal,
      async (attempt, outcome) => {
        delivery.attempts.push(attempt);
        if (outcome !== "retry") delivery.status = outcome;
        const fields = { ...context, attempt: attempt.attempt, status: attempt.status, error: attempt.error };
        if (outcome === "delivered") this.log.info(fields, "alert delivered");
        else this.log.warn(fields, outcome === "retry" ? "alert delivery attempt failed; retrying" : "alert delivery failed");
        await this.record(alert.projectId, delivery);
      },
    );
  }

  private async record(projectId: string, delivery: AlertDelivery): Promise<void> {
    try {
      if (!(await recordDelivery(this.storage, projectId, delivery))) {
        this.log.warn({ project_id: projectId, delivery_id: delivery.id }, "alert delivery not seen in the delivery list after writing it");
      }
    } catch (error) {
      this.log.error({ err: error, project_id: projectId, delivery_id: delivery.id }, "alert delivery could not be recorded");
    }
  }
}
