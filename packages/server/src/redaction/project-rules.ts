import type { Storage } from "../storage/types";
import { makeRule, RedactionRuleError, type RedactionRule, type RuleInput } from "./rules";

/** The setting that holds a project's rules (a JSON array). */
export function rulesSetting(projectId: string): string {
  return `redaction-rules:${projectId}`;
}

/** A project's rules as stored; a setting that cannot be read counts as none, never as a crash. */
export async function readRules(
  storage: Pick<Storage, "getSetting">,
  projectId: string,
): Promise<RedactionRule[]> {
  const raw = await storage.getSetting(rulesSetting(projectId));
  if (raw === undefined) return [];
  try {
    const parsed: unknown = JSON.parse(raw);
    return Array.isArray(parsed) ? (parsed as RedactionRule[]) : [];
  } catch {
    return [];
  }
}

/** Adds a rule to a project (checked first); returns it with its id. */
export async function addRule(
  storage: Pick<Storage, "getSetting" | "putSetting" | "getProject">,
  projectId: string,
  input: RuleInput,
): Promise<RedactionRule> {
  if (!(await storage.getProject(projectId)))
    throw new RedactionRuleError(`no project ${projectId}`);
  const rule = makeRule(input);
  const rules = await readRules(storage, projectId);
  rules.push(rule);
  await storage.putSetting(rulesSetting(projectId), JSON.stringify(rules));
  return rule;
}

/** Removes a rule by id; false when the project has no such rule. */
export async function removeRule(
  storage: Pick<Storage, "getSetting" | "putSetting">,
  projectId: string,
  ruleId: string,
): Promise<boolean> {
  const rules = await readRules(storage, projectId);
  const kept = rules.filter((rule) => rule.id !== ruleId);
  if (kept.length === rules.length) return false;
  await storage.putSetting(rulesSetting(projectId), JSON.stringify(kept));
  return true;
}
