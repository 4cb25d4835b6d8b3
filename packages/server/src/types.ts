import type { FastifyBaseLogger } from "fastify";
import type { ApiKeyVerifierOptions } from "./auth/keys";
import type { CredentialVerifier } from "./auth/authenticate";
import type { IngestQueueOptions } from "./ingest/ingest-queue";
import type { RateLimitOptions } from "./ingest/rate-limiter";
import type { TokenOptions } from "./auth/project-tokens";
import type { EndState, SessionInfo, SessionStats, Storage, UsageRow } from "./storage/types";

/** Options of {@link createServer}. Only `storage` is required. */
export interface ServerOptions {
  /** The store (see `openStorage`). The server never closes it: its owner does. */
  storage: Storage;
  /**
   * Largest OTLP request body, in bytes, counted both as received and after decompression.
   * Default 8 MiB (8,388,608).
   */
  bodyLimitBytes?: number;
  /**
   * Per-key token bucket on `POST /v1/traces`; over it, 429 with `Retry-After`. `false` turns it
   * off. Default `{ requestsPerSecond: 1000, burst: 2000 }`.
   */
  rateLimit?: RateLimitOptions | false;
  /** The bounded queue between the receiver and the store (503 + `Retry-After` when full). */
  ingestQueue?: IngestQueueOptions;
  /**
   * OTLP requests being read, decoded or stored at once; more get 503 + `Retry-After`, which
   * bounds memory to about this many request bodies. Default 32.
   */
  maxConcurrentIngestRequests?: number;
  /**
   * Folder of the built dashboard, served at `/` with SPA fallback. Default: the `dist` folder of
   * the `@agentops/dashboard` package when it is installed, else none. `false`: serve none.
   */
  dashboardDir?: string | false;
  /** Fastify logger: `true` for JSON lines on stdout, a pino-compatible logger, or `false` (default). */
  logger?: boolean | FastifyBaseLogger;
  /**
   * Extra verifiers for `Authorization: Bearer` credentials, tried in order before API keys
   * (e.g. signed short-lived tokens). Default none.
   */
  bearerVerifiers?: CredentialVerifier[];
  /**
   * Tokens of `POST /v3/auth/token` (HS256, signed with a secret generated once and kept in the
   * database unless given). Default lifetime 24 h. See {@link TokenOptions}.
   */
  tokens?: TokenOptions;
  /** Cache of verified API keys. Default 1,000 keys for 60 s. */
  keyCache?: ApiKeyVerifierOptions;
  /** Clock (epoch ms) for session timeouts, rate limits and token expiry; for tests. Default `Date.now`. */
  now?: () => number;
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

export interface ExportedActionEvent extends ExportedEventBase {
  action_type: string | null;
  params: unknown;
  returns: unknown;
  logs: unknown;
  screenshot: string | null;
}

export interface ExportedToolEvent extends ExportedEventBase {
  /** `gen_ai.tool.name`, else the span name. */
  name: string;
  params: unknown;
  returns: unknown;
  logs: unknown;
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
