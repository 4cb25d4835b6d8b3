/**
 * The Vercel AI SDK's own telemetry vocabulary (`experimental_telemetry` in `ai` 5 and 6, and
 * `LegacyOpenTelemetry` of `@ai-sdk/otel` in `ai` 7): spans named and tagged by `ai.operationId`,
 * with `ai.*` attributes beside a few GenAI ones. `ai` 7's default `OpenTelemetry` integration
 * writes the GenAI conventions instead (`invoke_agent`, `chat`, `execute_tool`, `embeddings`),
 * which the generic rules read.
 */
import type { EventKind } from "./kinds";
import { readString } from "./attribute-values";

export const ATTR_AI_OPERATION_ID = "ai.operationId";
export const ATTR_AI_MODEL_ID = "ai.model.id";
export const ATTR_AI_MODEL_PROVIDER = "ai.model.provider";
export const ATTR_AI_RESPONSE_MODEL = "ai.response.model";
export const ATTR_AI_TOOL_CALL_NAME = "ai.toolCall.name";
export const ATTR_AI_TOOL_CALL_ARGS = "ai.toolCall.args";
export const ATTR_AI_TOOL_CALL_RESULT = "ai.toolCall.result";

/** Token counts: `ai` 6 and 7 names first, then `ai` 5's (`promptTokens` on `generateText`), then `embed`'s. */
export const AI_USAGE_INPUT = ["ai.usage.inputTokens", "ai.usage.promptTokens", "ai.usage.tokens"];
export const AI_USAGE_OUTPUT = ["ai.usage.outputTokens", "ai.usage.completionTokens"];
export const AI_USAGE_CACHE_READ = ["ai.usage.inputTokenDetails.cacheReadTokens", "ai.usage.cachedInputTokens"];
export const AI_USAGE_CACHE_WRITE = ["ai.usage.inputTokenDetails.cacheWriteTokens"];
export const AI_USAGE_REASONING = ["ai.usage.outputTokenDetails.reasoningTokens", "ai.usage.reasoningTokens"];

/**
 * Operation ids → kinds. A provider call (`….doGenerate`, `….doStream`, `….doEmbed`) is the LLM
 * call; the operation around it groups the calls of its steps and repeats their summed usage,
 * so it is an agent run (text and object generation, which `ai` 7 names `invoke_agent`) or an
 * action (`embed`), never a second LLM call. Unknown ids (`ai.generateImage`, …) → `other`.
 */
const OPERATIONS: Record<string, EventKind> = {
  "ai.generateText": "agent",
  "ai.streamText": "agent",
  "ai.generateObject": "agent",
  "ai.streamObject": "agent",
  "ai.embed": "action",
  "ai.embedMany": "action",
  "ai.generateText.doGenerate": "llm",
  "ai.streamText.doStream": "llm",
  "ai.generateObject.doGenerate": "llm",
  "ai.streamObject.doStream": "llm",
  "ai.embed.doEmbed": "llm",
  "ai.embedMany.doEmbed": "llm",
  "ai.toolCall": "tool",
};

/** The kind of an AI SDK span, `null` when the span is not one (no `ai.operationId`). */
export function classifyAiSdkSpan(attributes: Record<string, unknown>): EventKind | null {
  const operationId = readString(attributes[ATTR_AI_OPERATION_ID]);
  if (operationId === null) return null;
  return Object.hasOwn(OPERATIONS, operationId) ? OPERATIONS[operationId]! : "other";
}

/**
 * The AI SDK names providers by provider and API (`openai.chat`, `openai.responses`,
 * `anthropic.messages`), in `ai.model.provider` and in `gen_ai.system`; the provider is the part
 * before the first dot (what `ai` 7's GenAI integration writes as `gen_ai.provider.name`).
 */
export function aiSdkProvider(attributes: Record<string, unknown>, provider: string | null): string | null {
  if (provider === null || readString(attributes[ATTR_AI_OPERATION_ID]) === null) return provider;
  const dot = provider.indexOf(".");
  return dot > 0 ? provider.slice(0, dot) : provider;
}
