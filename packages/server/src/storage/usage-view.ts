import { formatCost } from "@agentops/pricing";
import { parseTime } from "./session-view";
import { storableText } from "./storable-text";
import type { UsageQuery, UsageRow } from "./types";

const NS_PER_MS = 1_000_000n;
/** Nanoseconds in a day: the divisor that turns a span's start into its UTC day number. */
export const NS_PER_DAY = "86400000000000";
/**
 * Bounds are clamped to ±9e12 ms (about the year 2255) so that, in nanoseconds, they stay inside
 * a signed 64-bit integer, the type of `start_ns`: a far-off bound selects the same spans.
 */
const MAX_BOUND_MS = 9_000_000_000_000;

/** A usage query with its times parsed; bounds in epoch nanoseconds, as the spans store them. */
export interface ResolvedUsageQuery {
  fromNs: bigint | null;
  toNs: bigint | null;
  tag: string | null;
}

/** Validates a usage query; an unreadable `from` or `to` raises `StorageQueryError`. */
export function resolveUsageQuery(query: UsageQuery): ResolvedUsageQuery {
  return {
    fromNs: toNs(parseTime(query.from, "from")),
    toNs: toNs(parseTime(query.to, "to")),
    // Stored tags went through storableText: so does the filter (PostgreSQL refuses NUL in it).
    tag: query.tag === undefined || query.tag === "" ? null : storableText(query.tag),
  };
}

function toNs(ms: number | null): bigint | null {
  if (ms === null) return null;
  return BigInt(Math.max(-MAX_BOUND_MS, Math.min(MAX_BOUND_MS, ms))) * NS_PER_MS;
}

/** One group as either store reads it: numbers may come back as strings (PostgreSQL's bigint). */
export interface UsageDbRow {
  day: number | string;
  model: string | null;
  llm_calls: number | string;
  prompt_tokens: number | string;
  completion_tokens: number | string;
  cached_tokens: number | string;
  reasoning_tokens: number | string;
  cost_pico: number | string;
}

export function toUsageRow(row: UsageDbRow): UsageRow {
  return {
    day: new Date(Number(row.day) * 86_400_000).toISOString().slice(0, 10),
    model: row.model,
    llm_calls: Number(row.llm_calls),
    prompt_tokens: Number(row.prompt_tokens),
    completion_tokens: Number(row.completion_tokens),
    cached_tokens: Number(row.cached_tokens),
    reasoning_tokens: Number(row.reasoning_tokens),
    cost: formatCost(Number(row.cost_pico) / 1e12),
  };
}
