/**
 * The REST API's request and response shapes (`/v2/sessions…`, `/v2/usage`, `/v2/project`,
 * `/v3/auth/token`), shared by the server, which answers with them, and the dashboard and scripts,
 * which read them. JSON, snake_case.
 */
import type { EndState } from "./kinds";

/**
 * The contract's `/v2/sessions/:id/stats` body. `end_state` is the root span's (a later root wins
 * over markers); with none, "Indeterminate" / "timed out" once no span has been received for the
 * session timeout, else null (running). `end_timestamp` is the last span's end once there is an
 * end state, null while running; `duration_ms` runs from the first span's start to the last
 * span's end seen so far. `events` = llm_calls + tool_calls + actions + errors, where `errors`
 * counts every span with `isError` (a failed LLM call is one LLM call and one error).
 * `total_tokens` = prompt + completion; `cached_tokens` and `reasoning_tokens` are parts of those.
 */
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
  /**
   * The session's scores: the latest value of each score name (latest in the order the server
   * stored them), keyed by name; `{}` when it has none.
   */
  scores: Record<string, number>;
}

/** Who recorded a score: the SDK's `session.score()`, a REST client, or a person on the dashboard. */
export type ScoreSource = "sdk" | "api" | "dashboard";

/** One score of a session, as the export lists them (every one, oldest first). */
export interface SessionScore {
  /** A UUID: the client's when it sent one (retries are then stored once), else the server's. */
  id: string;
  name: string;
  /** A finite number; a boolean score is stored as 1 (true) or 0 (false). */
  value: number;
  comment: string | null;
  source: ScoreSource;
  /** When the server stored it, ISO 8601. */
  created_at: string;
}

/**
 * `POST /v2/sessions/:id/scores` body. `name` is 1..200 characters once trimmed, without control
 * characters; `value` a finite number or a boolean (stored as 1 / 0); `comment` at most 2,000
 * characters; `source` defaults to `api`; `id` (a UUID) makes the request idempotent.
 */
export interface ScoreRequest {
  name: string;
  value: number | boolean;
  comment?: string | null;
  source?: ScoreSource;
  id?: string;
}

/** `POST /v2/sessions/:id/scores`: the stored score (201 when new, 200 when `id` was stored before). */
export interface ScoreResponse extends SessionScore {
  session_id: string;
}

/**
 * `GET /v2/sessions/:id/scores`: every score the project has for this session id, oldest first
 * (`[]` when none; scores may arrive before the session's spans, so this never answers 404).
 */
export interface SessionScoresResponse {
  session_id: string;
  scores: SessionScore[];
}

/** Session metadata, as in the export's `session` object. */
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

export interface ListSessionsPage {
  sessions: SessionStats[];
  next_cursor: string | null;
}

/** Bounds of a usage query; every field optional. */
export interface UsageQuery {
  /** ISO timestamps bounding the LLM calls' start: `from` inclusive, `to` exclusive. */
  from?: string;
  to?: string;
  /** Only LLM calls of sessions that carry this tag. */
  tag?: string;
}

/**
 * One (UTC day, model) group of a project's LLM calls, as `GET /v2/usage` answers it. Tokens and
 * cost are the sums over the group's calls (`cost` in USD, six decimals, as in the stats body).
 */
export interface UsageRow {
  /** The UTC day of the calls' start, `YYYY-MM-DD`. */
  day: string;
  /** The call's model; null for calls that named none. */
  model: string | null;
  llm_calls: number;
  prompt_tokens: number;
  completion_tokens: number;
  cached_tokens: number;
  reasoning_tokens: number;
  cost: string;
}

/**
 * `GET /v2/usage`: the project's LLM calls summed per UTC day and model, ordered by day then
 * model.
 */
export interface UsageResponse {
  usage: UsageRow[];
}

/** Error body of the REST API (OTLP errors use `google.rpc.Status` instead). */
export interface ErrorResponse {
  /** Stable snake_case code: `unauthorized`, `not_found`, `bad_request`, … */
  error: string;
  message: string;
}

/** `POST /v3/auth/token` (and `GET` with an API key): a token for `Authorization: Bearer`. */
export interface TokenResponse {
  /** An HS256 JWT carrying the project id. */
  token: string;
  project_id: string;
  /** Always `pro`: a self-hosted server has no plans. */
  project_prem_status: string;
  /** ISO 8601. */
  expires_at: string;
}

/** `GET /v3/auth/token` with `Authorization: Bearer <token>`: what the token says. */
export interface TokenVerifyResponse {
  message: string;
  project_id: string;
  expires_at: string;
  /** The token's claims. */
  payload: Record<string, unknown>;
}

/** `GET /v2/project`. */
export interface ProjectResponse {
  project_id: string;
  name: string | null;
}

/** Fields every exported event carries. */
export interface ExportedEventBase {
  /** The event's id (`agentops.event.id`, else the span id). */
  id: string;
  span_id: string;
  parent_span_id: string | null;
  init_timestamp: string;
  end_timestamp: string;
}

/** An LLM call in `GET /v2/sessions/:id/export`. */
export interface ExportedLlmEvent extends ExportedEventBase {
  model: string | null;
  provider: string | null;
  /** Input messages (parsed `gen_ai.input.messages`, or legacy prompt attributes); null when not captured. */
  prompt: unknown;
  /** Output messages (parsed `gen_ai.output.messages`, or legacy completion attributes). */
  completion: unknown;
  prompt_tokens: number;
  completion_tokens: number;
  cached_tokens: number;
  reasoning_tokens: number;
  /** USD. */
  cost: number;
}

/**
 * Where an action or tool call stands in the framework that made it (see `describeSpan`); every
 * field is null for agentops' own events.
 */
export interface ExportedFrameworkFields {
  /** The framework or instrumentation project: "OpenAI Agents SDK", "Vercel AI SDK", … */
  framework: string | null;
  /** "agent", "handoff", "guardrail", "mcp", "tool", "step", or null. */
  role: string | null;
  /** The agent that runs, or that the event belongs to (`gen_ai.agent.name`). */
  agent_name: string | null;
  /** A handoff's edge, from one agent to another. */
  handoff: { from: string | null; to: string | null } | null;
  /** The MCP server a tool call or listing went to. */
  mcp_server: string | null;
  /** `gen_ai.conversation.id`. */
  conversation_id: string | null;
}

export interface ExportedActionEvent extends ExportedEventBase, ExportedFrameworkFields {
  action_type: string | null;
  params: unknown;
  returns: unknown;
  logs: unknown;
  screenshot: string | null;
}

export interface ExportedToolEvent extends ExportedEventBase, ExportedFrameworkFields {
  /** `gen_ai.tool.name`, else the span name. */
  name: string;
  params: unknown;
  returns: unknown;
  logs: unknown;
  /** The MCP server that ran the tool (`mcp.server.name`); null for a tool not called over MCP. */
  mcp_server: string | null;
}

export interface ExportedErrorEvent extends ExportedEventBase {
  error_type: string | null;
  code: string | null;
  details: unknown;
  exception: { type: string | null; message: string | null; stacktrace: string | null } | null;
  /** The event that failed: `agentops.error.trigger_event_id`, or the failed LLM/tool call itself. */
  trigger_event_id: string | null;
}

/** `GET /v2/sessions/:id/export`. */
export interface SessionExport {
  session: SessionInfo;
  stats: SessionStats;
  actions: ExportedActionEvent[];
  llms: ExportedLlmEvent[];
  tools: ExportedToolEvent[];
  errors: ExportedErrorEvent[];
  /** Every score of the session, oldest first, with its comment and time. */
  scores: SessionScore[];
}

/** One span in `GET /v2/sessions/:id/spans`. */
export interface SpanResponse {
  trace_id: string;
  span_id: string;
  parent_span_id: string | null;
  name: string;
  /** The span's role in the session model (`session`, `marker`, `llm`, `tool`, `action`, `error`, `other`). */
  kind: string;
  start_time_unix_nano: string;
  end_time_unix_nano: string;
  start_timestamp: string;
  end_timestamp: string;
  duration_ms: number;
  status_code: number;
  status_message: string | null;
  attributes: Record<string, unknown>;
  resource: Record<string, unknown>;
  events: Array<{ name: string; time_unix_nano: string; timestamp: string; attributes: Record<string, unknown> }>;
  model: string | null;
  provider: string | null;
  prompt_tokens: number;
  completion_tokens: number;
  cached_tokens: number;
  reasoning_tokens: number;
  cost: number;
  is_error: boolean;
  end_state: EndState | null;
}

/** `GET /v2/sessions/:id/spans`. */
export interface SessionSpansResponse {
  session_id: string;
  spans: SpanResponse[];
}

/** An alert rule's condition (`/v2/alerts`), parsed from what was written (`cost_over:0.5`, …). */
export type AlertCondition =
  | { type: "cost_over"; usd: number }
  | { type: "errors_over"; count: number }
  | { type: "end_state"; state: "Failure" | "Indeterminate" }
  | { type: "duration_over"; ms: number };

/** An alert rule as `/v2/alerts` answers it: never with its secret. */
export interface PublicAlertRule {
  id: string;
  name: string;
  /** The condition as written: `cost_over:0.5`, `errors_over:3`, `end_state:Failure`, `duration_over:10m`. */
  when: string;
  condition: AlertCondition;
  webhook_url: string;
  created_at: string;
}

/** One attempt to deliver an alert, as recorded. */
export interface DeliveryAttempt {
  attempt: number;
  at: string;
  /** The webhook's HTTP status; null when no answer came (network error, timeout). */
  status: number | null;
  error: string | null;
  duration_ms: number;
}

/** One alert fired for a session, and what became of its delivery (`/v2/alerts/deliveries`). */
export interface AlertDelivery {
  id: string;
  rule_id: string;
  rule_name: string;
  when: string;
  session_id: string;
  webhook_url: string;
  fired_at: string;
  /** pending while attempts remain; delivered on a 2xx; failed when the attempts ran out. */
  status: "pending" | "delivered" | "failed";
  attempts: DeliveryAttempt[];
}
