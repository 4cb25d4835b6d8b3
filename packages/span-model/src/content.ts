/**
 * Which attributes carry content (prompts, completions, messages, tool input and output, event
 * params and returns), in every vocabulary the span model reads. The SDK's `mask` option and the
 * server's redaction rules apply to these values; counts, models, ids and timings are left as
 * they are, so that stats do not change when content is masked.
 */
const CONTENT_KEYS: ReadonlySet<string> = new Set([
  // agentops
  "agentops.event.params",
  "agentops.event.returns",
  "agentops.event.logs",
  "agentops.action.screenshot",
  "agentops.error.details",
  // OpenTelemetry GenAI, current
  "gen_ai.input.messages",
  "gen_ai.output.messages",
  "gen_ai.system_instructions",
  "gen_ai.tool.call.arguments",
  "gen_ai.tool.call.result",
  "gen_ai.prompt",
  "gen_ai.completion",
  // OpenInference
  "input.value",
  "output.value",
  // OpenLLMetry
  "traceloop.entity.input",
  "traceloop.entity.output",
  // Vercel AI SDK
  "ai.prompt",
  "ai.prompt.messages",
  "ai.response.text",
  "ai.response.object",
  "ai.response.toolCalls",
  "ai.response.reasoning",
  "ai.toolCall.args",
  "ai.toolCall.result",
  "ai.value",
  "ai.values",
  // GenAI legacy event attribute
  "gen_ai.event.content",
]);

/** Indexed forms: `gen_ai.prompt.0.content`, `llm.input_messages.0.message.content`, … */
const CONTENT_PREFIXES = ["gen_ai.prompt.", "gen_ai.completion.", "llm.input_messages.", "llm.output_messages.", "llm.prompts."];

/** The fields of an indexed message that are not content (kept when masking): its role, ids, names, types. */
const NOT_CONTENT_FIELDS: ReadonlySet<string> = new Set(["role", "finish_reason", "id", "name", "type"]);

/**
 * Whether the attribute `key` holds content.
 *
 * @example
 * isContentAttribute("gen_ai.input.messages"); // true
 * isContentAttribute("gen_ai.prompt.0.role"); // false
 * isContentAttribute("gen_ai.usage.input_tokens"); // false
 */
export function isContentAttribute(key: string): boolean {
  if (CONTENT_KEYS.has(key)) return true;
  for (const prefix of CONTENT_PREFIXES) {
    if (key.startsWith(prefix)) {
      return !NOT_CONTENT_FIELDS.has(key.slice(key.lastIndexOf(".") + 1));
    }
  }
  return false;
}
