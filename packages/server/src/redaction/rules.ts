import { randomBytes } from "node:crypto";

/** The built-in rules, by name. */
export const BUILTIN_RULES = ["emails", "api-keys", "cards"] as const;
export type BuiltinRule = (typeof BUILTIN_RULES)[number];

/** A redaction rule of a project, as stored. */
export type RedactionRule =
  | { id: string; builtin: BuiltinRule }
  | { id: string; pattern: string; flags: string; replacement: string };

/** A rule given to `addRule` (its id is made there). */
export type RuleInput =
  | { builtin: string }
  | { pattern: string; flags?: string; replacement?: string };

/** A rule that cannot be used: a clear message for the CLI (exit 2) or a 400. */
export class RedactionRuleError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "RedactionRuleError";
  }
}

const MAX_PATTERN_LENGTH = 1_000;
const MAX_REPLACEMENT_LENGTH = 200;
const ALLOWED_FLAGS = /^[imsu]*$/;
export const DEFAULT_REPLACEMENT = "[redacted]";

/** Checks a rule and gives it an id; throws a {@link RedactionRuleError} with the reason. */
export function makeRule(input: RuleInput): RedactionRule {
  const id = randomBytes(6).toString("hex");
  if ("builtin" in input) {
    if (!(BUILTIN_RULES as readonly string[]).includes(input.builtin)) {
      throw new RedactionRuleError(
        `unknown built-in rule "${input.builtin}": use one of ${BUILTIN_RULES.join(", ")}`,
      );
    }
    return { id, builtin: input.builtin as BuiltinRule };
  }
  const { pattern } = input;
  if (typeof pattern !== "string" || pattern === "")
    throw new RedactionRuleError("the pattern must not be empty");
  if (pattern.length > MAX_PATTERN_LENGTH)
    throw new RedactionRuleError(`the pattern is longer than ${MAX_PATTERN_LENGTH} characters`);
  const flags = input.flags ?? "";
  if (!ALLOWED_FLAGS.test(flags))
    throw new RedactionRuleError(`flags "${flags}" are not allowed: use i, m, s or u`);
  const replacement = input.replacement ?? DEFAULT_REPLACEMENT;
  if (replacement.length > MAX_REPLACEMENT_LENGTH)
    throw new RedactionRuleError(
      `the replacement is longer than ${MAX_REPLACEMENT_LENGTH} characters`,
    );
  try {
    const compiled = new RegExp(pattern, flags + "g");
    if (compiled.test(""))
      throw new RedactionRuleError(`the pattern /${pattern}/ matches the empty string`);
  } catch (error) {
    if (error instanceof RedactionRuleError) throw error;
    throw new RedactionRuleError(
      `the pattern /${pattern}/ is not a valid regular expression: ${(error as Error).message}`,
    );
  }
  return { id, pattern, flags, replacement };
}

/** Whether a digit string passes the Luhn check (payment card numbers do). */
export function luhn(digits: string): boolean {
  let sum = 0;
  let double = false;
  for (let i = digits.length - 1; i >= 0; i--) {
    let digit = digits.charCodeAt(i) - 48;
    if (double) {
      digit *= 2;
      if (digit > 9) digit -= 9;
    }
    sum += digit;
    double = !double;
  }
  return sum % 10 === 0;
}

/** One compiled rule: a string in, the string with matches replaced out. */
export type Redaction = (value: string) => string;

const EMAIL = /[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}/g;
/**
 * Credential shapes of the common providers: OpenAI/Anthropic-style `sk-…`, agentops `ak_…`,
 * AWS access key ids, GitHub, GitLab, Slack, Google API keys, Stripe, and bearer tokens.
 */
const API_KEY =
  /\b(?:sk|pk|rk)-(?:[A-Za-z0-9]+-)?[A-Za-z0-9_-]{16,}|\bak_[A-Za-z0-9_-]{16,}|\b(?:AKIA|ASIA)[0-9A-Z]{16}\b|\bgh[pousr]_[A-Za-z0-9]{30,}|\bglpat-[A-Za-z0-9_-]{20,}|\bxox[abprs]-[A-Za-z0-9-]{10,}|\bAIza[0-9A-Za-z_-]{35}|\b(?:sk|rk)_(?:live|test)_[A-Za-z0-9]{16,}|\b[Bb]earer\s+[A-Za-z0-9._~+/-]{20,}=*/g;
/** 13 to 19 digits, optionally grouped by spaces or dashes; replaced only when the Luhn check passes. */
const CARD = /\b\d(?:[ -]?\d){12,18}\b/g;

function compileBuiltin(name: BuiltinRule): Redaction {
  switch (name) {
    case "emails":
      return (value) => value.replace(EMAIL, "[email]");
    case "api-keys":
      return (value) => value.replace(API_KEY, "[api key]");
    case "cards":
      return (value) =>
        value.replace(CARD, (match) => (luhn(match.replace(/[ -]/g, "")) ? "[card]" : match));
  }
}

/** The rules as one function, applied in order; `undefined` when there are none. */
export function compileRules(rules: readonly RedactionRule[]): Redaction | undefined {
  const steps: Redaction[] = [];
  for (const rule of rules) {
    if ("builtin" in rule) {
      steps.push(compileBuiltin(rule.builtin));
    } else {
      const regex = new RegExp(rule.pattern, rule.flags + "g");
      const replacement = rule.replacement;
      steps.push((value) => value.replace(regex, () => replacement));
    }
  }
  if (steps.length === 0) return undefined;
  return (value) => {
    let result = value;
    for (const step of steps) result = step(result);
    return result;
  };
}
