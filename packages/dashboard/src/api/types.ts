/**
 * The REST shapes the dashboard reads (contract §Server REST API). They mirror the server's
 * JSON; the dashboard never imports server code, so it keeps its own copy of them.
 */

export type EndState = "Success" | "Failure" | "Indeterminate";

/** What the sessions list filters on: an end state, or "running" for sessions without one. */
export type EndStateFilter = EndState | "running";

/** `GET /v2/sessions/:id/stats`, and each row of `GET /v2/sessions`. */
export interface SessionStats {
  session_id: string;
  project_id: string;
  start_timestamp: string | null;
  end_timestamp: string | null;
  duration_ms: number;
  end_state: EndState | null;
  end_state_reason: string | null;
  tags: string[];
  events: number;
  llm_calls: number;
  tool_calls: number;
  actions: number;
  errors: number;
  prompt_tokens: number;
  completion_tokens: number;
  cached_tokens: number;
  reasoning_tokens: number;
  total_tokens: number;
  cost: string;
}

export interface SessionsPage {
  sessions: SessionStats[];
  next_cursor: string | null;
}

export interface SessionsQuery {
  limit?: number;
  cursor?: string | null;
  tag?: string;
  end_state?: EndStateFilter;
  /** ISO timestamps bounding the session start. */
  from?: string;
  to?: string;
}

/** One row of `GET /v2/usage`: the project's LLM calls of one UTC day and model, summed. */
export interface UsageRow {
  /** UTC day of the calls' start, `YYYY-MM-DD`. */
  day: string;
  /** Null for calls that named no model. */
  model: string | null;
  llm_calls: number;
  prompt_tokens: number;
  completion_tokens: number;
  cached_tokens: number;
  reasoning_tokens: number;
  /** USD, six decimals. */
  cost: string;
}

/** `GET /v2/usage`. */
export interface UsageResponse {
  usage: UsageRow[];
}

export interface UsageQuery {
  /** ISO timestamps bounding the LLM calls' start: `from` inclusive, `to` exclusive. */
  from?: string;
  to?: string;
  tag?: string;
}

/** The `session` object of the export. */
export interface SessionInfo {
  id: string;
  project_id: string;
  start_timestamp: string | null;
  end_timestamp: string | null;
  end_state: EndState | null;
  end_state_reason: string | null;
  tags: string[];
  host_env: Record<string, unknown> | null;
  video: string | null;
}

/** `GET /v2/project`: the project of the key. */
export interface ProjectInfo {
  project_id: string;
  /** Present when the server knows the project's name. */
  name?: string;
}

/** Kinds of spans in the session model, as the server classifies them. */
export type SpanKind = "session" | "marker" | "llm" | "tool" | "action" | "error" | "other";

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
