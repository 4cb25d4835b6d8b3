import { useCallback, useEffect, useMemo, useRef, useState } from "preact/hooks";
import { ApiError, isAbort, type SessionSpanResult } from "../api/client";
import { useApi } from "../api/context";
import type { SessionStats } from "../api/types";
import { EndStateBadge } from "../components/end-state-badge";
import { EventPanel } from "../components/event-panel";
import { HostEnv } from "../components/host-env";
import { Tags } from "../components/tags";
import { Waterfall } from "../components/waterfall";
import { formatCompact, formatCost, formatCount, formatDateTime, formatDuration } from "../lib/format";
import { href, replaceHash, withQuery } from "../lib/router";
import { readSessionDetails, type ModelCost } from "../lib/session-details";
import { usePolling } from "../lib/use-polling";
import { safeHttpUrl } from "../lib/urls";
import { buildWaterfall } from "../lib/waterfall-model";

const LIVE_INTERVAL_MS = 2000;

/** One session: its totals, host, video, the waterfall of its events and the selected event. */
export function SessionPage({ sessionId, query }: { sessionId: string; query: URLSearchParams }) {
  const api = useApi();
  const [stats, setStats] = useState<SessionStats | null>(null);
  const [spans, setSpans] = useState<SessionSpanResult | null>(null);
  const [error, setError] = useState<{ status: number; message: string } | null>(null);
  const [exporting, setExporting] = useState(false);
  const lastEvents = useRef<string>("");
  const controller = useRef<AbortController | null>(null);

  const load = useCallback(
    async (refresh: boolean): Promise<void> => {
      controller.current?.abort();
      const request = new AbortController();
      controller.current = request;
      try {
        const nextStats = await api.sessionStats(sessionId, request.signal);
        // Spans are the heavy part: read them again only when the session changed.
        const signature = `${nextStats.events}|${nextStats.end_state ?? ""}|${nextStats.tags.join(",")}`;
        if (!refresh || signature !== lastEvents.current) {
          const nextSpans = await api.sessionSpans(sessionId, request.signal);
          lastEvents.current = signature;
          setSpans(nextSpans);
        }
        setStats(nextStats);
        setError(null);
      } catch (caught) {
        if (isAbort(caught)) return;
        setError({
          status: caught instanceof ApiError ? caught.status : 0,
          message: caught instanceof Error ? caught.message : String(caught),
        });
      }
    },
    [api, sessionId],
  );

  useEffect(() => {
    setStats(null);
    setSpans(null);
    lastEvents.current = "";
    void load(false);
    return () => controller.current?.abort();
  }, [load]);

  const running = stats !== null && stats.end_state === null;
  usePolling(() => load(true), LIVE_INTERVAL_MS, running);

  const startMs = stats?.start_timestamp ? Date.parse(stats.start_timestamp) : null;
  const endMs = stats?.end_timestamp ? Date.parse(stats.end_timestamp) : running ? Date.now() : null;
  const model = useMemo(
    () => (spans ? buildWaterfall(spans.spans, { startMs, endMs }) : null),
    // The axis follows the spans; a running session's end moves only when spans are re-read.
    [spans],
  );
  const details = useMemo(() => (spans ? readSessionDetails(spans.spans) : null), [spans]);

  const selectedSpanId = query.get("event");
  const selected = model && selectedSpanId ? (model.bySpanId.get(selectedSpanId) ?? -1) : -1;
  const select = (index: number): void => {
    const spanId = model?.rows[index]?.span.spanId;
    replaceHash(withQuery(href("sessions", sessionId), { event: spanId }));
  };

  const download = async (): Promise<void> => {
    setExporting(true);
    try {
      const blob = await api.exportSession(sessionId);
      const url = URL.createObjectURL(blob);
      const link = document.createElement("a");
      link.href = url;
      link.download = `session-${sessionId}.json`;
      document.body.append(link);
      link.click();
      link.remove();
      setTimeout(() => URL.revokeObjectURL(url), 10_000);
    } catch (caught) {
      if (!isAbort(caught)) setError({ status: 0, message: caught instanceof Error ? caught.message : String(caught) });
    } finally {
      setExporting(false);
    }
  };

  if (error && !stats) {
    return (
      <main class="page">
        <div class="empty" role="alert">
          {error.status === 404 ? "This session does not exist in this project." : error.message}{" "}
          <a href={href("sessions")}>Back to the sessions</a>
        </div>
      </main>
    );
  }
  if (!stats) {
    return (
      <main class="page">
        <div class="spinner-line">Loading the session…</div>
      </main>
    );
  }

  const video = safeHttpUrl(details?.video);
  return (
    <main class="page" data-testid="session-page" data-session-id={sessionId}>
      <div class="page-header">
        <a href={href("sessions")} class="muted">
          ← Sessions
        </a>
      </div>
      {error && (
        <div class="error-banner" role="alert">
          {error.message}
        </div>
      )}
      <section class="card session-header">
        <div class="session-title">
          <EndStateBadge state={stats.end_state} />
          <h1 class="mono" title={sessionId}>
            {sessionId}
          </h1>
          <span class="spacer" />
          <button class="button" type="button" onClick={() => void download()} disabled={exporting} data-testid="download-export">
            {exporting ? "Preparing…" : "Download JSON"}
          </button>
        </div>
        {stats.end_state_reason && (
          <div class="reason" data-testid="end-state-reason">
            {stats.end_state_reason}
          </div>
        )}
        <div class="stat-grid" data-testid="session-stats">
          <Stat label="Started" value={formatDateTime(stats.start_timestamp)} />
          <Stat label="Duration" value={formatDuration(stats.duration_ms)} />
          <Stat label="Cost" value={formatCost(stats.cost)} field="cost" />
          <Stat label="Tokens" value={formatCompact(stats.total_tokens)} title={`${formatCount(stats.prompt_tokens)} prompt · ${formatCount(stats.completion_tokens)} completion`} />
          <Stat label="LLM calls" value={formatCount(stats.llm_calls)} />
          <Stat label="Tool calls" value={formatCount(stats.tool_calls)} />
          <Stat label="Actions" value={formatCount(stats.actions)} />
          <Stat label="Errors" value={formatCount(stats.errors)} bad={stats.errors > 0} />
        </div>
        <div>
          <span class="muted">Tags: </span>
          <Tags tags={stats.tags} onSelect={(tag) => (window.location.hash = withQuery("#/sessions", { tag }))} />
        </div>
        {details && details.costByModel.length > 0 && <CostByModel rows={details.costByModel} />}
        {details?.video && (
          <div class="section">
            <h3>Video</h3>
            {video ? (
              <>
                <video class="player" src={video} controls preload="metadata" />
                <a href={video} target="_blank" rel="noopener noreferrer">
                  {video}
                </a>
              </>
            ) : (
              <span class="mono">{details.video}</span>
            )}
          </div>
        )}
        <HostEnv env={details?.hostEnv ?? null} />
      </section>
      <div class="session-body">
        <section class="card">
          {model ? (
            <Waterfall model={model} selected={selected} onSelect={select} />
          ) : (
            <div class="spinner-line">Loading events…</div>
          )}
          {spans?.truncated && <div class="card-body muted">Only the first events are shown: this session is very large.</div>}
        </section>
        <div class="session-side">{model && <EventPanel model={model} index={selected} onSelect={select} />}</div>
      </div>
    </main>
  );
}

function Stat({ label, value, title, bad, field }: { label: string; value: string; title?: string; bad?: boolean; field?: string }) {
  return (
    <div class={`stat${bad ? " bad" : ""}`} title={title} data-field={field}>
      <div class="label">{label}</div>
      <div class="value">{value}</div>
    </div>
  );
}

function CostByModel({ rows }: { rows: ModelCost[] }) {
  return (
    <div class="section">
      <h3>Cost by model</h3>
      <table class="data" data-testid="cost-by-model">
        <thead>
          <tr>
            <th>Model</th>
            <th class="num">Calls</th>
            <th class="num">Prompt tokens</th>
            <th class="num">Completion tokens</th>
            <th class="num">Cost</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((row) => (
            <tr key={row.model}>
              <td class="mono">{row.model}</td>
              <td class="num">{formatCount(row.calls)}</td>
              <td class="num">{formatCount(row.promptTokens)}</td>
              <td class="num">{formatCount(row.completionTokens)}</td>
              <td class="num">{formatCost(row.cost)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
