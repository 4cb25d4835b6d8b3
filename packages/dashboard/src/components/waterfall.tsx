import { useEffect, useLayoutEffect, useMemo, useRef, useState } from "preact/hooks";
import type { SpanKind } from "../api/types";
import { formatCount, formatDuration, formatOffset } from "../lib/format";
import { roleLabel } from "../lib/span-description";
import { axisTicks, PROCESS_COLORS, visibleRows, type WaterfallModel } from "../lib/waterfall-model";

/** Height of one row in pixels; rows are absolutely placed, so only the visible ones exist. */
export const ROW_HEIGHT = 28;
/** Rows rendered above and below the viewport, so fast scrolling does not show blanks. */
const OVERSCAN = 12;
const LABEL_WIDTH = "minmax(260px, 38%)";

const KIND_LABELS: Record<SpanKind, string> = {
  llm: "LLM",
  tool: "Tool",
  action: "Action",
  agent: "Agent",
  error: "Error",
  other: "Span",
  session: "Session",
  marker: "Marker",
};
const FILTERABLE: SpanKind[] = ["llm", "tool", "action", "agent", "error", "other"];

export interface WaterfallProps {
  model: WaterfallModel;
  /** Row index (into model.rows) of the selected event, or -1. */
  selected: number;
  onSelect: (index: number) => void;
  /** True while spans are still streaming in. */
  loading?: boolean;
}

/**
 * Every event of the session on one time axis, nested by parent span, colored by kind, with a
 * stripe per process. Virtualized: a 10,000-row session renders ~60 rows at a time.
 */
export function Waterfall({ model, selected, onSelect, loading = false }: WaterfallProps) {
  // Collapsed rows by span id: indexes move when a live or streaming session gets new spans.
  const [collapsed, setCollapsed] = useState<ReadonlySet<string>>(() => new Set());
  const [hiddenKinds, setHiddenKinds] = useState<ReadonlySet<SpanKind>>(() => new Set());
  const [scrollTop, setScrollTop] = useState(0);
  const [viewportHeight, setViewportHeight] = useState(600);
  const viewport = useRef<HTMLDivElement>(null);
  const frame = useRef(0);

  const visible = useMemo(() => {
    const indexes = new Set<number>();
    for (const spanId of collapsed) {
      const index = model.bySpanId.get(spanId);
      if (index !== undefined) indexes.add(index);
    }
    const list = visibleRows(model, indexes);
    return hiddenKinds.size === 0 ? list : list.filter((index) => !hiddenKinds.has(model.rows[index]!.span.kind));
  }, [model, collapsed, hiddenKinds]);

  useLayoutEffect(() => {
    const element = viewport.current;
    if (!element) return;
    const measure = (): void => setViewportHeight(element.clientHeight);
    measure();
    const observer = new ResizeObserver(measure);
    observer.observe(element);
    return () => observer.disconnect();
  }, []);

  // Keep the selected row in view when it changes (keyboard, deep link, "trigger event" link).
  useEffect(() => {
    const element = viewport.current;
    if (!element || selected < 0) return;
    const position = visible.indexOf(selected);
    if (position < 0) return;
    const top = position * ROW_HEIGHT;
    if (top < element.scrollTop) element.scrollTop = top;
    else if (top + ROW_HEIGHT > element.scrollTop + element.clientHeight) element.scrollTop = top + ROW_HEIGHT - element.clientHeight;
  }, [selected, visible]);

  const onScroll = (): void => {
    if (frame.current) return;
    frame.current = requestAnimationFrame(() => {
      frame.current = 0;
      if (viewport.current) setScrollTop(viewport.current.scrollTop);
    });
  };
  useEffect(() => () => cancelAnimationFrame(frame.current), []);

  const onKeyDown = (event: KeyboardEvent): void => {
    if (event.key !== "ArrowDown" && event.key !== "ArrowUp") return;
    event.preventDefault();
    const position = visible.indexOf(selected);
    const next = event.key === "ArrowDown" ? Math.min(visible.length - 1, position + 1) : Math.max(0, position - 1);
    if (visible[next] !== undefined) onSelect(visible[next]!);
  };

  const first = Math.max(0, Math.floor(scrollTop / ROW_HEIGHT) - OVERSCAN);
  const last = Math.min(visible.length, Math.ceil((scrollTop + viewportHeight) / ROW_HEIGHT) + OVERSCAN);
  const span = model.endMs - model.startMs;
  const ticks = useMemo(() => axisTicks(span), [span]);

  const toggleKind = (kind: SpanKind): void =>
    setHiddenKinds((current) => {
      const next = new Set(current);
      if (next.has(kind)) next.delete(kind);
      else next.add(kind);
      return next;
    });
  const toggleRow = (spanId: string): void =>
    setCollapsed((current) => {
      const next = new Set(current);
      if (next.has(spanId)) next.delete(spanId);
      else next.add(spanId);
      return next;
    });

  return (
    <div class="waterfall" style={{ "--label-width": LABEL_WIDTH }}>
      <div class="waterfall-toolbar">
        <h2>
          Waterfall <span class="muted" data-testid="event-count">{formatCount(model.rows.length)} events</span>
        </h2>
        {loading && (
          <span class="faint" data-testid="events-loading">
            loading…
          </span>
        )}
        <span class="legend">
          {FILTERABLE.filter((kind) => model.counts[kind] > 0).map((kind) => (
            <button
              key={kind}
              type="button"
              class={`button small${hiddenKinds.has(kind) ? " ghost" : ""}`}
              aria-pressed={!hiddenKinds.has(kind)}
              title={hiddenKinds.has(kind) ? `Show ${KIND_LABELS[kind]} events` : `Hide ${KIND_LABELS[kind]} events`}
              onClick={() => toggleKind(kind)}
              data-kind-filter={kind}
            >
              <span class={`swatch kind-${kind}`} />
              {KIND_LABELS[kind]} {formatCount(model.counts[kind])}
            </button>
          ))}
        </span>
      </div>
      <div class="waterfall-processes legend" data-testid="process-legend">
        <span class="faint">{model.processes.length === 1 ? "Process" : `${model.processes.length} processes`}</span>
        {model.processes.map((process, index) => (
          <span key={process.key} title={`${formatCount(process.events)} events`}>
            <span class="swatch" style={{ background: PROCESS_COLORS[index % PROCESS_COLORS.length] }} />
            {process.label}
          </span>
        ))}
      </div>
      <div class="waterfall-axis" aria-hidden="true">
        <span />
        <div class="axis-track">
          {ticks.map((tick) => (
            <span key={tick} class={`axis-tick${tick / span > 0.92 ? " end" : ""}`} style={{ left: `${(tick / span) * 100}%` }}>
              {formatOffset(tick)}
            </span>
          ))}
        </div>
      </div>
      <div
        class="waterfall-viewport"
        ref={viewport}
        onScroll={onScroll}
        onKeyDown={onKeyDown}
        tabIndex={0}
        role="tree"
        aria-label="Events of the session"
        data-testid="waterfall"
        style={{ height: `min(${Math.max(visible.length, 4) * ROW_HEIGHT + 2}px, calc(100vh - 200px))` }}
      >
        {visible.length === 0 && <div class="empty">No events{model.rows.length > 0 ? " of the shown kinds" : " yet"}.</div>}
        <div class="waterfall-canvas" style={{ height: `${visible.length * ROW_HEIGHT}px` }}>
          {visible.slice(first, last).map((index, offset) => {
            const row = model.rows[index]!;
            const event = row.span;
            const role = roleLabel(event);
            const left = ((event.startMs - model.startMs) / span) * 100;
            const width = ((event.endMs - event.startMs) / span) * 100;
            const isCollapsed = collapsed.has(event.spanId);
            return (
              <div
                key={event.spanId}
                class={`wf-row${index === selected ? " selected" : ""}`}
                style={{ top: `${(first + offset) * ROW_HEIGHT}px`, height: `${ROW_HEIGHT}px` }}
                onClick={() => onSelect(index)}
                role="treeitem"
                aria-selected={index === selected}
                aria-level={row.depth + 1}
                data-span-id={event.spanId}
                data-kind={event.kind}
                data-error={row.isError ? "true" : undefined}
              >
                <div class="wf-label">
                  <span
                    class="wf-stripe"
                    style={{ background: PROCESS_COLORS[row.process % PROCESS_COLORS.length] }}
                    title={model.processes[row.process]?.label}
                  />
                  <span class="wf-indent" style={{ width: `${row.depth * 16}px` }} />
                  {row.descendants > 0 ? (
                    <button
                      type="button"
                      class="wf-toggle"
                      aria-label={isCollapsed ? "Expand" : "Collapse"}
                      onClick={(click) => {
                        click.stopPropagation();
                        toggleRow(event.spanId);
                      }}
                    >
                      {isCollapsed ? "▶" : "▼"}
                    </button>
                  ) : (
                    <span class="wf-toggle" />
                  )}
                  <span class={`wf-kind kind-${event.kind}`}>{KIND_LABELS[event.kind]}</span>
                  {role !== null && (
                    <span class="wf-role" data-role={role}>
                      {role}
                    </span>
                  )}
                  {row.isError && (
                    <span class="wf-error" title="Error">
                      !
                    </span>
                  )}
                  <span class="wf-name" title={event.name}>
                    {event.name}
                  </span>
                  <span class="wf-duration">{formatDuration(event.endMs - event.startMs)}</span>
                </div>
                <div class="wf-track">
                  <span
                    class={`wf-bar kind-${event.kind}${row.isError ? " error" : ""}`}
                    style={{ left: `${left}%`, width: `${Math.max(width, 0)}%` }}
                  />
                </div>
              </div>
            );
          })}
        </div>
      </div>
    </div>
  );
}
