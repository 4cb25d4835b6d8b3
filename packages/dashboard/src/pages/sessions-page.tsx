import { useCallback, useEffect, useMemo, useRef, useState } from "preact/hooks";
import { isAbort } from "../api/client";
import { useApi } from "../api/context";
import type { SessionsPage as SessionsPageBody, SessionStats } from "../api/types";
import { EndStateBadge } from "../components/end-state-badge";
import { EventCounts } from "../components/event-counts";
import { ScoreChips } from "../components/scores";
import { Tags } from "../components/tags";
import { filtersToQuery, filtersToRequest, hasFilters, readFilters, SCORE_SORTS, TIME_RANGES, type SessionFilters } from "../lib/filters";
import { formatCompact, formatCost, formatDateTime, formatDuration, formatRelative } from "../lib/format";
import { href, replaceHash, withQuery } from "../lib/router";
import { sessionDurationMs } from "../lib/session-details";
import { usePolling } from "../lib/use-polling";

const PAGE_SIZE = 50;
/** Refresh period while a shown session runs, and otherwise (new sessions appearing). */
const LIVE_INTERVAL_MS = 2000;
const IDLE_INTERVAL_MS = 10_000;

/** The project's sessions, newest first, filtered and paged by the server's cursor. */
export function SessionsPage({ query }: { query: URLSearchParams }) {
  const api = useApi();
  const filters = readFilters(query);
  const filterKey = JSON.stringify(filtersToQuery(filters));
  const stableFilters = useMemo(() => filters, [filterKey]);
  // Cursors of the pages seen so far (the last is the current page's), for one set of filters:
  // a change of filters starts again from the first page.
  const [paging, setPaging] = useState<{ key: string; cursors: Array<string | null> }>({ key: filterKey, cursors: [null] });
  const cursors = paging.key === filterKey ? paging.cursors : [null];
  const setCursors = (update: (list: Array<string | null>) => Array<string | null>): void =>
    setPaging({ key: filterKey, cursors: update(cursors) });
  const [body, setBody] = useState<SessionsPageBody | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [loading, setLoading] = useState(true);
  const cursor = cursors[cursors.length - 1] ?? null;
  const request = useRef<AbortController | null>(null);

  const load = useCallback(
    async (quiet: boolean): Promise<void> => {
      request.current?.abort();
      const controller = new AbortController();
      request.current = controller;
      if (!quiet) setLoading(true);
      try {
        const page = await api.listSessions(
          { ...filtersToRequest(stableFilters), limit: PAGE_SIZE, cursor },
          controller.signal,
        );
        setBody(page);
        setError(null);
      } catch (caught) {
        if (isAbort(caught)) return;
        setError(caught instanceof Error ? caught.message : String(caught));
      } finally {
        if (request.current === controller) setLoading(false);
      }
    },
    [api, stableFilters, cursor],
  );

  useEffect(() => {
    void load(false);
    return () => request.current?.abort();
  }, [load]);

  const sessions = body?.sessions ?? [];
  const anyRunning = sessions.some((session) => session.end_state === null);
  usePolling(() => load(true), anyRunning ? LIVE_INTERVAL_MS : IDLE_INTERVAL_MS, true);

  const setFilters = (next: Partial<SessionFilters>): void => {
    replaceHash(withQuery("#/sessions", filtersToQuery({ ...filters, ...next })));
  };
  const now = Date.now();

  return (
    <main class="page">
      <div class="page-header">
        <h1>Sessions</h1>
        {anyRunning && <span class="badge running">Live</span>}
        <span class="spacer" />
      </div>
      {error && (
        <div class="error-banner" role="alert">
          {error}
        </div>
      )}
      <section class="card">
        <Filters filters={filters} onChange={setFilters} />
        <SessionsTable
          sessions={sessions}
          now={now}
          loading={loading && body === null}
          onTag={(tag) => setFilters({ tag })}
          onScore={(score) => setFilters({ score, minScore: "", sort: "score_desc" })}
        />
        <div class="pager">
          <span class="muted" data-testid="page-info">
            {sessions.length === 0 ? "No sessions" : `Page ${cursors.length} · ${sessions.length} session${sessions.length === 1 ? "" : "s"}`}
          </span>
          <span class="spacer" />
          <button
            class="button small"
            type="button"
            disabled={cursors.length <= 1}
            onClick={() => setCursors((list) => list.slice(0, -1))}
          >
            ← Newer
          </button>
          <button
            class="button small"
            type="button"
            data-testid="next-page"
            disabled={!body?.next_cursor}
            onClick={() => body?.next_cursor && setCursors((list) => [...list, body.next_cursor])}
          >
            Older →
          </button>
        </div>
      </section>
    </main>
  );
}

function Filters({ filters, onChange }: { filters: SessionFilters; onChange: (next: Partial<SessionFilters>) => void }) {
  const [tag, setTag] = useState(filters.tag);
  useEffect(() => setTag(filters.tag), [filters.tag]);
  const [score, setScore] = useState(filters.score);
  useEffect(() => setScore(filters.score), [filters.score]);
  const [minScore, setMinScore] = useState(filters.minScore);
  useEffect(() => setMinScore(filters.minScore), [filters.minScore]);
  // One change for every typed field, so that applying one never undoes another.
  const apply = (): void => {
    const next: Partial<SessionFilters> = {};
    if (tag.trim() !== filters.tag) next.tag = tag.trim();
    if (score.trim() !== filters.score) next.score = score.trim();
    if (minScore.trim() !== filters.minScore) next.minScore = minScore.trim();
    if (Object.keys(next).length > 0) onChange(next);
  };
  return (
    <form
      class="filters"
      onSubmit={(event) => {
        event.preventDefault();
        apply();
      }}
    >
      <label class="inline">
        Tag
        <input
          class="field"
          name="tag"
          placeholder="Any tag"
          value={tag}
          onInput={(event) => setTag((event.target as HTMLInputElement).value)}
          onBlur={apply}
        />
      </label>
      <label class="inline">
        End state
        <select
          class="field"
          name="state"
          value={filters.state}
          onChange={(event) => onChange({ state: (event.target as HTMLSelectElement).value as SessionFilters["state"] })}
        >
          <option value="">Any</option>
          <option value="running">Running</option>
          <option value="Success">Success</option>
          <option value="Failure">Failure</option>
          <option value="Indeterminate">Indeterminate</option>
        </select>
      </label>
      <label class="inline">
        Started
        <select
          class="field"
          name="range"
          value={filters.range}
          onChange={(event) => onChange({ range: (event.target as HTMLSelectElement).value as SessionFilters["range"] })}
        >
          {TIME_RANGES.map((range) => (
            <option key={range.value} value={range.value}>
              {range.label}
            </option>
          ))}
        </select>
      </label>
      {filters.range === "custom" && (
        <>
          <label class="inline">
            From
            <input
              class="field"
              type="datetime-local"
              name="from"
              value={filters.from}
              onChange={(event) => onChange({ from: (event.target as HTMLInputElement).value })}
            />
          </label>
          <label class="inline">
            To
            <input
              class="field"
              type="datetime-local"
              name="to"
              value={filters.to}
              onChange={(event) => onChange({ to: (event.target as HTMLInputElement).value })}
            />
          </label>
        </>
      )}
      <label class="inline">
        Score
        <input
          class="field"
          name="score"
          placeholder="Any score"
          value={score}
          onInput={(event) => setScore((event.target as HTMLInputElement).value)}
          onBlur={apply}
        />
      </label>
      {filters.score && (
        <>
          <label class="inline">
            At least
            <input
              class="field narrow"
              name="min-score"
              type="number"
              step="any"
              placeholder="Any value"
              value={minScore}
              onInput={(event) => setMinScore((event.target as HTMLInputElement).value)}
              onBlur={apply}
            />
          </label>
          <label class="inline">
            Order
            <select
              class="field"
              name="sort"
              value={filters.sort}
              onChange={(event) => onChange({ sort: (event.target as HTMLSelectElement).value as SessionFilters["sort"] })}
            >
              {SCORE_SORTS.map((sort) => (
                <option key={sort.value} value={sort.value}>
                  {sort.label}
                </option>
              ))}
            </select>
          </label>
        </>
      )}
      <button class="button" type="submit">
        Apply
      </button>
      {hasFilters(filters) && (
        <button
          class="button ghost"
          type="button"
          onClick={() => onChange({ tag: "", state: "", range: "all", from: "", to: "", score: "", minScore: "", sort: "" })}
        >
          Clear filters
        </button>
      )}
    </form>
  );
}

function SessionsTable({
  sessions,
  now,
  loading,
  onTag,
  onScore,
}: {
  sessions: SessionStats[];
  now: number;
  loading: boolean;
  onTag: (tag: string) => void;
  onScore: (name: string) => void;
}) {
  const rows = useMemo(() => sessions, [sessions]);
  if (loading) return <div class="spinner-line">Loading sessions…</div>;
  if (rows.length === 0) return <div class="empty">No session matches. Sessions appear here as soon as an agent starts one.</div>;
  return (
    <table class="data" data-testid="sessions-table">
      <thead>
        <tr>
          <th>State</th>
          <th>Session</th>
          <th>Started</th>
          <th class="num">Duration</th>
          <th class="num">Cost</th>
          <th class="num">Tokens</th>
          <th>LLM · Tools · Errors</th>
          <th>Scores</th>
          <th>Tags</th>
        </tr>
      </thead>
      <tbody>
        {rows.map((session) => (
          <tr
            key={session.session_id}
            class="clickable"
            data-session-id={session.session_id}
            onClick={() => {
              window.location.hash = href("sessions", session.session_id);
            }}
          >
            <td>
              <EndStateBadge state={session.end_state} />
            </td>
            <td>
              <a href={href("sessions", session.session_id)} class="session-id" onClick={(event) => event.stopPropagation()}>
                {session.session_id.slice(0, 8)}
              </a>
            </td>
            <td title={formatDateTime(session.start_timestamp)}>{formatRelative(session.start_timestamp, now)}</td>
            <td class="num" data-field="duration">
              {formatDuration(sessionDurationMs(session, now))}
            </td>
            <td class="num" data-field="cost">
              {formatCost(session.cost)}
            </td>
            <td class="num" data-field="tokens" title={`${session.prompt_tokens} prompt · ${session.completion_tokens} completion`}>
              {formatCompact(session.total_tokens)}
            </td>
            <td>
              <EventCounts llm={session.llm_calls} tool={session.tool_calls} errors={session.errors} />
            </td>
            <td data-field="scores">
              <ScoreChips scores={session.scores ?? {}} onSelect={onScore} />
            </td>
            <td>
              <Tags tags={session.tags} onSelect={onTag} />
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
