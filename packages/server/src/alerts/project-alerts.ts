import type { AlertDelivery, DeliveryAttempt } from "@agentops/span-model";
import type { Storage } from "../storage/types";
import { readListSetting, updateListSetting } from "./merged-setting";
import { AlertRuleError, makeAlertRule, type AlertRule, type AlertRuleInput } from "./rules";

export type { AlertDelivery, DeliveryAttempt };

/**
 * Where alerts live: in the store's settings, so that every store (and every replica on one
 * database) has them without a table of their own.
 *
 * - `alert-rules:<project>`: the project's rules, a JSON array;
 * - `alert-projects`: the projects that have (or had) rules, for the periodic sweep;
 * - `alert-fired:<rule>:<session>`: written once, atomically, by the replica that fires;
 * - `alert-deliveries:<project>`: the most recent deliveries and their attempts.
 */
export function rulesSetting(projectId: string): string {
  return `alert-rules:${projectId}`;
}
export const ALERT_PROJECTS_SETTING = "alert-projects";
export function firedSetting(ruleId: string, sessionId: string): string {
  return `alert-fired:${ruleId}:${sessionId}`;
}
export function deliveriesSetting(projectId: string): string {
  return `alert-deliveries:${projectId}`;
}

/** Deliveries kept per project, newest first. */
export const MAX_DELIVERIES = 100;
/** Rules a project may have: each is evaluated against every session it touches. */
export const MAX_RULES = 50;

/** A project's rules as stored; a setting that cannot be read counts as none. */
export function readAlertRules(storage: Pick<Storage, "getSetting">, projectId: string): Promise<AlertRule[]> {
  return readListSetting<AlertRule>(storage, rulesSetting(projectId));
}

/** Adds a rule to a project (checked first); returns it with its id and secret. */
export async function addAlertRule(
  storage: Pick<Storage, "getSetting" | "putSetting" | "getProject">,
  projectId: string,
  input: AlertRuleInput,
): Promise<AlertRule> {
  const rule = makeAlertRule(input);
  if (!(await storage.getProject(projectId))) throw new AlertRuleError(`no project ${projectId}`);
  const rules = await readAlertRules(storage, projectId);
  if (rules.length >= MAX_RULES) throw new AlertRuleError(`project ${projectId} has ${MAX_RULES} rules already`);
  rules.push(rule);
  await storage.putSetting(rulesSetting(projectId), JSON.stringify(rules));
  await updateListSetting<string>(storage, ALERT_PROJECTS_SETTING, {
    apply: (projects) => (projects.includes(projectId) ? projects : [...projects, projectId]),
    holds: (projects) => projects.includes(projectId),
  });
  return rule;
}

/** Removes a rule by id; false when the project has no such rule. */
export async function removeAlertRule(
  storage: Pick<Storage, "getSetting" | "putSetting">,
  projectId: string,
  ruleId: string,
): Promise<boolean> {
  const rules = await readAlertRules(storage, projectId);
  const kept = rules.filter((rule) => rule.id !== ruleId);
  if (kept.length === rules.length) return false;
  await storage.putSetting(rulesSetting(projectId), JSON.stringify(kept));
  return true;
}

/** The projects the sweep looks at. */
export async function alertProjects(storage: Pick<Storage, "getSetting">): Promise<string[]> {
  const projects = await readListSetting<unknown>(storage, ALERT_PROJECTS_SETTING);
  return projects.filter((project): project is string => typeof project === "string");
}

/** The project's recent deliveries, newest first. */
export function readDeliveries(storage: Pick<Storage, "getSetting">, projectId: string): Promise<AlertDelivery[]> {
  return readListSetting<AlertDelivery>(storage, deliveriesSetting(projectId));
}

const newestFirst = (a: AlertDelivery, b: AlertDelivery): number =>
  a.fired_at === b.fired_at ? (a.id < b.id ? 1 : -1) : a.fired_at < b.fired_at ? 1 : -1;

/** Records a delivery as it now stands (created, or after an attempt). */
export function recordDelivery(
  storage: Pick<Storage, "getSetting" | "putSetting">,
  projectId: string,
  delivery: AlertDelivery,
): Promise<boolean> {
  const snapshot: AlertDelivery = { ...delivery, attempts: [...delivery.attempts] };
  return updateListSetting<AlertDelivery>(storage, deliveriesSetting(projectId), {
    apply: (current) =>
      [...current.filter((entry) => entry.id !== snapshot.id), snapshot].sort(newestFirst).slice(0, MAX_DELIVERIES),
    holds: (stored) => {
      const found = stored.find((entry) => entry.id === snapshot.id);
      if (found) return found.status === snapshot.status && found.attempts.length >= snapshot.attempts.length;
      // Older than everything kept: there is nothing to record.
      return stored.length >= MAX_DELIVERIES && newestFirst(snapshot, stored[stored.length - 1]!) > 0;
    },
  });
}
