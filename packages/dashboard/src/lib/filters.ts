import type { EndStateFilter, SessionsQuery } from "../api/types";

/** The sessions list's filters, as kept in the hash query (`#/sessions?tag=a&state=Failure&range=24h`). */
export interface SessionFilters {
  tag: string;
  state: EndStateFilter | "";
  range: TimeRange;
  /** `datetime-local` values, used when range is "custom". */
  from: string;
  to: string;
  /** A score name: only sessions with that score (then `minScore` and `sort` apply). */
  score: string;
  /** Lowest latest value of that score, as typed; "" for none. */
  minScore: string;
  sort: ScoreSort;
}

/** The list's order: newest first (""), or by the filtered score. */
export type ScoreSort = "" | "score_desc" | "score_asc";

export const SCORE_SORTS: ReadonlyArray<{ value: ScoreSort; label: string }> = [
  { value: "", label: "Newest first" },
  { value: "score_desc", label: "Score, high to low" },
  { value: "score_asc", label: "Score, low to high" },
];

export type TimeRange = "all" | "1h" | "24h" | "7d" | "30d" | "custom";

export const TIME_RANGES: ReadonlyArray<{ value: TimeRange; label: string; ms?: number }> = [
  { value: "all", label: "Any time" },
  { value: "1h", label: "Last hour", ms: 3_600_000 },
  { value: "24h", label: "Last 24 hours", ms: 86_400_000 },
  { value: "7d", label: "Last 7 days", ms: 7 * 86_400_000 },
  { value: "30d", label: "Last 30 days", ms: 30 * 86_400_000 },
  { value: "custom", label: "Custom…" },
];

const STATES = new Set(["running", "Success", "Failure", "Indeterminate"]);

export function readFilters(query: URLSearchParams): SessionFilters {
  const state = query.get("state") ?? "";
  const range = (query.get("range") ?? "all") as TimeRange;
  return {
    tag: query.get("tag") ?? "",
    state: STATES.has(state) ? (state as EndStateFilter) : "",
    range: TIME_RANGES.some((r) => r.value === range) ? range : "all",
    from: query.get("from") ?? "",
    to: query.get("to") ?? "",
    score: query.get("score") ?? "",
    minScore: query.get("min_score") ?? "",
    sort: SCORE_SORTS.some((s) => s.value === query.get("sort")) ? (query.get("sort") as ScoreSort) : "",
  };
}

export function filtersToQuery(filters: SessionFilters): Record<string, string> {
  const values: Record<string, string> = {};
  if (filters.tag) values.tag = filters.tag;
  if (filters.state) values.state = filters.state;
  if (filters.range !== "all") values.range = filters.range;
  if (filters.range === "custom") {
    if (filters.from) values.from = filters.from;
    if (filters.to) values.to = filters.to;
  }
  if (filters.score) {
    values.score = filters.score;
    if (filters.minScore) values.min_score = filters.minScore;
    if (filters.sort) values.sort = filters.sort;
  }
  return values;
}

/** Whether any filter or order differs from the defaults. */
export function hasFilters(filters: SessionFilters): boolean {
  return Boolean(filters.tag || filters.state || filters.range !== "all" || filters.score);
}

/** The REST query for these filters, relative ranges resolved against `now`. */
export function filtersToRequest(filters: SessionFilters, now: number = Date.now()): SessionsQuery {
  const request: SessionsQuery = {};
  if (filters.tag) request.tag = filters.tag;
  if (filters.state) request.end_state = filters.state;
  const preset = TIME_RANGES.find((r) => r.value === filters.range);
  if (preset?.ms) request.from = new Date(now - preset.ms).toISOString();
  if (filters.range === "custom") {
    const from = localToIso(filters.from);
    const to = localToIso(filters.to);
    if (from) request.from = from;
    if (to) request.to = to;
  }
  const score = filters.score.trim();
  if (score) {
    request.score_name = score;
    const min = filters.minScore.trim() === "" ? Number.NaN : Number(filters.minScore);
    if (Number.isFinite(min)) request.min_score = min;
    if (filters.sort) request.sort = filters.sort;
  }
  return request;
}

/** A `datetime-local` value (local time, no zone) → ISO; undefined when empty or invalid. */
export function localToIso(value: string): string | undefined {
  if (!value) return undefined;
  const time = new Date(value).getTime();
  return Number.isNaN(time) ? undefined : new Date(time).toISOString();
}
