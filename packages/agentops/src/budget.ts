import { logger } from "./logger";

/** Which limit of a session's budget was reached. */
export type BudgetLimit = "cost" | "llm_calls";

/** What `onBudgetExceeded` receives, and what {@link BudgetExceededError} carries. */
export interface BudgetExceeded {
  sessionId: string;
  limit: BudgetLimit;
  /** The session's cost in USD when the limit was reached. */
  costUsd: number;
  /** The session's LLM calls when the limit was reached. */
  llmCalls: number;
  maxCostUsd: number | undefined;
  maxLlmCalls: number | undefined;
  /** `local`: counted in this process; `server`: the server's totals (every process of the session). */
  source: "local" | "server";
}

/**
 * The reason `session.signal` is aborted with, and the error an instrumentation refuses a call
 * with when `enforceBudget` is on: the call is not sent.
 */
export class BudgetExceededError extends Error {
  readonly code = "budget_exceeded";
  readonly sessionId: string;
  readonly limit: BudgetLimit;
  readonly details: BudgetExceeded;

  constructor(details: BudgetExceeded) {
    const what =
      details.limit === "cost"
        ? `cost $${details.costUsd.toFixed(6)} reached its budget of $${details.maxCostUsd}`
        : `${details.llmCalls} LLM calls reached its budget of ${details.maxLlmCalls}`;
    super(`Session ${details.sessionId} is over budget: ${what}.`);
    this.name = "BudgetExceededError";
    this.sessionId = details.sessionId;
    this.limit = details.limit;
    this.details = details;
  }
}

/** Limits of one session; a limit left undefined is not enforced. */
export interface BudgetLimits {
  maxCostUsd?: number;
  maxLlmCalls?: number;
}

/** The totals a budget reads (the span processor's running totals of the session). */
export interface BudgetTotals {
  llmCalls: number;
  readonly cost: number;
}

/** Whether `value` is a usable limit; warns once for a bad one. */
export function validLimit(name: string, value: unknown): number | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value === "number" && Number.isFinite(value) && value >= 0) return value;
  logger.warn(`${name} must be a number >= 0; got ${String(value)}, no ${name} is enforced.`);
  return undefined;
}

/**
 * A session's budget. The span processor calls {@link check} after counting each LLM span, so a
 * limit trips in the `end()` of the call that reached it; `tripped` then runs once (the session
 * records the event, aborts its signal and calls the user's callback).
 */
export class SessionBudget {
  private readonly maxCostUsd: number | undefined;
  private readonly maxLlmCalls: number | undefined;
  /** Set once a limit is reached. */
  exceeded: BudgetExceededError | undefined;

  constructor(
    private readonly sessionId: string,
    limits: BudgetLimits,
    private readonly tripped: (error: BudgetExceededError) => void,
  ) {
    this.maxCostUsd = limits.maxCostUsd;
    this.maxLlmCalls = limits.maxLlmCalls;
  }

  /** Whether any limit is set. */
  get active(): boolean {
    return this.maxCostUsd !== undefined || this.maxLlmCalls !== undefined;
  }

  /** Compares totals with the limits; trips the budget the first time one is reached. */
  check(totals: BudgetTotals, source: "local" | "server" = "local"): void {
    if (this.exceeded !== undefined) return;
    const cost = totals.cost;
    let limit: BudgetLimit | undefined;
    if (this.maxCostUsd !== undefined && cost >= this.maxCostUsd) limit = "cost";
    else if (this.maxLlmCalls !== undefined && totals.llmCalls >= this.maxLlmCalls) limit = "llm_calls";
    if (limit === undefined) return;
    this.exceeded = new BudgetExceededError({
      sessionId: this.sessionId,
      limit,
      costUsd: cost,
      llmCalls: totals.llmCalls,
      maxCostUsd: this.maxCostUsd,
      maxLlmCalls: this.maxLlmCalls,
      source,
    });
    try {
      this.tripped(this.exceeded);
    } catch (error) {
      logger.error("the budget handler failed", error);
    }
  }
}
