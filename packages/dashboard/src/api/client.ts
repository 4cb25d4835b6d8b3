import { readSpansBody } from "./normalize-span";
import { readSpanStream } from "./span-stream";
import type {
  ProjectInfo,
  ScoreRequest,
  ScoreResponse,
  SessionScoresResponse,
  SessionSpan,
  SessionStats,
  SessionsPage,
  SessionsQuery,
  UsageQuery,
  UsageResponse,
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
    if (query.score_name) {
      params.set("score_name", query.score_name);
      if (query.min_score !== undefined) params.set("min_score", String(query.min_score));
      if (query.sort) params.set("sort", query.sort);
    }
    const search = params.toString();
    return this.json<SessionsPage>(`/v2/sessions${search ? `?${search}` : ""}`, signal);
  }

  /** The project's LLM calls summed per UTC day and model (exact: one aggregate on the server). */
  usage(query: UsageQuery, signal?: AbortSignal): Promise<UsageResponse> {
    const params = new URLSearchParams();
    if (query.from) params.set("from", query.from);
    if (query.to) params.set("to", query.to);
    if (query.tag) params.set("tag", query.tag);
    const search = params.toString();
    return this.json<UsageResponse>(`/v2/usage${search ? `?${search}` : ""}`, signal);
  }

  sessionStats(sessionId: string, signal?: AbortSignal): Promise<SessionStats> {
    return this.json<SessionStats>(`/v2/sessions/${encodeURIComponent(sessionId)}/stats`, signal);
  }

  /** Every score of the session, oldest first. */
  sessionScores(sessionId: string, signal?: AbortSignal): Promise<SessionScoresResponse> {
    return this.json<SessionScoresResponse>(`/v2/sessions/${encodeURIComponent(sessionId)}/scores`, signal);
  }

  /** Records a score of the session; a refused one rejects with the server's message. */
  async addScore(sessionId: string, score: ScoreRequest, signal?: AbortSignal): Promise<ScoreResponse> {
    const response = await this.request(`/v2/sessions/${encodeURIComponent(sessionId)}/scores`, signal, {
      method: "POST",
      body: score,
    });
    return (await response.json()) as ScoreResponse;
  }

  /** URL and headers of the session's spans, for a reader running elsewhere (a worker). */
  spansRequest(sessionId: string): { url: string; headers: Record<string, string> } {
    const url = new URL(`${this.baseUrl}/v2/sessions/${encodeURIComponent(sessionId)}/spans`, globalThis.location?.href).href;
    return { url, headers: { [API_KEY_HEADER]: this.apiKey, Accept: "application/json" } };
  }

  /**
   * Every span of the session, read on this thread while the response streams in and handed
   * over in growing batches (see {@link readSpanStream}), so a large session draws its first
   * events early.
   */
  async streamSessionSpans(sessionId: string, onSpans: (spans: SessionSpan[]) => void, signal?: AbortSignal): Promise<void> {
    const response = await this.request(`/v2/sessions/${encodeURIComponent(sessionId)}/spans`, signal);
    if (!response.body || typeof TextDecoder === "undefined") {
      onSpans(readSpansBody(await response.json()).spans);
      return;
    }
    await readSpanStream(response.body, onSpans, { yieldEveryMs: 40 });
  }

  /** Tells the client that a request made elsewhere was answered with `status` (401 signs out). */
  reportStatus(status: number): void {
    if (status === 401) this.options.onUnauthorized?.();
  }

  /** The export JSON as a Blob, ready to be offered as a download. */
  async exportSession(sessionId: string, signal?: AbortSignal): Promise<Blob> {
    const response = await this.request(`/v2/sessions/${encodeURIComponent(sessionId)}/export`, signal);
    return response.blob();
  }

  /**
   * A call that changes something (`POST` with a JSON body, `DELETE`); resolves with the answer's
   * JSON, or undefined for an answer without a body (204).
   */
  async send<T>(method: "POST" | "DELETE", path: string, body?: unknown, signal?: AbortSignal): Promise<T | undefined> {
    const response = await this.request(path, signal, { method, body });
    if (response.status === 204) return undefined;
    return (await response.json()) as T;
  }

  /** `GET` of a JSON answer. */
  getJson<T>(path: string, signal?: AbortSignal): Promise<T> {
    return this.json<T>(path, signal);
  }

  private async json<T>(path: string, signal?: AbortSignal): Promise<T> {
    const response = await this.request(path, signal);
    return (await response.json()) as T;
  }

  /** Error text of a failed answer; used by readers running elsewhere as well. */
  static async errorMessage(response: Response): Promise<string> {
    return errorMessage(response);
  }

  private async request(path: string, signal?: AbortSignal, change?: { method: string; body: unknown }): Promise<Response> {
    let response: Response;
    try {
      response = await fetch(this.baseUrl + path, {
        method: change?.method ?? "GET",
        headers: {
          [API_KEY_HEADER]: this.apiKey,
          Accept: "application/json",
          ...(change?.body !== undefined ? { "Content-Type": "application/json" } : {}),
        },
        ...(change?.body !== undefined ? { body: JSON.stringify(change.body) } : {}),
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

