import type { AlertDelivery, PublicAlertRule as AlertRule } from "@agentops/span-model";
import type { ApiClient } from "./client";

/** The alert shapes of `/v2/alerts` (rules never carry their secret; it comes once, in the answer to the `POST` that made the rule). */
export type { AlertCondition, DeliveryAttempt } from "@agentops/span-model";
export type { AlertDelivery, AlertRule };

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
