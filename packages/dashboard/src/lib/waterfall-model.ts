import {
  ATTR_HOST_NAME,
  ATTR_PROCESS_PID,
  ATTR_SERVICE_NAME,
} from "@agentops/semconv";
import type { SessionSpan, SpanKind } from "../api/types";

/** One row of the waterfall: a span placed in the tree. */
export interface WaterfallRow {
  span: SessionSpan;
  /** Index into {@link WaterfallModel.rows}, stable for one model. */
  index: number;
  depth: number;
  /** Index of the parent row, or -1 for a top-level event. */
  parent: number;
  /** Number of rows below this one in its subtree (0 for a leaf). */
  descendants: number;
  /** Index into {@link WaterfallModel.processes}. */
  process: number;
  isError: boolean;
}

/** A process that sent spans of the session, told apart by its resource (host and pid). */
export interface ProcessLane {
  key: string;
  label: string;
  events: number;
}

export interface WaterfallModel {
  /** Every event in tree order (depth first, siblings by start time). */
  rows: WaterfallRow[];
  processes: ProcessLane[];
  /** The axis: from the earliest start to the latest end (or `now` for a running session). */
  startMs: number;
  endMs: number;
  /** Events by kind, over all rows. */
  counts: Record<SpanKind, number>;
  bySpanId: Map<string, number>;
}

/** Kinds that are session metadata, not events: they never become rows. */
const HIDDEN_KINDS = new Set<SpanKind>(["session", "marker"]);

/**
 * Builds the waterfall from the session's spans: events nest under their parent span; spans whose
 * parent is the session (or unknown: another process joined with only the session id) are top
 * level. Runs in O(n log n) without recursion, so a deep or 100k-span session cannot overflow.
 */
export function buildWaterfall(
  spans: readonly SessionSpan[],
  session: { startMs?: number | null; endMs?: number | null } = {},
): WaterfallModel {
  const events = spans.filter((span) => !HIDDEN_KINDS.has(span.kind));
  const known = new Set(events.map((span) => span.spanId));
  const children = new Map<string | null, SessionSpan[]>();
  for (const span of events) {
    const parent = span.parentSpanId && known.has(span.parentSpanId) && span.parentSpanId !== span.spanId ? span.parentSpanId : null;
    let list = children.get(parent);
    if (!list) children.set(parent, (list = []));
    list.push(span);
  }
  // An error recorded for a call carries the call's own timestamps: on a tie it comes after the call.
  const errorLast = (span: SessionSpan): number => (span.kind === "error" ? 1 : 0);
  const byStart = (a: SessionSpan, b: SessionSpan): number =>
    a.startMs - b.startMs || a.endMs - b.endMs || errorLast(a) - errorLast(b);
  for (const list of children.values()) list.sort(byStart);

  const processIndex = new Map<string, number>();
  const processes: ProcessLane[] = [];
  const counts: Record<SpanKind, number> = { session: 0, marker: 0, llm: 0, tool: 0, action: 0, agent: 0, error: 0, other: 0 };
  const rows: WaterfallRow[] = [];
  const bySpanId = new Map<string, number>();
  const visited = new Set<string>();

  // Depth-first walk with an explicit stack; a cycle in bad data is cut by `visited`.
  const stack: Array<{ span: SessionSpan; depth: number; parent: number }> = [];
  const pushChildren = (id: string | null, depth: number, parent: number): void => {
    const list = children.get(id);
    if (!list) return;
    for (let i = list.length - 1; i >= 0; i--) stack.push({ span: list[i]!, depth, parent });
  };
  pushChildren(null, 0, -1);
  // Spans caught in a parent cycle are unreachable from the roots: add them as roots afterwards.
  let scan = 0;
  for (;;) {
    while (stack.length > 0) {
      const { span, depth, parent } = stack.pop()!;
      if (visited.has(span.spanId)) continue;
      visited.add(span.spanId);
      const key = processKey(span.resource);
      let process = processIndex.get(key);
      if (process === undefined) {
        process = processes.length;
        processIndex.set(key, process);
        processes.push({ key, label: processLabel(span.resource), events: 0 });
      }
      processes[process]!.events++;
      counts[span.kind]++;
      const index = rows.length;
      rows.push({
        span,
        index,
        depth,
        parent,
        descendants: 0,
        process,
        isError: span.isError || span.kind === "error" || span.statusCode === 2,
      });
      bySpanId.set(span.spanId, index);
      pushChildren(span.spanId, depth + 1, index);
    }
    while (scan < events.length && visited.has(events[scan]!.spanId)) scan++;
    if (scan >= events.length) break;
    stack.push({ span: events[scan]!, depth: 0, parent: -1 });
  }

  // Subtree sizes, children before parents (rows are in pre-order, so walk backwards).
  for (let i = rows.length - 1; i >= 0; i--) {
    const row = rows[i]!;
    if (row.parent >= 0) rows[row.parent]!.descendants += row.descendants + 1;
  }

  let startMs = session.startMs ?? Number.POSITIVE_INFINITY;
  let endMs = session.endMs ?? Number.NEGATIVE_INFINITY;
  for (const span of events) {
    if (span.startMs < startMs) startMs = span.startMs;
    if (span.endMs > endMs) endMs = span.endMs;
  }
  if (!Number.isFinite(startMs)) startMs = 0;
  if (!Number.isFinite(endMs) || endMs <= startMs) endMs = startMs + 1;
  return { rows, processes, startMs, endMs, counts, bySpanId };
}

/**
 * The rows left visible when the given rows are collapsed: their descendants are hidden.
 * Returns indexes into `model.rows`.
 */
export function visibleRows(model: WaterfallModel, collapsed: ReadonlySet<number>): number[] {
  const visible: number[] = [];
  const rows = model.rows;
  for (let i = 0; i < rows.length; i++) {
    visible.push(i);
    if (collapsed.has(i)) i += rows[i]!.descendants;
  }
  return visible;
}

function processKey(resource: Record<string, unknown>): string {
  return `${String(resource[ATTR_HOST_NAME] ?? "")}\u0000${String(resource[ATTR_PROCESS_PID] ?? "")}\u0000${String(resource[ATTR_SERVICE_NAME] ?? "")}`;
}

function processLabel(resource: Record<string, unknown>): string {
  const host = resource[ATTR_HOST_NAME];
  const pid = resource[ATTR_PROCESS_PID];
  const service = resource[ATTR_SERVICE_NAME];
  const parts: string[] = [];
  if (service !== undefined && !String(service).startsWith("unknown_service")) parts.push(String(service));
  if (host !== undefined) parts.push(String(host));
  if (pid !== undefined) parts.push(`pid ${String(pid)}`);
  return parts.length > 0 ? parts.join(" · ") : "unknown process";
}

/** Colors of the process stripes; chosen to stay apart from the kind colors of the bars. */
export const PROCESS_COLORS = ["#64748b", "#0d9488", "#c026d3", "#ca8a04", "#2563eb", "#ea580c", "#4d7c0f", "#be123c"];

/** Ticks for an axis of `spanMs` milliseconds: about `target` round steps. */
export function axisTicks(spanMs: number, target = 6): number[] {
  if (!(spanMs > 0)) return [0];
  const raw = spanMs / target;
  const magnitude = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * magnitude).find((s) => s >= raw) ?? raw;
  const ticks: number[] = [];
  for (let t = 0; t <= spanMs + 1e-9 && ticks.length < 50; t += step) ticks.push(t);
  return ticks;
}
