import {
  ATTR_AGENTOPS_LLM_COST,
  ATTR_GEN_AI_PROVIDER_NAME,
  ATTR_GEN_AI_REQUEST_MODEL,
  ATTR_GEN_AI_RESPONSE_MODEL,
  ATTR_GEN_AI_SYSTEM,
  ATTR_GEN_AI_USAGE_CACHE_CREATION_INPUT_TOKENS,
  ATTR_GEN_AI_USAGE_CACHE_READ_INPUT_TOKENS,
  ATTR_GEN_AI_USAGE_INPUT_TOKENS,
  ATTR_GEN_AI_USAGE_OUTPUT_TOKENS,
  ATTR_GEN_AI_USAGE_REASONING_OUTPUT_TOKENS,
  ATTR_LEGACY_GEN_AI_USAGE_CACHE_CREATION_INPUT_TOKENS,
  ATTR_LEGACY_GEN_AI_USAGE_CACHE_READ_INPUT_TOKENS,
  ATTR_LEGACY_GEN_AI_USAGE_COMPLETION_TOKENS,
  ATTR_LEGACY_GEN_AI_USAGE_PROMPT_TOKENS,
  ATTR_LEGACY_GEN_AI_USAGE_REASONING_TOKENS,
  ATTR_LEGACY_GEN_AI_USAGE_TOTAL_COST,
  ATTR_OPENINFERENCE_LLM_MODEL_NAME,
  ATTR_OPENINFERENCE_LLM_PROVIDER,
  ATTR_OPENINFERENCE_LLM_SYSTEM,
  ATTR_OPENINFERENCE_TOKEN_COUNT_CACHE_READ,
  ATTR_OPENINFERENCE_TOKEN_COUNT_CACHE_WRITE,
  ATTR_OPENINFERENCE_TOKEN_COUNT_COMPLETION,
  ATTR_OPENINFERENCE_TOKEN_COUNT_PROMPT,
  ATTR_OPENINFERENCE_TOKEN_COUNT_REASONING,
  GenAiProviderValues,
} from "@agentops/semconv";
import { getDefaultPriceTable, type PriceTable } from "@agentops/pricing";
import { firstCount, firstString, readNumber } from "./attribute-values";
import {
  AI_USAGE_CACHE_READ,
  AI_USAGE_CACHE_WRITE,
  AI_USAGE_INPUT,
  AI_USAGE_OUTPUT,
  AI_USAGE_REASONING,
  ATTR_AI_MODEL_ID,
  ATTR_AI_MODEL_PROVIDER,
  ATTR_AI_RESPONSE_MODEL,
  aiSdkProvider,
} from "./ai-sdk";

/** What an LLM span used and cost, in the GenAI convention (input includes cache reads and writes). */
export interface LlmUsage {
  model: string | null;
  provider: string | null;
  promptTokens: number;
  completionTokens: number;
  cachedTokens: number;
  reasoningTokens: number;
  cost: number;
}

// Current GenAI names first, then the legacy ones, then OpenInference's, then the Vercel AI SDK's.
const INPUT = [
  ATTR_GEN_AI_USAGE_INPUT_TOKENS,
  ATTR_LEGACY_GEN_AI_USAGE_PROMPT_TOKENS,
  ATTR_OPENINFERENCE_TOKEN_COUNT_PROMPT,
  ...AI_USAGE_INPUT,
];
const OUTPUT = [
  ATTR_GEN_AI_USAGE_OUTPUT_TOKENS,
  ATTR_LEGACY_GEN_AI_USAGE_COMPLETION_TOKENS,
  ATTR_OPENINFERENCE_TOKEN_COUNT_COMPLETION,
  ...AI_USAGE_OUTPUT,
];
const CACHE_READ = [
  ATTR_GEN_AI_USAGE_CACHE_READ_INPUT_TOKENS,
  ATTR_LEGACY_GEN_AI_USAGE_CACHE_READ_INPUT_TOKENS,
  ATTR_OPENINFERENCE_TOKEN_COUNT_CACHE_READ,
  ...AI_USAGE_CACHE_READ,
];
const CACHE_WRITE = [
  ATTR_GEN_AI_USAGE_CACHE_CREATION_INPUT_TOKENS,
  ATTR_LEGACY_GEN_AI_USAGE_CACHE_CREATION_INPUT_TOKENS,
  ATTR_OPENINFERENCE_TOKEN_COUNT_CACHE_WRITE,
  ...AI_USAGE_CACHE_WRITE,
];
const REASONING = [
  ATTR_GEN_AI_USAGE_REASONING_OUTPUT_TOKENS,
  ATTR_LEGACY_GEN_AI_USAGE_REASONING_TOKENS,
  ATTR_OPENINFERENCE_TOKEN_COUNT_REASONING,
  ...AI_USAGE_REASONING,
];
const MODEL = [
  ATTR_GEN_AI_RESPONSE_MODEL,
  ATTR_GEN_AI_REQUEST_MODEL,
  ATTR_OPENINFERENCE_LLM_MODEL_NAME,
  ATTR_AI_RESPONSE_MODEL,
  ATTR_AI_MODEL_ID,
];
/** The model asked for, to price by when the response's is unknown to the table. */
const REQUEST_MODEL = [ATTR_GEN_AI_REQUEST_MODEL, ATTR_AI_MODEL_ID];
const PROVIDER = [
  ATTR_GEN_AI_PROVIDER_NAME,
  ATTR_GEN_AI_SYSTEM,
  ATTR_OPENINFERENCE_LLM_PROVIDER,
  ATTR_OPENINFERENCE_LLM_SYSTEM,
  ATTR_AI_MODEL_PROVIDER,
];
const EXPLICIT_COST = [ATTR_AGENTOPS_LLM_COST, ATTR_LEGACY_GEN_AI_USAGE_TOTAL_COST];

/**
 * Token counts and cost of an LLM span.
 *
 * Anthropic reports `input_tokens` without its cache reads and writes, while the GenAI convention
 * (and our instrumentations, which write `gen_ai.usage.input_tokens`) count them in. So when the
 * provider is Anthropic and the input count came from the legacy `gen_ai.usage.prompt_tokens`
 * (no current `gen_ai.usage.input_tokens` on the span), the cache reads and writes are added to
 * it. OpenInference's `llm.token_count.prompt` is a total by its own specification and is taken as
 * it is.
 *
 * The cost is the client's when it sent one (`agentops.llm.cost`, else the legacy
 * `gen_ai.usage.total_cost`), else the shared price table's for the response model (falling back
 * to the request model), else 0 for a model the table does not know. `prices` is the table to
 * price with (the SDK passes one with the user's overrides); by default the shared one.
 */
export function readLlmUsage(
  attributes: Record<string, unknown>,
  prices: PriceTable = getDefaultPriceTable(),
): LlmUsage {
  const provider = aiSdkProvider(attributes, firstString(attributes, PROVIDER)?.toLowerCase() ?? null);
  const model = firstString(attributes, MODEL);

  const input = firstCount(attributes, INPUT);
  const cacheRead = firstCount(attributes, CACHE_READ)?.value ?? 0;
  const cacheWrite = firstCount(attributes, CACHE_WRITE)?.value ?? 0;
  let promptTokens = input?.value ?? 0;
  if (
    provider === GenAiProviderValues.ANTHROPIC &&
    input?.name === ATTR_LEGACY_GEN_AI_USAGE_PROMPT_TOKENS
  ) {
    promptTokens += cacheRead + cacheWrite;
  }
  const completionTokens = firstCount(attributes, OUTPUT)?.value ?? 0;
  const reasoningTokens = firstCount(attributes, REASONING)?.value ?? 0;

  let cost = explicitCost(attributes);
  if (cost === null) {
    const usage = {
      inputTokens: promptTokens,
      outputTokens: completionTokens,
      cacheReadTokens: cacheRead,
      cacheWriteTokens: cacheWrite,
      reasoningTokens,
    };
    const responseModel = model ?? undefined;
    const requestModel = firstString(attributes, REQUEST_MODEL) ?? undefined;
    cost =
      prices.cost(provider ?? undefined, responseModel, usage) ??
      (requestModel !== responseModel
        ? prices.cost(provider ?? undefined, requestModel, usage)
        : undefined) ??
      0;
  }

  return {
    model,
    provider,
    promptTokens,
    completionTokens,
    cachedTokens: cacheRead,
    reasoningTokens,
    cost,
  };
}

/**
 * Whether a span reports token usage (input or output counts, under any of the names read here):
 * with a model, the mark of an inference call whose instrumentation named no provider.
 */
export function hasTokenUsage(attributes: Record<string, unknown>): boolean {
  return firstCount(attributes, INPUT) !== null || firstCount(attributes, OUTPUT) !== null;
}

/**
 * A cost the client sent (`agentops.llm.cost`, else `gen_ai.usage.total_cost`, which AgentOps'
 * Python SDK also writes on tool spans: `@tool(cost=…)`), in USD; `null` when none is readable.
 */
export function readExplicitCost(attributes: Record<string, unknown>): number | null {
  return explicitCost(attributes);
}

function explicitCost(attributes: Record<string, unknown>): number | null {
  for (const name of EXPLICIT_COST) {
    const value = readNumber(attributes[name]);
    if (value !== null && value >= 0) return value;
  }
  return null;
}
