import type {
  ProjectInfo,
  SessionSpan,
  SessionStats,
  SessionsPage,
  SessionsQuery,
  SpanKind,
} from "./types";

/** The header that carries the API key on every request. The key never goes in a URL. */
export const API_KEY_HEADER = "X-Agentops-Api-Key";

/** A non-2xx answer of the server (or a network failure, with status 0). */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
    this.name = "ApiError";
  }
}

export interface ApiClientOptions {
  /** Origin and path prefix of the server; default "" (the origin that served the dashboard). */
  baseUrl?: string;
  /** Called once per 401 answer, so the app can sign out. */
  onUnauthorized?: () => void;
}

/**
 * The server's REST API, with the key in a header. Every method takes an optional AbortSignal so
 * a page that is left (or refreshed by polling) cancels what it no longer needs.
 */
export class ApiClient {
  private readonly baseUrl: string;

  constructor(
    private readonly apiKey: string,
    private readonly options: ApiClientOptions = {},
  ) {
    this.baseUrl = (options.baseUrl ?? "").replace(/\/$/, "");
  }

  project(signal?: AbortSignal): Promise<ProjectInfo> {
    return this.json<ProjectInfo>("/v2/project", signal);
  }

  listSessions(query: SessionsQuery, signal?: AbortSignal): Promise<SessionsPage> {
    const params = new URLSearchParams();
    if (query.limit !== undefined) params.set("limit", String(query.limit));
    if (query.cursor) params.set("cursor", query.cursor);
    if (query.tag) params.set("tag", query.tag);
    if (query.end_state) params.set("end_state", query.end_state);
    if (query.from) params.set("from", query.from);
    if (query.to) params.set("to", query.to);
    const search = params.toString();
    return this.json<SessionsPage>(`/v2/sessions${search ? `?${search}` : ""}`, signal);
  }

  sessionStats(sessionId: string, signal?: AbortSignal): Promise<SessionStats> {
    return this.json<SessionStats>(`/v2/sessions/${encodeURIComponent(sessionId)}/stats`, signal);
  }

  /** Every span of the session, normalised for the waterfall, ordered by start time. */
  async sessionSpans(sessionId: string, signal?: AbortSignal): Promise<SessionSpanResult> {
    const body = await this.json<unknown>(`/v2/sessions/${encodeURIComponent(sessionId)}/spans`, signal);
    return readSpansBody(body);
  }

  /** The export JSON as a Blob, ready to be offered as a download. */
  async exportSession(sessionId: string, signal?: AbortSignal): Promise<Blob> {
    const response = await this.request(`/v2/sessions/${encodeURIComponent(sessionId)}/export`, signal);
    return response.blob();
  }

  private async json<T>(path: string, signal?: AbortSignal): Promise<T> {
    const response = await this.request(path, signal);
    return (await response.json()) as T;
  }

  private async request(path: string, signal?: AbortSignal): Promise<Response> {
    let response: Response;
    try {
      response = await fetch(this.baseUrl + path, {
        headers: { [API_KEY_HEADER]: this.apiKey, Accept: "application/json" },
        signal,
        cache: "no-store",
        credentials: "omit",
      });
    } catch (error) {
      if (isAbort(error)) throw error;
      throw new ApiError(0, "The server cannot be reached.");
    }
    if (!response.ok) {
      if (response.status === 401) this.options.onUnauthorized?.();
      throw new ApiError(response.status, await errorMessage(response));
    }
    return response;
  }
}

/** Whether an error is the rejection of an aborted request (not worth showing). */
export function isAbort(error: unknown): boolean {
  return error instanceof DOMException && error.name === "AbortError";
}

async function errorMessage(response: Response): Promise<string> {
  const fallback =
    response.status === 401
      ? "This API key is not valid."
      : response.status === 404
        ? "Not found."
        : `The server answered ${response.status}.`;
  try {
    const body = (await response.json()) as { message?: unknown; error?: unknown };
    const text = typeof body.message === "string" ? body.message : typeof body.error === "string" ? body.error : "";
    return text ? `${fallback} ${text}` : fallback;
  } catch {
    return fallback;
  }
}

export interface SessionSpanResult {
  spans: SessionSpan[];
  /** True when the server cut the list short (a cap on very large sessions). */
  truncated: boolean;
}

const SPAN_KINDS = new Set<SpanKind>(["session", "marker", "llm", "tool", "action", "error", "other"]);

/** Reads the spans body: `{ spans: [...] }` or a bare array, snake_case or camelCase fields. */
export function readSpansBody(body: unknown): SessionSpanResult {
  const record = (body ?? {}) as Record<string, unknown>;
  const list = Array.isArray(body) ? body : Array.isArray(record.spans) ? record.spans : [];
  const spans: SessionSpan[] = [];
  for (const item of list) {
    const span = normalizeSpan(item);
    if (span) spans.push(span);
  }
  spans.sort((a, b) => a.startMs - b.startMs || a.endMs - b.endMs);
  return { spans, truncated: record.truncated === true };
}

/** One span of the spans body → {@link SessionSpan}; `undefined` when it has no span id. */
export function normalizeSpan(value: unknown): SessionSpan | undefined {
  if (!value || typeof value !== "object") return undefined;
  const raw = value as Record<string, unknown>;
  const pick = (...names: string[]): unknown => {
    for (const name of names) if (raw[name] !== undefined && raw[name] !== null) return raw[name];
    return undefined;
  };
  const spanId = pick("span_id", "spanId");
  if (typeof spanId !== "string") return undefined;
  const parent = pick("parent_span_id", "parentSpanId");
  const kind = pick("kind", "event_kind", "eventKind");
  const startMs = toMs(pick("start_ms", "startMs"), pick("start_time_unix_nano", "startTimeUnixNano"), pick("start_time", "start_timestamp"));
  const endMs = toMs(pick("end_ms", "endMs"), pick("end_time_unix_nano", "endTimeUnixNano"), pick("end_time", "end_timestamp"));
  const status = pick("status") as Record<string, unknown> | undefined;
  return {
    spanId,
    parentSpanId: typeof parent === "string" && parent !== "" ? parent : null,
    name: String(pick("name") ?? ""),
    kind: typeof kind === "string" && SPAN_KINDS.has(kind as SpanKind) ? (kind as SpanKind) : "other",
    startMs,
    endMs: Math.max(endMs, startMs),
    statusCode: Number(pick("status_code", "statusCode") ?? status?.code ?? 0),
    statusMessage: (pick("status_message", "statusMessage") ?? status?.message ?? null) as string | null,
    attributes: asRecord(pick("attributes")),
    resource: asRecord(pick("resource", "resource_attributes")),
    events: Array.isArray(raw.events) ? (raw.events as SessionSpan["events"]) : [],
    model: (pick("model") as string | undefined) ?? null,
    promptTokens: Number(pick("prompt_tokens", "promptTokens") ?? 0),
    completionTokens: Number(pick("completion_tokens", "completionTokens") ?? 0),
    cost: Number(pick("cost") ?? 0),
    isError: Boolean(pick("is_error", "isError")),
  };
}

function asRecord(value: unknown): Record<string, unknown> {
  return value && typeof value === "object" && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
}

function toMs(ms: unknown, nanos: unknown, iso: unknown): number {
  if (typeof ms === "number" && Number.isFinite(ms)) return ms;
  if (typeof nanos === "string" && /^\d+$/.test(nanos)) {
    // Split to keep precision: epoch nanoseconds exceed 2^53.
    const whole = nanos.length > 6 ? Number(nanos.slice(0, -6)) : 0;
    const fraction = Number(nanos.slice(-6)) / 1e6;
    return whole + fraction;
  }
  if (typeof iso === "string") {
    const parsed = Date.parse(iso);
    if (!Number.isNaN(parsed)) return parsed;
  }
  return 0;
}

