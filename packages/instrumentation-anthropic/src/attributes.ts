import { anthropicInputTokens } from "@agentops/pricing";
import {
  ATTR_ERROR_TYPE,
  ATTR_GEN_AI_INPUT_MESSAGES,
  ATTR_GEN_AI_OPERATION_NAME,
  ATTR_GEN_AI_OUTPUT_MESSAGES,
  ATTR_GEN_AI_PROVIDER_NAME,
  ATTR_GEN_AI_REQUEST_MAX_TOKENS,
  ATTR_GEN_AI_REQUEST_MODEL,
  ATTR_GEN_AI_REQUEST_STOP_SEQUENCES,
  ATTR_GEN_AI_REQUEST_STREAM,
  ATTR_GEN_AI_REQUEST_TEMPERATURE,
  ATTR_GEN_AI_REQUEST_TOP_K,
  ATTR_GEN_AI_REQUEST_TOP_P,
  ATTR_GEN_AI_RESPONSE_FINISH_REASONS,
  ATTR_GEN_AI_RESPONSE_ID,
  ATTR_GEN_AI_RESPONSE_MODEL,
  ATTR_GEN_AI_SYSTEM,
  ATTR_GEN_AI_SYSTEM_INSTRUCTIONS,
  ATTR_GEN_AI_TOOL_DEFINITIONS,
  ATTR_GEN_AI_USAGE_CACHE_CREATION_INPUT_TOKENS,
  ATTR_GEN_AI_USAGE_CACHE_READ_INPUT_TOKENS,
  ATTR_GEN_AI_USAGE_INPUT_TOKENS,
  ATTR_GEN_AI_USAGE_OUTPUT_TOKENS,
  ATTR_GEN_AI_USAGE_REASONING_OUTPUT_TOKENS,
  ATTR_SERVER_ADDRESS,
  ATTR_SERVER_PORT,
  GenAiOperationValues,
  GenAiProviderValues,
} from "@agentops/semconv";
import { SpanStatusCode, type Attributes, type Span } from "@opentelemetry/api";
import {
  inputMessagesJson,
  outputMessagesJson,
  systemInstructionsJson,
  toolDefinitionsJson,
} from "./content";

/**
 * Token counts of one Message in Anthropic's own convention (`input` leaves out cache reads and
 * writes). `undefined` means the API did not say.
 */
export interface AnthropicUsage {
  input: number | undefined;
  output: number | undefined;
  cacheRead: number | undefined;
  cacheCreation: number | undefined;
  thinking: number | undefined;
}

export function emptyUsage(): AnthropicUsage {
  return {
    input: undefined,
    output: undefined,
    cacheRead: undefined,
    cacheCreation: undefined,
    thinking: undefined,
  };
}

function count(value: unknown): number | undefined {
  return typeof value === "number" && Number.isFinite(value) ? value : undefined;
}

/**
 * Merges the counts of `source` (a Message's `usage`, or the cumulative `usage` of a
 * `message_delta`) into `into`; absent or null counts keep what `into` had.
 */
export function mergeUsage(into: AnthropicUsage, source: unknown): void {
  if (typeof source !== "object" || source === null) return;
  const usage = source as Record<string, unknown>;
  into.input = count(usage.input_tokens) ?? into.input;
  into.output = count(usage.output_tokens) ?? into.output;
  into.cacheRead = count(usage.cache_read_input_tokens) ?? into.cacheRead;
  into.cacheCreation = count(usage.cache_creation_input_tokens) ?? into.cacheCreation;
  const details = usage.output_tokens_details as Record<string, unknown> | null | undefined;
  if (details) into.thinking = count(details.thinking_tokens) ?? into.thinking;
}

/**
 * Writes the usage in the GenAI convention: `gen_ai.usage.input_tokens` is Anthropic's
 * `input_tokens` plus cache reads plus cache writes, beside the two cache counts themselves.
 */
export function setUsageAttributes(span: Span, usage: AnthropicUsage): void {
  if (
    usage.input !== undefined ||
    usage.cacheRead !== undefined ||
    usage.cacheCreation !== undefined
  ) {
    span.setAttribute(
      ATTR_GEN_AI_USAGE_INPUT_TOKENS,
      anthropicInputTokens(usage.input ?? 0, usage.cacheRead, usage.cacheCreation),
    );
  }
  if (usage.output !== undefined) span.setAttribute(ATTR_GEN_AI_USAGE_OUTPUT_TOKENS, usage.output);
  if (usage.cacheRead !== undefined)
    span.setAttribute(ATTR_GEN_AI_USAGE_CACHE_READ_INPUT_TOKENS, usage.cacheRead);
  if (usage.cacheCreation !== undefined)
    span.setAttribute(ATTR_GEN_AI_USAGE_CACHE_CREATION_INPUT_TOKENS, usage.cacheCreation);
  if (usage.thinking !== undefined)
    span.setAttribute(ATTR_GEN_AI_USAGE_REASONING_OUTPUT_TOKENS, usage.thinking);
}

/** What the span records of a response, whether read whole or rebuilt from stream events. */
export interface ResponseSummary {
  id: string | undefined;
  model: string | undefined;
  stopReason: string | undefined;
  usage: AnthropicUsage;
  /** Content blocks, only when content capture is on. */
  content: unknown[] | undefined;
}

export function setResponseAttributes(
  span: Span,
  summary: ResponseSummary,
  captureContent: boolean,
): void {
  if (summary.id !== undefined) span.setAttribute(ATTR_GEN_AI_RESPONSE_ID, summary.id);
  if (summary.model !== undefined) span.setAttribute(ATTR_GEN_AI_RESPONSE_MODEL, summary.model);
  if (summary.stopReason !== undefined)
    span.setAttribute(ATTR_GEN_AI_RESPONSE_FINISH_REASONS, [summary.stopReason]);
  setUsageAttributes(span, summary.usage);
  if (captureContent && summary.content !== undefined) {
    span.setAttribute(
      ATTR_GEN_AI_OUTPUT_MESSAGES,
      outputMessagesJson(summary.content, summary.stopReason),
    );
  }
}

/** Reads a complete Message (the client's parsed response). */
export function summarizeMessage(message: unknown, captureContent: boolean): ResponseSummary {
  const body = (typeof message === "object" && message !== null ? message : {}) as Record<
    string,
    unknown
  >;
  const usage = emptyUsage();
  mergeUsage(usage, body.usage);
  return {
    id: typeof body.id === "string" ? body.id : undefined,
    model: typeof body.model === "string" ? body.model : undefined,
    stopReason: typeof body.stop_reason === "string" ? body.stop_reason : undefined,
    usage,
    content: captureContent && Array.isArray(body.content) ? body.content : undefined,
  };
}

// ---------------------------------------------------------------------------------------------
// Request
// ---------------------------------------------------------------------------------------------

interface ServerAttributes {
  baseURL: string;
  address: string | undefined;
  port: number | undefined;
}

const serverCache = new WeakMap<object, ServerAttributes>();

/** `server.address` / `server.port` of a client's `baseURL`, parsed once per client. */
function serverOf(client: unknown): ServerAttributes | undefined {
  if (typeof client !== "object" || client === null) return undefined;
  const baseURL = (client as { baseURL?: unknown }).baseURL;
  if (typeof baseURL !== "string") return undefined;
  const cached = serverCache.get(client);
  if (cached && cached.baseURL === baseURL) return cached;
  let entry: ServerAttributes;
  try {
    const url = new URL(baseURL);
    const port = url.port
      ? Number(url.port)
      : url.protocol === "http:"
        ? 80
        : url.protocol === "https:"
          ? 443
          : undefined;
    entry = { baseURL, address: url.hostname.replace(/^\[(.*)\]$/, "$1"), port };
  } catch {
    entry = { baseURL, address: undefined, port: undefined };
  }
  serverCache.set(client, entry);
  return entry;
}

function setNumber(attributes: Attributes, name: string, value: unknown): void {
  if (typeof value === "number" && Number.isFinite(value)) attributes[name] = value;
}

/** The attributes a span starts with, so that samplers see them. */
export function requestAttributes(
  params: Record<string, unknown>,
  streamed: boolean,
  client: unknown,
  captureContent: boolean,
): Attributes {
  const attributes: Attributes = {
    [ATTR_GEN_AI_OPERATION_NAME]: GenAiOperationValues.CHAT,
    [ATTR_GEN_AI_PROVIDER_NAME]: GenAiProviderValues.ANTHROPIC,
    [ATTR_GEN_AI_SYSTEM]: GenAiProviderValues.ANTHROPIC,
    [ATTR_GEN_AI_REQUEST_STREAM]: streamed,
  };
  if (typeof params.model === "string") attributes[ATTR_GEN_AI_REQUEST_MODEL] = params.model;
  setNumber(attributes, ATTR_GEN_AI_REQUEST_MAX_TOKENS, params.max_tokens);
  setNumber(attributes, ATTR_GEN_AI_REQUEST_TEMPERATURE, params.temperature);
  setNumber(attributes, ATTR_GEN_AI_REQUEST_TOP_P, params.top_p);
  setNumber(attributes, ATTR_GEN_AI_REQUEST_TOP_K, params.top_k);
  const stops = params.stop_sequences;
  if (Array.isArray(stops) && stops.every((stop) => typeof stop === "string")) {
    attributes[ATTR_GEN_AI_REQUEST_STOP_SEQUENCES] = stops.slice();
  }
  const server = serverOf(client);
  if (server?.address !== undefined) attributes[ATTR_SERVER_ADDRESS] = server.address;
  if (server?.port !== undefined) attributes[ATTR_SERVER_PORT] = server.port;
  if (captureContent) {
    const input = inputMessagesJson(params.messages);
    if (input !== undefined) attributes[ATTR_GEN_AI_INPUT_MESSAGES] = input;
    const system = systemInstructionsJson(params.system);
    if (system !== undefined) attributes[ATTR_GEN_AI_SYSTEM_INSTRUCTIONS] = system;
    const tools = toolDefinitionsJson(params.tools);
    if (tools !== undefined) attributes[ATTR_GEN_AI_TOOL_DEFINITIONS] = tools;
  }
  return attributes;
}

/** `chat {model}`, or `chat` when the request names no model. */
export function spanName(params: Record<string, unknown>): string {
  return typeof params.model === "string" && params.model
    ? `${GenAiOperationValues.CHAT} ${params.model}`
    : GenAiOperationValues.CHAT;
}

// ---------------------------------------------------------------------------------------------
// Errors
// ---------------------------------------------------------------------------------------------

/** The client's error class name (`RateLimitError`, …); undefined for plain `Error`s and objects. */
function className(error: object): string | undefined {
  const type = (error as { constructor?: { _errorName?: unknown; name?: unknown } }).constructor;
  // The client names its error classes in a static field too, which survives minification.
  const name = typeof type?._errorName === "string" ? type._errorName : type?.name;
  return typeof name === "string" && name !== "" && name !== "Error" && name !== "Object" ? name : undefined;
}

/**
 * A low-cardinality `error.type`: the client's error class (`RateLimitError`,
 * `APIConnectionError`, `APIUserAbortError`, …), else the HTTP status, else `_OTHER`.
 */
export function errorType(error: unknown): string {
  if (typeof error === "object" && error !== null) {
    const name = className(error);
    if (name !== undefined) return name;
    const status = (error as { status?: unknown }).status;
    if (typeof status === "number") return String(status);
    const own = (error as { name?: unknown }).name;
    if (typeof own === "string" && own !== "" && own !== "Error") return own;
  }
  return "_OTHER";
}

/** Marks the span failed with `error`: status ERROR, `error.type`, an exception event. */
export function recordError(span: Span, error: unknown, type = errorType(error)): void {
  span.setAttribute(ATTR_ERROR_TYPE, type);
  // Duck-typed: errors from another realm (undici's, a vm context's) fail `instanceof Error`.
  if (typeof error === "object" && error !== null && typeof (error as Error).message === "string") {
    const { name, message, stack } = error as Error;
    // 0.x clients leave `name` at "Error" on every error class: the event names the class then.
    const renamed = typeof name === "string" && name !== "" && name !== "Error" ? undefined : className(error);
    span.recordException(renamed === undefined ? (error as Error) : { name: renamed, message, stack });
    span.setStatus({ code: SpanStatusCode.ERROR, message });
  } else {
    span.setStatus({
      code: SpanStatusCode.ERROR,
      message: typeof error === "string" ? error : type,
    });
  }
}
