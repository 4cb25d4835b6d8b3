import { useEffect, useMemo, useState } from "preact/hooks";
import { isAbort, type ApiClient } from "../api/client";
import { useApi } from "../api/context";
import type { SessionStats } from "../api/types";
import { HorizontalBars, StackedBars, type Series } from "../components/charts";
import { formatCompact, formatCost, formatCount } from "../lib/format";
import { aggregateByDay, usageByModel, type ModelUsage } from "../lib/overview";
import { replaceHash, withQuery } from "../lib/router";

const RANGES = [
  { value: "7d", label: "Last 7 days", days: 7 },
  { value: "30d", label: "Last 30 days", days: 30 },
  { value: "90d", label: "Last 90 days", days: 90 },
] as const;
const PAGE_LIMIT = 200;
/** At most this many sessions are read for the charts (25 pages of 200). */
const MAX_SESSIONS = 5000;

const STATE_SERIES: Series[] = [
  { key: "Success", label: "Success", color: "#16a34a" },
  { key: "Failure", label: "Failure", color: "#dc2626" },
  { key: "Indeterminate", label: "Indeterminate", color: "#d97706" },
  { key: "running", label: "Running", color: "#3b82f6" },
];
const COST_SERIES: Series[] = [{ key: "cost", label: "Cost (USD)", color: "#2f5bd3" }];
const TOKEN_SERIES: Series[] = [
  { key: "prompt", label: "Prompt tokens", color: "#7c3aed" },
  { key: "completion", label: "Completion tokens", color: "#c4b5fd" },
];

/** Sessions per day by end state, cost per day and tokens per model, for a time range. */
export function OverviewPage({ query }: { query: URLSearchParams }) {
  const api = useApi();
  const range = RANGES.find((r) => r.value === query.get("range")) ?? RANGES[1];
  const [sessions, setSessions] = useState<SessionStats[] | null>(null);
  const [capped, setCapped] = useState(false);
  const [models, setModels] = useState<ModelUsage[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [window_] = useState(() => Date.now());
  const toMs = window_;
  const fromMs = useMemo(() => {
    // UTC days, like the server's usage figures.
    const start = new Date(toMs);
    start.setUTCHours(0, 0, 0, 0);
    start.setUTCDate(start.getUTCDate() - (range.days - 1));
    return start.getTime();
  }, [toMs, range.days]);

  useEffect(() => {
    const controller = new AbortController();
    setSessions(null);
    setModels(null);
    setError(null);
    const from = new Date(fromMs).toISOString();
    const fail = (caught: unknown) => {
      if (!isAbort(caught)) setError(caught instanceof Error ? caught.message : String(caught));
    };
    void (async () => {
      try {
        const { list, more } = await readAllSessions(api, from, controller.signal);
        setSessions(list);
        setCapped(more);
      } catch (caught) {
        fail(caught);
      }
    })();
    void (async () => {
      try {
        setModels(usageByModel((await api.usage({ from }, controller.signal)).usage));
      } catch (caught) {
        fail(caught);
      }
    })();
    return () => controller.abort();
  }, [api, fromMs]);

  const overview = useMemo(() => (sessions ? aggregateByDay(sessions, fromMs, toMs) : null), [sessions, fromMs, toMs]);

  return (
    <main class="page" data-testid="overview-page">
      <div class="page-header">
        <h1>Overview</h1>
        <span class="spacer" />
        <select
          class="field"
          value={range.value}
          aria-label="Time range"
          onChange={(event) => replaceHash(withQuery("#/overview", { range: (event.target as HTMLSelectElement).value }))}
        >
          {RANGES.map((r) => (
            <option key={r.value} value={r.value}>
              {r.label}
            </option>
          ))}
        </select>
      </div>
      {error && (
        <div class="error-banner" role="alert">
          {error}
        </div>
      )}
      {!overview ? (
        !error && <div class="spinner-line">Reading sessions…</div>
      ) : (
        <>
          {capped && (
            <div class="muted" style={{ marginBottom: "12px" }}>
              Showing the {formatCount(MAX_SESSIONS)} most recent sessions of the range.
            </div>
          )}
          <div class="summary-row" data-testid="overview-totals">
            <Summary label="Sessions" value={formatCount(overview.totals.sessions)} />
            <Summary label="Failures" value={formatCount(overview.totals.failures)} />
            <Summary label="Cost" value={formatCost(overview.totals.cost)} />
            <Summary label="Tokens" value={formatCompact(overview.totals.tokens)} />
            <Summary label="LLM calls" value={formatCount(overview.totals.llmCalls)} />
          </div>
          <div class="overview-grid">
            <section class="card wide">
              <div class="card-header">
                <h2>Sessions per day (UTC)</h2>
              </div>
              <div class="card-body">
                <StackedBars
                  testId="chart-sessions"
                  series={STATE_SERIES}
                  data={overview.days.map((day) => ({ label: day.day, values: day.sessions }))}
                  format={(value) => formatCompact(value)}
                />
              </div>
            </section>
            <section class="card">
              <div class="card-header">
                <h2>Cost per day (UTC)</h2>
              </div>
              <div class="card-body">
                <StackedBars
                  testId="chart-cost"
                  series={COST_SERIES}
                  data={overview.days.map((day) => ({ label: day.day, values: { cost: day.cost } }))}
                  format={formatCost}
                />
              </div>
            </section>
            <section class="card">
              <div class="card-header">
                <h2>Tokens per model</h2>
              </div>
              <div class="card-body">
                {!models ? (
                  <div class="muted">Reading LLM calls…</div>
                ) : models.length === 0 ? (
                  <div class="muted">No LLM calls in this range.</div>
                ) : (
                  <HorizontalBars
                    testId="chart-models"
                    series={TOKEN_SERIES}
                    rows={models.map((row) => ({
                      label: row.model,
                      values: { prompt: row.promptTokens, completion: row.completionTokens },
                      note: formatCost(row.cost),
                    }))}
                  />
                )}
              </div>
            </section>
          </div>
        </>
      )}
    </main>
  );
}

function Summary({ label, value }: { label: string; value: string }) {
  return (
    <div class="card stat">
      <div class="label">{label}</div>
      <div class="value">{value}</div>
    </div>
  );
}

async function readAllSessions(api: ApiClient, from: string, signal: AbortSignal): Promise<{ list: SessionStats[]; more: boolean }> {
  const list: SessionStats[] = [];
  let cursor: string | null = null;
  do {
    const page = await api.listSessions({ from, limit: PAGE_LIMIT, cursor }, signal);
    list.push(...page.sessions);
    cursor = page.next_cursor;
  } while (cursor && list.length < MAX_SESSIONS);
  return { list, more: cursor !== null };
}
