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
 * A model run's usage as GenAI usage attributes: the answer's `usage_metadata` (LangChain's
 * standard one: `input_tokens` including cache reads, `input_token_details.cache_read` /
 * `cache_creation`, `output_tokens` including `output_token_details.reasoning`), else the
 * `llmOutput.tokenUsage` older and text-completion models report (prompt and completion only).
 */
export function usageAttributes(message: Record<string, unknown> | undefined, llmOutput: unknown): Attributes {
  const usage = isRecord(message?.usage_metadata) ? message.usage_metadata : undefined;
  const attributes: Attributes = {};
  if (usage !== undefined) {
    const input = isRecord(usage.input_token_details) ? usage.input_token_details : {};
    const output = isRecord(usage.output_token_details) ? usage.output_token_details : {};
    set(attributes, ATTR_GEN_AI_USAGE_INPUT_TOKENS, count(usage.input_tokens));
    set(attributes, ATTR_GEN_AI_USAGE_OUTPUT_TOKENS, count(usage.output_tokens));
    set(attributes, ATTR_GEN_AI_USAGE_CACHE_READ_INPUT_TOKENS, count(input.cache_read));
    set(attributes, ATTR_GEN_AI_USAGE_CACHE_CREATION_INPUT_TOKENS, count(input.cache_creation));
    set(attributes, ATTR_GEN_AI_USAGE_REASONING_OUTPUT_TOKENS, count(output.reasoning));
    return attributes;
  }
  const tokenUsage = isRecord(llmOutput) && isRecord(llmOutput.tokenUsage) ? llmOutput.tokenUsage : undefined;
  if (tokenUsage !== undefined) {
    set(attributes, ATTR_GEN_AI_USAGE_INPUT_TOKENS, count(tokenUsage.promptTokens));
    set(attributes, ATTR_GEN_AI_USAGE_OUTPUT_TOKENS, count(tokenUsage.completionTokens));
  }
  return attributes;
}

function set(attributes: Attributes, name: string, value: number | undefined): void {
  if (value !== undefined) attributes[name] = value;
}
