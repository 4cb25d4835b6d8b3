import type { SpanExporter } from "@opentelemetry/sdk-trace-base";
import type { PriceOverrides } from "@agentops/pricing";
import type { BudgetExceeded } from "./budget";
import type { LogLevel } from "./logger";

export type { LogLevel };

/** How a session ended. `"Fail"` is accepted as `"Failure"`. */
export type EndState = "Success" | "Failure" | "Indeterminate";

/**
 * Options of `init` and fields of `Configuration`. Each may also come from the environment
 * variable named; an explicit option wins over the environment, which wins over the default.
 */
export interface AgentOpsOptions {
  /** Project API key (`AGENTOPS_API_KEY`). Without one, nothing is exported; one warning says so. */
  apiKey?: string;
  /** Server base URL (`AGENTOPS_API_ENDPOINT`). Default `http://localhost:4318`. */
  endpoint?: string;
  /** Tags added to every session (`AGENTOPS_DEFAULT_TAGS`, comma list). Default `[]`. */
  defaultTags?: string[];
  /** Tags of the session `init` starts. Default `[]`. */
  tags?: string[];
  /** Start a session in `init` (`AGENTOPS_AUTO_START_SESSION`). Default `true`. */
  autoStartSession?: boolean;
  /** Join this session (UUID) instead of starting one (`AGENTOPS_INHERITED_SESSION_ID`). */
  inheritedSessionId?: string;
  /** Join the session of this W3C traceparent (`TRACEPARENT`); its span parents this process's spans. */
  traceparent?: string;
  /** Trace the openai, @anthropic-ai/sdk and @modelcontextprotocol/sdk clients (`AGENTOPS_INSTRUMENT_LLM_CALLS`). Default `true`. */
  instrumentLlmCalls?: boolean;
  /** Record prompts, completions, params and returns (`AGENTOPS_CAPTURE_CONTENT`). Default `true`. */
  captureContent?: boolean;
  /** Leave open sessions alone at exit and on signals (`AGENTOPS_SKIP_AUTO_END_SESSION`). Default `false`. */
  skipAutoEndSession?: boolean;
  /** Collect no host environment (`AGENTOPS_ENV_DATA_OPT_OUT`). Default `false`. */
  envDataOptOut?: boolean;
  /** Longest a finished event waits before export, and the bound of flushes, in ms (`AGENTOPS_MAX_WAIT_TIME`). Default `5000`. */
  maxWaitTime?: number;
  /** Spans per export batch (`AGENTOPS_MAX_QUEUE_SIZE`). Default `512`. */
  maxQueueSize?: number;
  /** Spans held awaiting export before new ones are dropped and counted (`AGENTOPS_MAX_BUFFER_SIZE`). Default `131072`. */
  maxBufferSize?: number;
  /** The SDK's log level (`AGENTOPS_LOG_LEVEL`). Default `warn`. */
  logLevel?: LogLevel;
  /** `service.name` (`OTEL_SERVICE_NAME`). Default: the app's package name, else `agentops-app`. */
  serviceName?: string;
  /** Extra OTLP request headers, on top of `OTEL_EXPORTER_OTLP_HEADERS` / `OTEL_EXPORTER_OTLP_TRACES_HEADERS`. */
  headers?: Record<string, string>;
  /** Model prices in USD per million tokens that win over the built-in table. */
  prices?: PriceOverrides;
  /** Replaces the OTLP exporter, e.g. an `InMemorySpanExporter` in tests. */
  exporter?: SpanExporter;
  /** Budget of each session in USD (`AGENTOPS_MAX_COST_USD`): reaching it aborts `session.signal`. */
  maxCostUsd?: number;
  /** Budget of each session in LLM calls (`AGENTOPS_MAX_LLM_CALLS`). */
  maxLlmCalls?: number;
  /** Called once when a session reaches a budget limit. */
  onBudgetExceeded?: (exceeded: BudgetExceeded) => void;
  /**
   * Refuse LLM calls of a session over budget (`AGENTOPS_ENFORCE_BUDGET`): the instrumented
   * client call rejects with a `BudgetExceededError` and is not sent. Default `false`.
   */
  enforceBudget?: boolean;
  /**
   * Masks content before it is exported: called with each content attribute value (prompts,
   * completions, params, returns, tool input and output) of every exported span, ours and other
   * instrumentations', and its key; returns what is exported instead.
   */
  mask?: (value: string, key: string) => string;
}

/** What `getAnalytics()` returns. */
export interface SessionAnalytics {
  llmCalls: number;
  toolCalls: number;
  actions: number;
  errors: number;
  promptTokens: number;
  completionTokens: number;
  totalTokens: number;
  /** Milliseconds from start to end (or to now while running). */
  durationMs: number;
  /** The same as text, e.g. `"1m 2.3s"`. */
  duration: string;
  /** Total cost in USD, 6 decimals. */
  cost: string;
}

/** The host environment collected at start (absent when opted out). */
export type HostEnv = Record<string, string | number | boolean | string[]>;

/** A point in time as events and sessions accept it. */
export type TimestampInput = string | number | Date;

/** What the exporter has done so far (for diagnostics and tests). */
export interface ExportStats {
  /** Spans accepted by the server. */
  exported: number;
  /** Spans dropped because the buffer was full. */
  droppedBufferFull: number;
  /** Spans dropped because the server refused them for good (e.g. 400, 401, 413). */
  droppedRejected: number;
  /** Spans waiting in memory. */
  queued: number;
  /** Export attempts that failed and were retried. */
  retries: number;
}
