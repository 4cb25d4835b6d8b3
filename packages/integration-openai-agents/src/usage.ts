import type { Attributes } from "@opentelemetry/api";
import {
  ATTR_GEN_AI_USAGE_CACHE_CREATION_INPUT_TOKENS,
  ATTR_GEN_AI_USAGE_CACHE_READ_INPUT_TOKENS,
  ATTR_GEN_AI_USAGE_INPUT_TOKENS,
  ATTR_GEN_AI_USAGE_OUTPUT_TOKENS,
  ATTR_GEN_AI_USAGE_REASONING_OUTPUT_TOKENS,
} from "@agentops/semconv";
import { count, isRecord } from "./values";

/**
 * A model call's usage, in any of the shapes the Agents SDK records (the Responses API's
 * `input_tokens` / `input_tokens_details.cached_tokens`, Chat Completions' `prompt_tokens` /
 * `prompt_tokens_details`, a generation's `details`), as GenAI usage attributes. Input counts
 * include cached tokens and output counts reasoning tokens, as both APIs report them.
 */
export function usageAttributes(usage: unknown): Attributes {
  if (!isRecord(usage)) return {};
  const inputDetails = details(usage.input_tokens_details ?? usage.prompt_tokens_details);
  const outputDetails = details(usage.output_tokens_details ?? usage.completion_tokens_details);
  const extra = details(usage.details);
  const fields: Array<[string, number | undefined]> = [
    [ATTR_GEN_AI_USAGE_INPUT_TOKENS, count(usage.input_tokens) ?? count(usage.prompt_tokens)],
    [ATTR_GEN_AI_USAGE_OUTPUT_TOKENS, count(usage.output_tokens) ?? count(usage.completion_tokens)],
    [
      ATTR_GEN_AI_USAGE_CACHE_READ_INPUT_TOKENS,
      count(inputDetails?.cached_tokens) ?? count(usage.cached_input_tokens) ?? count(extra?.cached_tokens),
    ],
    [ATTR_GEN_AI_USAGE_CACHE_CREATION_INPUT_TOKENS, count(usage.cache_write_input_tokens)],
    [
      ATTR_GEN_AI_USAGE_REASONING_OUTPUT_TOKENS,
      count(outputDetails?.reasoning_tokens) ?? count(extra?.reasoning_tokens),
    ],
  ];
  const attributes: Attributes = {};
  for (const [name, value] of fields) if (value !== undefined) attributes[name] = value;
  return attributes;
}

/** A details object; the Agents SDK's own `Usage` keeps them as a list (one per request). */
function details(value: unknown): Record<string, unknown> | undefined {
  if (Array.isArray(value)) return isRecord(value[0]) ? value[0] : undefined;
  return isRecord(value) ? value : undefined;
}
