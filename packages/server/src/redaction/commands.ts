import type { Storage } from "../storage/types";
import { addRule, readRules, removeRule } from "./project-rules";
import { RedactionRuleError, type RedactionRule, type RuleInput } from "./rules";

/** The options of `agentops-server redact …`. */
export interface RedactOptions {
  builtin?: string;
  pattern?: string;
  flags?: string;
  replacement?: string;
  json: boolean;
}

function describe(rule: RedactionRule): string {
  return "builtin" in rule
    ? `${rule.id}  built-in ${rule.builtin}`
    : `${rule.id}  /${rule.pattern}/${rule.flags}  -> ${JSON.stringify(rule.replacement)}`;
}

/**
 * `redact list PROJECT_ID`, `redact add PROJECT_ID (--builtin NAME | --pattern REGEX [--flags]
 * [--replacement])`, `redact remove PROJECT_ID RULE_ID`. Returns the exit status; a bad rule
 * throws a {@link RedactionRuleError} (exit 2).
 */
export async function redactCommand(
  storage: Storage,
  action: string,
  args: string[],
  options: RedactOptions,
  print: (line: string) => void,
): Promise<number> {
  const [projectId, ruleId] = args;
  if (projectId === undefined) throw new RedactionRuleError("a project id is required");
  if (action === "list" && args.length === 1) {
    const rules = await readRules(storage, projectId);
    if (options.json) print(JSON.stringify({ project_id: projectId, rules }));
    else if (rules.length === 0) print(`Project ${projectId} has no redaction rules.`);
    else for (const rule of rules) print(describe(rule));
    return 0;
  }
  if (action === "add" && args.length === 1) {
    if ((options.builtin === undefined) === (options.pattern === undefined)) {
      throw new RedactionRuleError("give either --builtin NAME or --pattern REGEX");
    }
    const input: RuleInput =
      options.builtin !== undefined
        ? { builtin: options.builtin }
        : { pattern: options.pattern!, flags: options.flags, replacement: options.replacement };
    const rule = await addRule(storage, projectId, input);
    print(options.json ? JSON.stringify(rule) : `Added ${describe(rule)}`);
    return 0;
  }
  if (action === "remove" && ruleId !== undefined && args.length === 2) {
    if (!(await removeRule(storage, projectId, ruleId)))
      throw new RedactionRuleError(`project ${projectId} has no rule ${ruleId}`);
    print(`Removed rule ${ruleId}.`);
    return 0;
  }
  throw new RedactionRuleError(`unknown redact command: ${[action, ...args].join(" ")}`);
}
