/**
 * The REST shapes the dashboard reads (contract §Server REST API). The span model package holds
 * their single definition, which the server answers with. What is here is the dashboard's own:
 * query parameters and its view of a span.
 */
import type { EndState, EventKind, ListSessionsPage, ProjectResponse } from "@agentops/span-model";

export type {
  EndState,
  ScoreRequest,
  ScoreResponse,
  SessionInfo,
  SessionScore,
  SessionScoresResponse,
  SessionStats,
  UsageQuery,
  UsageResponse,
  UsageRow,
} from "@agentops/span-model";

/** What the sessions list filters on: an end state, or "running" for sessions without one. */
export type EndStateFilter = EndState | "running";

/** `GET /v2/sessions`. */
export type SessionsPage = ListSessionsPage;

export interface SessionsQuery {
  limit?: number;
  cursor?: string | null;
  tag?: string;
  end_state?: EndStateFilter;
  /** ISO timestamps bounding the session start. */
  from?: string;
  to?: string;
  /** Only sessions with this score; `min_score` bounds its latest value. */
  score_name?: string;
  min_score?: number;
  /** Newest first by default; a score order needs `score_name`. */
  sort?: "score_desc" | "score_asc";
}

/** `GET /v2/project`: the project of the key. */
export type ProjectInfo = ProjectResponse;

/** Kinds of spans in the session model, as the server classifies them. */
export type SpanKind = EventKind;

/** One span as the waterfall uses it, after {@link normalizeSpan}. */
export interface SessionSpan {
  spanId: string;
  parentSpanId: string | null;
  name: string;
  kind: SpanKind;
  startMs: number;
  endMs: number;
  statusCode: number;
  statusMessage: string | null;
  attributes: Record<string, unknown>;
  resource: Record<string, unknown>;
  events: Array<{ name: string; timeUnixNano?: string; attributes: Record<string, unknown> }>;
  model: string | null;
  promptTokens: number;
  completionTokens: number;
  cost: number;
  isError: boolean;
}
