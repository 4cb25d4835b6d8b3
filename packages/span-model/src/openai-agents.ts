import {
  ATTR_FUNCTION_NAME,
  ATTR_OPENAI_AGENTS_CLIENT_CALLS,
  ATTR_OPENAI_AGENTS_SPAN_ID,
  ATTR_OPENAI_AGENTS_SPAN_TYPE,
  OpenAIAgentsSpanTypeValues as Types,
} from "@agentops/semconv";
import type { EventKind } from "./kinds";
import { readCount, readString } from "./attribute-values";
import { hasTokenUsage } from "./usage";

/**
 * OpenAI Agents SDK span types → our kinds. An agent span is an agent run (counted among the
 * actions, as `invoke_agent` is); handoffs, guardrails and MCP tool listings are what the agent
 * did (actions, told apart by their `agentops.action.type`); function tools
 * are tools; generations and responses are model calls, and so are transcriptions and speech.
 * `task` and `turn` carry the usage of the model calls under them (sums, so never counted), and
 * `custom` / `speech_group` are containers.
 */
const SPAN_TYPES: Record<string, EventKind> = {
  [Types.AGENT]: "agent",
  [Types.HANDOFF]: "action",
  [Types.GUARDRAIL]: "action",
  [Types.MCP_TOOLS]: "action",
  [Types.FUNCTION]: "tool",
  [Types.GENERATION]: "llm",
  [Types.RESPONSE]: "llm",
  [Types.TRANSCRIPTION]: "llm",
  [Types.SPEECH]: "llm",
  [Types.TASK]: "other",
  [Types.TURN]: "other",
  [Types.CUSTOM]: "other",
  [Types.SPEECH_GROUP]: "other",
};

/**
 * The kind of an OpenAI Agents span as `@agentops/openai-agents` writes it (it carries
 * `openai_agents.span_type`), else `null` (not such a span).
 *
 * One model call must count once. When an LLM client instrumentation (ours for `openai`, or any
 * built on `@agentops/instrumentation-core`) traced the request a `generation` / `response` span
 * made, its client span sits under the model span and the model span says so
 * (`openai_agents.client_calls` > 0): the client span counts (it has the wire's exact usage, the
 * provider, the messages) and the model span is a container (`other`). Without such a client
 * span the model span is the LLM call, with the usage the Agents SDK reported.
 */
export function classifyOpenAIAgentsSpan(attributes: Record<string, unknown>): EventKind | null {
  const type = readString(attributes[ATTR_OPENAI_AGENTS_SPAN_TYPE]);
  if (type === null) return null;
  const kind: EventKind = Object.hasOwn(SPAN_TYPES, type) ? SPAN_TYPES[type]! : "other";
  if (
    (type === Types.GENERATION || type === Types.RESPONSE) &&
    (readCount(attributes[ATTR_OPENAI_AGENTS_CLIENT_CALLS]) ?? 0) > 0
  ) {
    return "other";
  }
  return kind;
}

/**
 * OpenAI Agents spans as AgentOps' npm SDK 0.1 re-emits them (`openai_agents.span_id`, no span
 * type): token usage → `llm`, `function.name` → `tool`, else `null` (no rule of this vocabulary).
 */
export function classifyReemittedOpenAIAgentsSpan(attributes: Record<string, unknown>): EventKind | null {
  if (attributes[ATTR_OPENAI_AGENTS_SPAN_ID] === undefined) return null;
  if (hasTokenUsage(attributes)) return "llm";
  if (readString(attributes[ATTR_FUNCTION_NAME]) !== null) return "tool";
  return null;
}
