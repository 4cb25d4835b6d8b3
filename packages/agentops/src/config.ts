import type { SpanExporter } from "@opentelemetry/sdk-trace-base";
import type { PriceOverrides } from "@agentops/pricing";
import { validLimit, type BudgetExceeded } from "./budget";
import { isLogLevel, logger, type LogLevel } from "./logger";
import type { AgentOpsOptions } from "./types";

/** Defaults of every option, as documented in the README and the JSDoc of {@link AgentOpsOptions}. */
export const DEFAULTS = {
  endpoint: "http://localhost:4318",
  autoStartSession: true,
  instrumentLlmCalls: true,
  captureContent: true,
  skipAutoEndSession: false,
  envDataOptOut: false,
  maxWaitTime: 5_000,
  maxQueueSize: 512,
  maxBufferSize: 131_072,
  logLevel: "warn" as LogLevel,
} as const;

type Env = Record<string, string | undefined>;

const TRUE = new Set(["true", "1", "yes", "on"]);
const FALSE = new Set(["false", "0", "no", "off"]);

function envBoolean(env: Env, name: string): boolean | undefined {
  const raw = env[name];
  if (raw === undefined || raw.trim() === "") return undefined;
  const value = raw.trim().toLowerCase();
  if (TRUE.has(value)) return true;
  if (FALSE.has(value)) return false;
  logger.warn(`${name}=${JSON.stringify(raw)} is not a boolean (true/false); using the default.`);
  return undefined;
}

function envNumber(env: Env, name: string): number | undefined {
  const raw = env[name];
  if (raw === undefined || raw.trim() === "") return undefined;
  const value = Number(raw);
  if (Number.isFinite(value)) return value;
  logger.warn(`${name}=${JSON.stringify(raw)} is not a number; using the default.`);
  return undefined;
}

function envList(env: Env, name: string): string[] | undefined {
  const raw = env[name];
  if (raw === undefined || raw.trim() === "") return undefined;
  return raw
    .split(",")
    .map((tag) => tag.trim())
    .filter(Boolean);
}

function positiveInteger(name: string, value: unknown, fallback: number, minimum = 1): number {
  if (value === undefined) return fallback;
  if (typeof value === "number" && Number.isFinite(value) && value >= minimum) return Math.floor(value);
  logger.warn(`${name} must be a number >= ${minimum}; got ${String(value)}, using ${fallback}.`);
  return fallback;
}

function booleanOption(name: string, value: unknown, fallback: boolean): boolean {
  if (value === undefined) return fallback;
  if (typeof value === "boolean") return value;
  logger.warn(`${name} must be a boolean; got ${String(value)}, using ${fallback}.`);
  return fallback;
}

function functionOption<F extends (...args: never[]) => unknown>(name: string, value: F | undefined): F | undefined {
  if (value === undefined || typeof value === "function") return value;
  logger.warn(`${name} must be a function; ignoring ${String(value)}.`);
  return undefined;
}

function tagList(name: string, value: unknown): string[] | undefined {
  if (value === undefined) return undefined;
  if (Array.isArray(value)) return value.filter((tag) => typeof tag === "string" && tag !== "") as string[];
  if (typeof value === "string") return value.split(",").map((tag) => tag.trim()).filter(Boolean);
  logger.warn(`${name} must be an array of strings; ignoring ${String(value)}.`);
  return undefined;
}

/** A W3C traceparent header value, parsed. */
export interface TraceParent {
  traceId: string;
  spanId: string;
  traceFlags: number;
}

const TRACEPARENT = /^([0-9a-f]{2})-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})$/;

/** Parses `00-<trace id>-<span id>-<flags>`; `undefined` when malformed or all-zero. */
export function parseTraceParent(value: string | undefined): TraceParent | undefined {
  if (!value) return undefined;
  const match = TRACEPARENT.exec(value.trim().toLowerCase());
  if (!match || match[1] === "ff") return undefined;
  const [, , traceId, spanId, flags] = match;
  if (/^0+$/.test(traceId!) || /^0+$/.test(spanId!)) return undefined;
  return { traceId: traceId!, spanId: spanId!, traceFlags: parseInt(flags!, 16) };
}

/** Parses `key=value,key2=value2` (OTEL_EXPORTER_OTLP_HEADERS), URL-decoding the values. */
export function parseHeaderList(raw: string | undefined): Record<string, string> {
  const headers: Record<string, string> = {};
  if (!raw) return headers;
  for (const pair of raw.split(",")) {
    const index = pair.indexOf("=");
    if (index <= 0) continue;
    const key = pair.slice(0, index).trim();
    const value = pair.slice(index + 1).trim();
    try {
      headers[key] = decodeURIComponent(value);
    } catch {
      headers[key] = value;
    }
  }
  return headers;
}

/**
 * The SDK's configuration, resolved once: explicit option, then environment, then default.
 * `init` builds one for the client; `startSession({ config })` may pass another for one session.
 *
 * @example
 * const config = new Configuration({ apiKey: "ak_…", maxWaitTime: 2000 });
 */
export class Configuration {
  /** API key of the project; without one nothing is exported (sessions still work locally). */
  readonly apiKey: string | undefined;
  /** Base URL of the server. Default `http://localhost:4318`; OTLP goes to `${endpoint}/v1/traces`. */
  readonly endpoint: string;
  /** Tags added to every session. Default `[]`. */
  readonly defaultTags: string[];
  /** Tags of the session `init` starts. Default `[]`. */
  readonly tags: string[];
  /** Whether `init` starts a session. Default `true`. */
  readonly autoStartSession: boolean;
  /** A session id (UUID) to join instead of starting a new session. */
  readonly inheritedSessionId: string | undefined;
  /** A W3C traceparent to join (from `TRACEPARENT`); its span becomes the parent of this process's spans. */
  readonly traceParent: TraceParent | undefined;
  /** Whether the openai, @anthropic-ai/sdk and @modelcontextprotocol/sdk clients are traced. Default `true`. */
  readonly instrumentLlmCalls: boolean;
  /** Whether prompts, completions, params and returns are recorded. Default `true`. */
  readonly captureContent: boolean;
  /** Whether the SDK leaves open sessions alone at exit. Default `false`. */
  readonly skipAutoEndSession: boolean;
  /** Whether host environment collection is off. Default `false`. */
  readonly envDataOptOut: boolean;
  /** Longest a finished event waits before export, and the bound of every flush, in ms. Default `5000`. */
  readonly maxWaitTime: number;
  /** Spans per export batch. Default `512`. */
  readonly maxQueueSize: number;
  /** Spans held in memory awaiting export; beyond it new spans are dropped and counted. Default `131072`. */
  readonly maxBufferSize: number;
  /** Level of the SDK's own log output. Default `warn`. */
  readonly logLevel: LogLevel;
  /** `service.name` of the resource. Default: `OTEL_SERVICE_NAME`, else the app's package name, else `agentops-app`. */
  readonly serviceName: string | undefined;
  /** Extra headers for the OTLP requests (from `OTEL_EXPORTER_OTLP_HEADERS` / `…_TRACES_HEADERS`). */
  readonly headers: Record<string, string>;
  /** Prices (USD per million tokens) that win over the built-in table. */
  readonly prices: PriceOverrides | undefined;
  /** Replaces the OTLP exporter (for example an InMemorySpanExporter in tests). */
  readonly exporter: SpanExporter | undefined;
  /** Budget of each session in USD; undefined: none. */
  readonly maxCostUsd: number | undefined;
  /** Budget of each session in LLM calls; undefined: none. */
  readonly maxLlmCalls: number | undefined;
  /** Called once when a session reaches a budget limit. */
  readonly onBudgetExceeded: ((exceeded: BudgetExceeded) => void) | undefined;
  /** Whether instrumented LLM calls of a session over budget are refused. Default `false`. */
  readonly enforceBudget: boolean;
  /** Masks content attribute values before export; undefined: exported as recorded. */
  readonly mask: ((value: string, key: string) => string) | undefined;

  constructor(options: AgentOpsOptions = {}, env: Env = process.env) {
    const o = (options ?? {}) as AgentOpsOptions;
    this.apiKey = (typeof o.apiKey === "string" && o.apiKey.trim()) || env.AGENTOPS_API_KEY?.trim() || undefined;
    const endpoint = (typeof o.endpoint === "string" && o.endpoint) || env.AGENTOPS_API_ENDPOINT || DEFAULTS.endpoint;
    this.endpoint = normalizeEndpoint(endpoint);
    this.defaultTags = tagList("defaultTags", o.defaultTags) ?? envList(env, "AGENTOPS_DEFAULT_TAGS") ?? [];
    this.tags = tagList("tags", o.tags) ?? [];
    this.autoStartSession = booleanOption(
      "autoStartSession",
      o.autoStartSession,
      envBoolean(env, "AGENTOPS_AUTO_START_SESSION") ?? DEFAULTS.autoStartSession,
    );
    const inherited = (typeof o.inheritedSessionId === "string" && o.inheritedSessionId) || env.AGENTOPS_INHERITED_SESSION_ID || undefined;
    this.inheritedSessionId = inherited?.trim() || undefined;
    this.traceParent = parseTraceParent(o.traceparent ?? env.TRACEPARENT);
    this.instrumentLlmCalls = booleanOption(
      "instrumentLlmCalls",
      o.instrumentLlmCalls,
      envBoolean(env, "AGENTOPS_INSTRUMENT_LLM_CALLS") ?? DEFAULTS.instrumentLlmCalls,
    );
    this.captureContent = booleanOption(
      "captureContent",
      o.captureContent,
      envBoolean(env, "AGENTOPS_CAPTURE_CONTENT") ?? DEFAULTS.captureContent,
    );
    this.skipAutoEndSession = booleanOption(
      "skipAutoEndSession",
      o.skipAutoEndSession,
      envBoolean(env, "AGENTOPS_SKIP_AUTO_END_SESSION") ?? DEFAULTS.skipAutoEndSession,
    );
    this.envDataOptOut = booleanOption(
      "envDataOptOut",
      o.envDataOptOut,
      envBoolean(env, "AGENTOPS_ENV_DATA_OPT_OUT") ?? DEFAULTS.envDataOptOut,
    );
    this.maxWaitTime = positiveInteger("maxWaitTime", o.maxWaitTime ?? envNumber(env, "AGENTOPS_MAX_WAIT_TIME"), DEFAULTS.maxWaitTime);
    this.maxQueueSize = positiveInteger("maxQueueSize", o.maxQueueSize ?? envNumber(env, "AGENTOPS_MAX_QUEUE_SIZE"), DEFAULTS.maxQueueSize);
    this.maxBufferSize = positiveInteger(
      "maxBufferSize",
      o.maxBufferSize ?? envNumber(env, "AGENTOPS_MAX_BUFFER_SIZE"),
      DEFAULTS.maxBufferSize,
    );
    if (this.maxBufferSize < this.maxQueueSize) {
      logger.warn(`maxBufferSize (${this.maxBufferSize}) is below maxQueueSize (${this.maxQueueSize}); raising it to match.`);
      this.maxBufferSize = this.maxQueueSize;
    }
    const level = (typeof o.logLevel === "string" ? o.logLevel : env.AGENTOPS_LOG_LEVEL)?.toLowerCase();
    if (level !== undefined && !isLogLevel(level)) {
      logger.warn(`logLevel ${JSON.stringify(level)} is not one of none, error, warn, info, debug, verbose, all; using warn.`);
    }
    this.logLevel = level !== undefined && isLogLevel(level) ? level : DEFAULTS.logLevel;
    this.serviceName = o.serviceName || env.OTEL_SERVICE_NAME || undefined;
    this.headers = {
      ...parseHeaderList(env.OTEL_EXPORTER_OTLP_HEADERS),
      ...parseHeaderList(env.OTEL_EXPORTER_OTLP_TRACES_HEADERS),
      ...(o.headers ?? {}),
    };
    this.prices = o.prices;
    this.exporter = o.exporter;
    this.maxCostUsd = validLimit("maxCostUsd", o.maxCostUsd ?? envNumber(env, "AGENTOPS_MAX_COST_USD"));
    this.maxLlmCalls = validLimit("maxLlmCalls", o.maxLlmCalls ?? envNumber(env, "AGENTOPS_MAX_LLM_CALLS"));
    this.onBudgetExceeded = functionOption("onBudgetExceeded", o.onBudgetExceeded);
    this.enforceBudget = booleanOption("enforceBudget", o.enforceBudget, envBoolean(env, "AGENTOPS_ENFORCE_BUDGET") ?? false);
    this.mask = functionOption("mask", o.mask);
  }

  /** This configuration with some fields replaced (the rest as resolved here). */
  with(overrides: AgentOpsOptions): Configuration {
    return new Configuration({ ...this.toOptions(), ...overrides }, {});
  }

  /** The resolved values as options (environment already applied). */
  toOptions(): AgentOpsOptions {
    return {
      apiKey: this.apiKey,
      endpoint: this.endpoint,
      defaultTags: [...this.defaultTags],
      tags: [...this.tags],
      autoStartSession: this.autoStartSession,
      inheritedSessionId: this.inheritedSessionId,
      traceparent: this.traceParent ? `00-${this.traceParent.traceId}-${this.traceParent.spanId}-01` : undefined,
      instrumentLlmCalls: this.instrumentLlmCalls,
      captureContent: this.captureContent,
      skipAutoEndSession: this.skipAutoEndSession,
      envDataOptOut: this.envDataOptOut,
      maxWaitTime: this.maxWaitTime,
      maxQueueSize: this.maxQueueSize,
      maxBufferSize: this.maxBufferSize,
      logLevel: this.logLevel,
      serviceName: this.serviceName,
      headers: { ...this.headers },
      prices: this.prices,
      exporter: this.exporter,
      maxCostUsd: this.maxCostUsd,
      maxLlmCalls: this.maxLlmCalls,
      onBudgetExceeded: this.onBudgetExceeded,
      enforceBudget: this.enforceBudget,
      mask: this.mask,
    };
  }
}

function normalizeEndpoint(endpoint: string): string {
  let value = endpoint.trim().replace(/\/+$/, "");
  if (value.endsWith("/v1/traces")) value = value.slice(0, -"/v1/traces".length);
  try {
    new URL(value);
    return value;
  } catch {
    logger.warn(`endpoint ${JSON.stringify(endpoint)} is not a URL; using ${DEFAULTS.endpoint}.`);
    return DEFAULTS.endpoint;
  }
}
