import type { IncomingMessage, ServerResponse } from "node:http";

/**
 * A scripted answer for the next matching request, instead of the default generated one.
 * `status` >= 400 answers with that provider's error body; `destroy` drops the connection;
 * `latencyMs` delays the answer (or, for streams, each event).
 */
export interface ScriptedResponse {
  /** Only for requests whose path ends with this (e.g. "/chat/completions", "/messages"). Default: any. */
  path?: string;
  status?: number;
  /** Error message for status >= 400. */
  message?: string;
  /** Extra response headers (e.g. `{ "retry-after": "1" }`). */
  headers?: Record<string, string>;
  /** Close the socket without answering (a connection error for the client). */
  destroy?: boolean;
  /**
   * For streamed answers: close the socket after writing this many events, so the client sees the
   * stream fail midway. Ignored for non-streamed answers.
   */
  destroyAfterEvents?: number;
  /** Delay before answering, in ms. */
  latencyMs?: number;
  /** Text of the answer. */
  text?: string;
  /** Tool calls the model should make: name and JSON arguments. */
  toolCalls?: Array<{ name: string; arguments: Record<string, unknown>; id?: string }>;
  /** Usage overrides. */
  usage?: Partial<MockUsage>;
}

/**
 * Token usage the mock reports, in the provider-neutral form; each wire format maps it to its own.
 * Follows the GenAI convention: `inputTokens` includes cache reads and writes, `outputTokens`
 * includes reasoning tokens.
 */
export interface MockUsage {
  inputTokens: number;
  outputTokens: number;
  cacheReadTokens: number;
  cacheWriteTokens: number;
  reasoningTokens: number;
}

/** What each handler gets: the parsed JSON body and the next scripted answer, if any. */
export interface HandlerContext {
  request: IncomingMessage;
  response: ServerResponse;
  body: any;
  scripted: ScriptedResponse | undefined;
  /** Default per-event delay for streams, in ms. */
  streamDelayMs: number;
}

/** A provider's routes: returns true when it handled the request. */
export type RouteHandler = (path: string, context: HandlerContext) => Promise<boolean>;

/** Options of {@link startMockProvider}. */
export interface MockProviderOptions {
  /** Port to listen on; `0` picks a free one. Default: `0`. */
  port?: number;
  /** Address to listen on. Default: `"127.0.0.1"`. */
  host?: string;
  /** Delay between streamed events, in ms (a scripted `latencyMs` wins). Default: `0`. */
  streamDelayMs?: number;
}

/** A request the mock received, in arrival order. */
export interface RecordedRequest {
  method: string;
  /** Path without the query string, e.g. `/v1/chat/completions`. */
  path: string;
  headers: Record<string, string | string[] | undefined>;
  /** The JSON body, parsed; the raw text when it is not JSON; `undefined` when empty. */
  body: any;
}

/** A running mock provider. */
export interface MockProvider {
  /** `http://HOST:PORT`, without a trailing slash. */
  readonly url: string;
  /** The port actually bound. */
  readonly port: number;
  /** `${url}/v1`: the `baseURL` of an `openai` client. */
  readonly openaiBaseURL: string;
  /** `${url}`: the `baseURL` of an `@anthropic-ai/sdk` client. */
  readonly anthropicBaseURL: string;
  /** Every request received since start or the last {@link MockProvider.reset}. */
  readonly requests: RecordedRequest[];
  /** Queues answers; each is consumed by the first later request it matches (see `path`). */
  script(...responses: ScriptedResponse[]): void;
  /** Forgets queued answers and recorded requests. */
  reset(): void;
  /** Stops listening and drops open connections. */
  close(): Promise<void>;
}
