import { field, isRecord } from "./values";
import type { Attributes, Span } from "@opentelemetry/api";
import {
  ATTR_GEN_AI_EMBEDDINGS_DIMENSION_COUNT,
  ATTR_GEN_AI_OPERATION_NAME,
  ATTR_GEN_AI_OUTPUT_TYPE,
  ATTR_GEN_AI_PROVIDER_NAME,
  ATTR_GEN_AI_REQUEST_CHOICE_COUNT,
  ATTR_GEN_AI_REQUEST_ENCODING_FORMATS,
  ATTR_GEN_AI_REQUEST_FREQUENCY_PENALTY,
  ATTR_GEN_AI_REQUEST_MAX_TOKENS,
  ATTR_GEN_AI_REQUEST_MODEL,
  ATTR_GEN_AI_REQUEST_PRESENCE_PENALTY,
  ATTR_GEN_AI_REQUEST_SEED,
  ATTR_GEN_AI_REQUEST_STOP_SEQUENCES,
  ATTR_GEN_AI_REQUEST_STREAM,
  ATTR_GEN_AI_REQUEST_TEMPERATURE,
  ATTR_GEN_AI_REQUEST_TOP_P,
  ATTR_GEN_AI_RESPONSE_FINISH_REASONS,
  ATTR_GEN_AI_RESPONSE_ID,
  ATTR_GEN_AI_RESPONSE_MODEL,
  ATTR_GEN_AI_SYSTEM,
  ATTR_GEN_AI_USAGE_CACHE_READ_INPUT_TOKENS,
  ATTR_GEN_AI_USAGE_INPUT_TOKENS,
  ATTR_GEN_AI_USAGE_OUTPUT_TOKENS,
  ATTR_GEN_AI_USAGE_REASONING_OUTPUT_TOKENS,
  ATTR_OPENAI_REQUEST_SERVICE_TIER,
  ATTR_OPENAI_RESPONSE_SERVICE_TIER,
  ATTR_OPENAI_RESPONSE_SYSTEM_FINGERPRINT,
  ATTR_SERVER_ADDRESS,
  ATTR_SERVER_PORT,
  GenAiProviderValues,
} from "@agentops/semconv";
import { responsesFinishReason } from "./messages";
import type { Operation } from "./operations";

export interface ServerAddress {
  address: string;
  port: number;
}

const SERVER_CACHE_LIMIT = 64;
/** Parsed base URLs: a client's `baseURL` rarely changes, and parsing it per call would allocate. */
const serverCache = new Map<string, ServerAddress | null>();

/** `server.address` / `server.port` of a client's `baseURL` (default ports by scheme). */
export function serverOf(baseURL: unknown): ServerAddress | undefined {
  if (typeof baseURL !== "string") return undefined;
  let cached = serverCache.get(baseURL);
  if (cached === undefined) {
    try {
      const url = new URL(baseURL);
      const host = url.hostname.startsWith("[") ? url.hostname.slice(1, -1) : url.hostname;
      cached = { address: host, port: url.port ? Number(url.port) : url.protocol === "http:" ? 80 : 443 };
    } catch {
      cached = null;
    }
    if (serverCache.size >= SERVER_CACHE_LIMIT) serverCache.clear();
    serverCache.set(baseURL, cached);
  }
  return cached ?? undefined;
}

function outputType(format: unknown): string | undefined {
  const type = field(format, "type");
  if (type === "json_object" || type === "json_schema") return "json";
  if (type === "text") return "text";
  return undefined;
}

/**
 * Attributes known before the request is sent, given to `startSpan` so samplers see them.
 * Numbers are checked by type, never by truthiness: a temperature of 0 is recorded.
 */
export function requestAttributes(operation: Operation, body: unknown, server: ServerAddress | undefined): Attributes {
  const attributes: Attributes = {
    [ATTR_GEN_AI_OPERATION_NAME]: operation.name,
    [ATTR_GEN_AI_PROVIDER_NAME]: GenAiProviderValues.OPENAI,
    [ATTR_GEN_AI_SYSTEM]: GenAiProviderValues.OPENAI,
  };
  if (server) {
    attributes[ATTR_SERVER_ADDRESS] = server.address;
    attributes[ATTR_SERVER_PORT] = server.port;
  }
  if (!isRecord(body)) return attributes;
  const request = body;
  if (typeof request.model === "string") attributes[ATTR_GEN_AI_REQUEST_MODEL] = request.model;

  if (operation.api === "embeddings") {
    if (typeof request.encoding_format === "string") attributes[ATTR_GEN_AI_REQUEST_ENCODING_FORMATS] = [request.encoding_format];
    if (typeof request.dimensions === "number") attributes[ATTR_GEN_AI_EMBEDDINGS_DIMENSION_COUNT] = request.dimensions;
    return attributes;
  }

  attributes[ATTR_GEN_AI_REQUEST_STREAM] = request.stream === true;
  if (typeof request.temperature === "number") attributes[ATTR_GEN_AI_REQUEST_TEMPERATURE] = request.temperature;
  if (typeof request.top_p === "number") attributes[ATTR_GEN_AI_REQUEST_TOP_P] = request.top_p;

  const maxTokens =
    operation.api === "responses"
      ? request.max_output_tokens
      : operation.api === "chat"
        ? (request.max_completion_tokens ?? request.max_tokens)
        : request.max_tokens;
  if (typeof maxTokens === "number") attributes[ATTR_GEN_AI_REQUEST_MAX_TOKENS] = maxTokens;
  if (typeof request.service_tier === "string") attributes[ATTR_OPENAI_REQUEST_SERVICE_TIER] = request.service_tier;

  if (operation.api === "responses") {
    const type = outputType(field(request.text, "format"));
    if (type) attributes[ATTR_GEN_AI_OUTPUT_TYPE] = type;
    return attributes;
  }

  if (typeof request.frequency_penalty === "number") attributes[ATTR_GEN_AI_REQUEST_FREQUENCY_PENALTY] = request.frequency_penalty;
  if (typeof request.presence_penalty === "number") attributes[ATTR_GEN_AI_REQUEST_PRESENCE_PENALTY] = request.presence_penalty;
  if (typeof request.seed === "number") attributes[ATTR_GEN_AI_REQUEST_SEED] = request.seed;
  if (typeof request.n === "number" && request.n !== 1) attributes[ATTR_GEN_AI_REQUEST_CHOICE_COUNT] = request.n;
  const stop = request.stop;
  if (typeof stop === "string") attributes[ATTR_GEN_AI_REQUEST_STOP_SEQUENCES] = [stop];
  else if (Array.isArray(stop) && stop.length > 0 && stop.every((item) => typeof item === "string")) attributes[ATTR_GEN_AI_REQUEST_STOP_SEQUENCES] = stop;
  if (operation.api === "chat") {
    const type = outputType(request.response_format);
    if (type) attributes[ATTR_GEN_AI_OUTPUT_TYPE] = type;
  }
  return attributes;
}

/** Token usage in each of OpenAI's three shapes (chat/completions, responses, embeddings). */
export function setUsage(span: Span, usage: unknown): void {
  if (!isRecord(usage)) return;
  const input = usage.prompt_tokens ?? usage.input_tokens;
  if (typeof input === "number") span.setAttribute(ATTR_GEN_AI_USAGE_INPUT_TOKENS, input);
  const output = usage.completion_tokens ?? usage.output_tokens;
  if (typeof output === "number") span.setAttribute(ATTR_GEN_AI_USAGE_OUTPUT_TOKENS, output);
  const cached = field(usage.prompt_tokens_details ?? usage.input_tokens_details, "cached_tokens");
  if (typeof cached === "number") span.setAttribute(ATTR_GEN_AI_USAGE_CACHE_READ_INPUT_TOKENS, cached);
  const reasoning = field(usage.completion_tokens_details ?? usage.output_tokens_details, "reasoning_tokens");
  if (typeof reasoning === "number") span.setAttribute(ATTR_GEN_AI_USAGE_REASONING_OUTPUT_TOKENS, reasoning);
}

/** id, model, service tier and fingerprint, common to every body and chunk shape. */
export function setResponseIdentity(span: Span, body: Record<string, unknown>): void {
  if (typeof body.id === "string") span.setAttribute(ATTR_GEN_AI_RESPONSE_ID, body.id);
  if (typeof body.model === "string") span.setAttribute(ATTR_GEN_AI_RESPONSE_MODEL, body.model);
  if (typeof body.service_tier === "string") span.setAttribute(ATTR_OPENAI_RESPONSE_SERVICE_TIER, body.service_tier);
  if (typeof body.system_fingerprint === "string") {
    span.setAttribute(ATTR_OPENAI_RESPONSE_SYSTEM_FINGERPRINT, body.system_fingerprint);
  }
}

/** Attributes of a complete (non-streamed) response body. */
export function setResponseAttributes(span: Span, operation: Operation, body: unknown): void {
  if (!isRecord(body)) return;
  setResponseIdentity(span, body);
  if (operation.api === "responses") {
    const reason = responsesFinishReason(body);
    if (reason) span.setAttribute(ATTR_GEN_AI_RESPONSE_FINISH_REASONS, [reason]);
  } else if (Array.isArray(body.choices)) {
    const reasons: string[] = [];
    for (const choice of body.choices) {
      const reason = field(choice, "finish_reason");
      if (typeof reason === "string") reasons.push(reason);
    }
    if (reasons.length > 0) span.setAttribute(ATTR_GEN_AI_RESPONSE_FINISH_REASONS, reasons);
  }
  setUsage(span, body.usage);
}
