import type { ApiClient } from "./client";

/**
 * The alert shapes of `/v2/alerts` as the server answers them (rules never carry their secret;
 * the secret comes once, in the answer to the `POST` that made the rule).
 */
export type AlertCondition =
  | { type: "cost_over"; usd: number }
  | { type: "errors_over"; count: number }
  | { type: "end_state"; state: "Failure" | "Indeterminate" }
  | { type: "duration_over"; ms: number };

export interface AlertRule {
  id: string;
  name: string;
  when: string;
  condition: AlertCondition;
  webhook_url: string;
  created_at: string;
}

export interface DeliveryAttempt {
  attempt: number;
  at: string;
  status: number | null;
  error: string | null;
  duration_ms: number;
}

export interface AlertDelivery {
  id: string;
  rule_id: string;
  rule_name: string;
  when: string;
  session_id: string;
  webhook_url: string;
  fired_at: string;
  status: "pending" | "delivered" | "failed";
  attempts: DeliveryAttempt[];
}

export interface NewAlertRule {
  name: string;
  when: string;
  webhook_url: string;
  secret?: string;
}

export function listAlertRules(api: ApiClient, signal?: AbortSignal): Promise<{ rules: AlertRule[] }> {
  return api.getJson("/v2/alerts", signal);
}

export async function addAlertRule(api: ApiClient, rule: NewAlertRule): Promise<{ rule: AlertRule; secret: string }> {
  const added = await api.send<{ rule: AlertRule; secret: string }>("POST", "/v2/alerts", rule);
  if (!added) throw new Error("The server answered without the new rule.");
  return added;
}

export async function removeAlertRule(api: ApiClient, id: string): Promise<void> {
  await api.send("DELETE", `/v2/alerts/${encodeURIComponent(id)}`);
}

export function listDeliveries(api: ApiClient, signal?: AbortSignal): Promise<{ deliveries: AlertDelivery[] }> {
  return api.getJson("/v2/alerts/deliveries", signal);
}
