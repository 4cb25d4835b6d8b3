import { randomBytes } from "node:crypto";
import type { AlertCondition, PublicAlertRule } from "@agentops/span-model";
import type { SessionStats } from "../storage/types";

export type { AlertCondition, PublicAlertRule };

/** An alert rule of a project, as stored (with its webhook secret). */
export interface AlertRule {
  id: string;
  name: string;
  /** The condition as written: `cost_over:0.5`, `errors_over:3`, `end_state:Failure`, `duration_over:10m`. */
  when: string;
  condition: AlertCondition;
  webhookUrl: string;
  /** Key of the HMAC-SHA256 signature of every delivery; never shown after the rule is added. */
  secret: string;
  createdAt: string;
}


/** A rule given to `addAlertRule` (its id, and its secret when none is given, are made there). */
export interface AlertRuleInput {
  name: unknown;
  when: unknown;
  webhookUrl: unknown;
  secret?: unknown;
}

/** A rule that cannot be used: a clear message for the CLI (exit 2) or a 400. */
export class AlertRuleError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "AlertRuleError";
  }
}

const MAX_NAME_LENGTH = 200;
const MAX_URL_LENGTH = 2_000;
const MIN_SECRET_LENGTH = 16;
const MAX_SECRET_LENGTH = 256;
const END_STATES = ["Failure", "Indeterminate"] as const;
const DURATION_UNITS: Record<string, number> = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000 };
const WHEN_FORMS = "cost_over:USD, errors_over:N, end_state:Failure, end_state:Indeterminate or duration_over:DURATION (e.g. 90s, 10m, 2h)";

/** Reads `cost_over:0.50`, `errors_over:3`, `end_state:Failure`, `duration_over:10m`. */
export function parseCondition(when: string): AlertCondition {
  const at = when.indexOf(":");
  const type = at < 0 ? when : when.slice(0, at);
  const value = at < 0 ? "" : when.slice(at + 1).trim();
  switch (type.trim()) {
    case "cost_over": {
      const usd = /^\d+(\.\d+)?$/.test(value) ? Number(value) : NaN;
      if (!Number.isFinite(usd)) throw new AlertRuleError(`cost_over needs an amount in USD, e.g. cost_over:0.50 (got "${value}")`);
      return { type: "cost_over", usd };
    }
    case "errors_over": {
      if (!/^\d{1,9}$/.test(value)) throw new AlertRuleError(`errors_over needs a whole number, e.g. errors_over:3 (got "${value}")`);
      return { type: "errors_over", count: Number(value) };
    }
    case "end_state": {
      const state = END_STATES.find((name) => name === value);
      if (!state) throw new AlertRuleError(`end_state must be Failure or Indeterminate (got "${value}")`);
      return { type: "end_state", state };
    }
    case "duration_over": {
      const match = /^(\d+(?:\.\d+)?)(ms|s|m|h)$/.exec(value);
      const ms = match ? Math.round(Number(match[1]) * DURATION_UNITS[match[2]!]!) : NaN;
      if (!(ms > 0)) throw new AlertRuleError(`duration_over needs a duration with a unit (ms, s, m, h), e.g. duration_over:10m (got "${value}")`);
      return { type: "duration_over", ms };
    }
    default:
      throw new AlertRuleError(`unknown condition "${when}": use ${WHEN_FORMS}`);
  }
}

/** A webhook URL: http(s) only, so a rule can never make the server read a file or another scheme. */
export function checkWebhookUrl(value: unknown): string {
  if (typeof value !== "string" || value.trim() === "") throw new AlertRuleError("a webhook URL is required");
  if (value.length > MAX_URL_LENGTH) throw new AlertRuleError(`the webhook URL is longer than ${MAX_URL_LENGTH} characters`);
  let url: URL;
  try {
    url = new URL(value.trim());
  } catch {
    throw new AlertRuleError(`the webhook URL "${value}" is not a valid URL`);
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    throw new AlertRuleError(`the webhook URL must be http or https (got ${url.protocol.replace(/:$/, "")})`);
  }
  return url.href;
}

/** Checks a rule, gives it an id and, when none is given, a secret; throws an {@link AlertRuleError}. */
export function makeAlertRule(input: AlertRuleInput, now: number = Date.now()): AlertRule {
  const { name, when, secret } = input;
  if (typeof name !== "string" || name.trim() === "") throw new AlertRuleError("the rule needs a name");
  if (name.length > MAX_NAME_LENGTH) throw new AlertRuleError(`the name is longer than ${MAX_NAME_LENGTH} characters`);
  if (typeof when !== "string" || when.trim() === "") throw new AlertRuleError(`the rule needs a condition: ${WHEN_FORMS}`);
  const condition = parseCondition(when.trim());
  const webhookUrl = checkWebhookUrl(input.webhookUrl);
  if (secret !== undefined && secret !== null) {
    if (typeof secret !== "string" || secret.length < MIN_SECRET_LENGTH || secret.length > MAX_SECRET_LENGTH) {
      throw new AlertRuleError(`the secret must be ${MIN_SECRET_LENGTH} to ${MAX_SECRET_LENGTH} characters`);
    }
  }
  return {
    id: randomBytes(6).toString("hex"),
    name: name.trim(),
    when: when.trim(),
    condition,
    webhookUrl,
    secret: typeof secret === "string" ? secret : `whsec_${randomBytes(24).toString("base64url")}`,
    createdAt: new Date(now).toISOString(),
  };
}

export function publicRule(rule: AlertRule): PublicAlertRule {
  return {
    id: rule.id,
    name: rule.name,
    when: rule.when,
    condition: rule.condition,
    webhook_url: rule.webhookUrl,
    created_at: rule.createdAt,
  };
}

/**
 * What the session shows against the condition when it matches (cost in USD, errors, the end
 * state, the duration in ms), else `undefined`. A running session has lasted at least from its
 * first span until now, so its duration is that, not only up to the last span seen.
 */
export function matchCondition(condition: AlertCondition, stats: SessionStats, now: number): number | string | undefined {
  switch (condition.type) {
    case "cost_over": {
      const cost = Number(stats.cost);
      return cost > condition.usd ? cost : undefined;
    }
    case "errors_over":
      return stats.errors > condition.count ? stats.errors : undefined;
    case "end_state":
      return stats.end_state === condition.state ? stats.end_state : undefined;
    case "duration_over": {
      const started = stats.start_timestamp === null ? NaN : Date.parse(stats.start_timestamp);
      const duration =
        stats.end_state === null && Number.isFinite(started) ? Math.max(stats.duration_ms, now - started) : stats.duration_ms;
      return duration > condition.ms ? duration : undefined;
    }
  }
}
