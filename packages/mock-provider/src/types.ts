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
  /** Delay before answering, in ms. */
  latencyMs?: number;
  /** Text of the answer. */
  text?: string;
  /** Tool calls the model should make: name and JSON arguments. */
  toolCalls?: Array<{ name: string; arguments: Record<string, unknown>; id?: string }>;
  /** Usage overrides. */
  usage?: Partial<MockUsage>;
}

/** Token usage the mock reports, in the provider-neutral form; each wire format maps it to its own. */
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
