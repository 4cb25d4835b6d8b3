import type { SessionStats, UsageRow } from "../api/types";
import { dayKey } from "./format";

/** UTC days have no daylight saving: each is exactly this long. */
const DAY_MS = 86_400_000;

export type StateKey = "Success" | "Failure" | "Indeterminate" | "running";
export const STATE_KEYS: readonly StateKey[] = ["Success", "Failure", "Indeterminate", "running"];

export interface DayBucket {
  day: string;
  sessions: Record<StateKey, number>;
  cost: number;
  tokens: number;
}

export interface Totals {
  sessions: number;
  cost: number;
  tokens: number;
  llmCalls: number;
  errors: number;
  failures: number;
}

export interface Overview {
  days: DayBucket[];
  totals: Totals;
}

/**
 * Per-day buckets (UTC days, as the server's `/v2/usage` groups them; every day of the range
 * present, oldest first) of sessions by end state, cost and tokens, from the list API's rows.
 */
export function aggregateByDay(sessions: readonly SessionStats[], fromMs: number, toMs: number): Overview {
  const days = new Map<string, DayBucket>();
  const start = fromMs - (((fromMs % DAY_MS) + DAY_MS) % DAY_MS);
  for (let time = start, guard = 0; time <= toMs && guard < 400; guard++, time += DAY_MS) {
    const key = dayKey(time);
    days.set(key, { day: key, sessions: { Success: 0, Failure: 0, Indeterminate: 0, running: 0 }, cost: 0, tokens: 0 });
  }
  const totals: Totals = { sessions: 0, cost: 0, tokens: 0, llmCalls: 0, errors: 0, failures: 0 };
  for (const session of sessions) {
    const time = session.start_timestamp ? Date.parse(session.start_timestamp) : NaN;
    if (Number.isNaN(time)) continue;
    const bucket = days.get(dayKey(time));
    const cost = Number(session.cost) || 0;
    totals.sessions++;
    totals.cost += cost;
    totals.tokens += session.total_tokens;
    totals.llmCalls += session.llm_calls;
    totals.errors += session.errors;
    if (session.end_state === "Failure") totals.failures++;
    if (!bucket) continue;
    bucket.sessions[session.end_state ?? "running"]++;
    bucket.cost += cost;
    bucket.tokens += session.total_tokens;
  }
  return { days: [...days.values()], totals };
}

export interface ModelUsage {
  model: string;
  promptTokens: number;
  completionTokens: number;
  cost: number;
  calls: number;
}

/** Per-model totals of `GET /v2/usage` rows (summed over their days), most tokens first. */
export function usageByModel(rows: readonly UsageRow[]): ModelUsage[] {
  const totals = new Map<string, ModelUsage>();
  for (const row of rows) {
    const model = row.model || "unknown";
    let entry = totals.get(model);
    if (!entry) totals.set(model, (entry = { model, promptTokens: 0, completionTokens: 0, cost: 0, calls: 0 }));
    entry.calls += row.llm_calls;
    entry.promptTokens += row.prompt_tokens;
    entry.completionTokens += row.completion_tokens;
    entry.cost += Number(row.cost) || 0;
  }
  return [...totals.values()].sort(
    (a, b) => b.promptTokens + b.completionTokens - (a.promptTokens + a.completionTokens) || (a.model < b.model ? -1 : 1),
  );
}
