import type { Storage } from "../storage/types";
import { addAlertRule, readAlertRules, readDeliveries, removeAlertRule, type AlertDelivery } from "./project-alerts";
import { AlertRuleError, publicRule, type PublicAlertRule } from "./rules";

/** The options of `agentops-server alerts …`. */
export interface AlertsCommandOptions {
  name?: string;
  when?: string;
  webhook?: string;
  secret?: string;
  json: boolean;
}

function describeRule(rule: PublicAlertRule): string {
  return `${rule.id}  ${JSON.stringify(rule.name)}  when ${rule.when}  -> ${rule.webhook_url}`;
}

function describeDelivery(delivery: AlertDelivery): string {
  const last = delivery.attempts[delivery.attempts.length - 1];
  const outcome = last ? (last.status !== null ? `HTTP ${last.status}` : (last.error ?? "")) : "";
  return `${delivery.fired_at}  ${delivery.status.padEnd(9)} ${delivery.attempts.length} attempt(s) ${outcome}  rule ${delivery.rule_id} (${delivery.when})  session ${delivery.session_id}`;
}

/**
 * `alerts list PROJECT_ID`, `alerts add PROJECT_ID --name NAME --when CONDITION --webhook URL
 * [--secret S]`, `alerts remove PROJECT_ID RULE_ID`, `alerts deliveries PROJECT_ID`. Returns the
 * exit status; a bad rule throws an {@link AlertRuleError} (exit 2).
 */
export async function alertsCommand(
  storage: Storage,
  action: string,
  args: string[],
  options: AlertsCommandOptions,
  print: (line: string) => void,
): Promise<number> {
  const [projectId, ruleId] = args;
  if (projectId === undefined) throw new AlertRuleError("a project id is required");
  if (action === "list" && args.length === 1) {
    const rules = (await readAlertRules(storage, projectId)).map(publicRule);
    if (options.json) print(JSON.stringify({ project_id: projectId, rules }));
    else if (rules.length === 0) print(`Project ${projectId} has no alert rules.`);
    else for (const rule of rules) print(describeRule(rule));
    return 0;
  }
  if (action === "add" && args.length === 1) {
    for (const [flag, value] of [["--name NAME", options.name], ["--when CONDITION", options.when], ["--webhook URL", options.webhook]] as const) {
      if (value === undefined) throw new AlertRuleError(`alerts add needs ${flag}`);
    }
    const rule = await addAlertRule(storage, projectId, {
      name: options.name,
      when: options.when,
      webhookUrl: options.webhook,
      secret: options.secret,
    });
    if (options.json) {
      print(JSON.stringify({ rule: publicRule(rule), secret: rule.secret }));
    } else {
      print(`Added ${describeRule(publicRule(rule))}`);
      print(`Webhook secret (shown once, store it now): ${rule.secret}`);
    }
    return 0;
  }
  if (action === "remove" && ruleId !== undefined && args.length === 2) {
    if (!(await removeAlertRule(storage, projectId, ruleId))) {
      throw new AlertRuleError(`project ${projectId} has no alert rule ${ruleId}`);
    }
    print(`Removed alert rule ${ruleId}.`);
    return 0;
  }
  if (action === "deliveries" && args.length === 1) {
    const deliveries = await readDeliveries(storage, projectId);
    if (options.json) print(JSON.stringify({ project_id: projectId, deliveries }));
    else if (deliveries.length === 0) print(`Project ${projectId} has no alert deliveries.`);
    else for (const delivery of deliveries) print(describeDelivery(delivery));
    return 0;
  }
  throw new AlertRuleError(`unknown alerts command: ${[action, ...args].join(" ")}`);
}
