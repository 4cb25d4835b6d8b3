import { useCallback, useEffect, useMemo, useRef, useState } from "preact/hooks";
import { ApiError, isAbort } from "../api/client";
import { useApi } from "../api/context";
import { loadSessionSpans } from "../api/spans-loader";
import type { SessionSpan, SessionStats } from "../api/types";
import { EndStateBadge } from "../components/end-state-badge";
import { EventPanel } from "../components/event-panel";
import { HostEnv } from "../components/host-env";
import { ScoresCard } from "../components/scores";
import { Tags } from "../components/tags";
import { Waterfall } from "../components/waterfall";
import { formatCompact, formatCost, formatCount, formatDateTime, formatDuration, formatShortDateTime } from "../lib/format";
import { href, replaceHash, withQuery } from "../lib/router";
import { readSessionDetails, sessionDurationMs, type ModelCost } from "../lib/session-details";
import { usePolling } from "../lib/use-polling";
import { safeHttpUrl } from "../lib/urls";
import { buildWaterfall } from "../lib/waterfall-model";

const LIVE_INTERVAL_MS = 2000;

/** One session: its totals, host, video, the waterfall of its events and the selected event. */
export function SessionPage({ sessionId, query }: { sessionId: string; query: URLSearchParams }) {
  const api = useApi();
  const [stats, setStats] = useState<SessionStats | null>(null);
  const [spans, setSpans] = useState<SessionSpan[] | null>(null);
  const [spansLoading, setSpansLoading] = useState(false);
  const [error, setError] = useState<{ status: number; message: string } | null>(null);
  const [exporting, setExporting] = useState(false);
  const lastSignature = useRef<string>("");
  const controller = useRef<AbortController | null>(null);

  const load = useCallback(
    async (refresh: boolean): Promise<void> => {
      controller.current?.abort();
      const request = new AbortController();
      controller.current = request;
      const fail = (caught: unknown): void => {
        if (isAbort(caught)) return;
        setError({
          status: caught instanceof ApiError ? caught.status : 0,
          message: caught instanceof Error ? caught.message : String(caught),
        });
      };
      try {
        if (!refresh) {
          // First load: the stats (small, and the server answers them at once), then the spans,
          // the waterfall drawn while they stream in. Asked together, the stats would wait
          // behind the stream of a large session.
          const nextStats = await api.sessionStats(sessionId, request.signal);
          lastSignature.current = signatureOf(nextStats);
          setStats(nextStats);
          setError(null);
          setSpansLoading(true);
          let soFar: SessionSpan[] = [];
          await loadSessionSpans(
            api,
            sessionId,
            (batch) => {
              soFar = soFar.concat(batch);
              setSpans(soFar);
            },
            request.signal,
          );
          setSpansLoading(false);
          return;
        }
        const nextStats = await api.sessionStats(sessionId, request.signal);
        // Spans are the heavy part: read them again only when the session changed.
        const signature = signatureOf(nextStats);
        if (signature !== lastSignature.current) {
          const batches: SessionSpan[][] = [];
          await loadSessionSpans(api, sessionId, (batch) => batches.push(batch), request.signal);
          lastSignature.current = signature;
          setSpans(batches.flat());
        }
        setStats(nextStats);
        setError(null);
      } catch (caught) {
        fail(caught);
      }
    },
    [api, sessionId],
  );

  useEffect(() => {
    setStats(null);
    setSpans(null);
    lastSignature.current = "";
    void load(false);
    return () => controller.current?.abort();
  }, [load]);

  const running = stats !== null && stats.end_state === null;
  usePolling(() => load(true), LIVE_INTERVAL_MS, running && !spansLoading);

  const startMs = stats?.start_timestamp ? Date.parse(stats.start_timestamp) : null;
  const endMs = stats?.end_timestamp ? Date.parse(stats.end_timestamp) : null;
  const model = useMemo(() => (spans ? buildWaterfall(spans, { startMs, endMs }) : null), [spans, startMs, endMs]);
  const details = useMemo(() => (spans ? readSessionDetails(spans) : null), [spans]);

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
        {/* Laid out from the stats alone, so the page does not shift when the spans arrive. */}
        <div class={`header-columns${stats.llm_calls > 0 ? "" : " single"}`}>
          <div class="stat-grid" data-testid="session-stats">
            <Stat label="Started" value={formatShortDateTime(stats.start_timestamp)} title={formatDateTime(stats.start_timestamp)} />
            <Stat label="Duration" value={formatDuration(sessionDurationMs(stats, Date.now()))} />
            <Stat label="Cost" value={formatCost(stats.cost)} field="cost" />
            <Stat
              label="Tokens"
              value={formatCompact(stats.total_tokens)}
              title={`${formatCount(stats.prompt_tokens)} prompt · ${formatCount(stats.completion_tokens)} completion`}
            />
            <Stat label="LLM calls" value={formatCount(stats.llm_calls)} />
            <Stat label="Tool calls" value={formatCount(stats.tool_calls)} />
            <Stat label="Actions" value={formatCount(stats.actions)} />
            <Stat label="Errors" value={formatCount(stats.errors)} bad={stats.errors > 0} />
          </div>
          {stats.llm_calls > 0 && <CostByModel rows={details?.costByModel ?? []} />}
        </div>
        <div class="header-meta">
          <span>
            <span class="muted">Tags: </span>
            <Tags tags={stats.tags} onSelect={(tag) => (window.location.hash = withQuery("#/sessions", { tag }))} />
          </span>
          {details?.video && (
            <span>
              <span class="muted">Video: </span>
              {video ? (
                <a href={video} target="_blank" rel="noopener noreferrer" data-testid="video-link">
                  {video}
                </a>
              ) : (
                <span class="mono">{details.video}</span>
              )}
            </span>
          )}
        </div>
        {details && (details.frameworks.length > 0 || details.conversations.length > 0) && (
          <div class="header-meta" data-testid="session-frameworks">
            {details.frameworks.length > 0 && (
              <span>
                <span class="muted">Traced by: </span>
                {details.frameworks.join(", ")}
              </span>
            )}
            {details.conversations.length > 0 && (
              <span data-testid="conversation-ids">
                <span class="muted">{details.conversations.length === 1 ? "Conversation: " : "Conversations: "}</span>
                <span class="mono">{details.conversations.join(", ")}</span>
              </span>
            )}
          </div>
        )}
        {video && new URL(video).origin === window.location.origin && (
          // The page's CSP lets media load from this origin only: elsewhere, the link above.
          <video class="player" src={video} controls preload="metadata" />
        )}
        <HostEnv env={details ? details.hostEnv : undefined} />
      </section>
      <ScoresCard sessionId={sessionId} latest={stats.scores} onAdded={() => void load(true)} />
      <div class="session-body">
        <section class="card">
          {model ? (
            <Waterfall model={model} selected={selected} onSelect={select} loading={spansLoading} />
          ) : (
            <div class="spinner-line">Loading events…</div>
          )}
        </section>
        <div class="session-side">{model && <EventPanel model={model} index={selected} onSelect={select} />}</div>
      </div>
    </main>
  );
}

/** What changes when a session gets new spans, tags or an end state. */
function signatureOf(stats: SessionStats): string {
  return `${stats.events}|${stats.end_state ?? ""}|${stats.tags.join(",")}|${stats.end_timestamp ?? ""}`;
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
      <table class="data compact" data-testid="cost-by-model">
        <thead>
          <tr>
            <th>Model</th>
            <th class="num">Calls</th>
            <th class="num">Prompt</th>
            <th class="num">Completion</th>
            <th class="num">Cost</th>
          </tr>
        </thead>
        <tbody>
          {rows.length === 0 && (
            <tr>
              <td colSpan={5} class="faint">
                Reading the calls…
              </td>
            </tr>
          )}
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
