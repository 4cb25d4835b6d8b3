import {
  ATTR_AGENTOPS_SPAN_KIND,
  ATTR_GEN_AI_OPERATION_NAME,
  ATTR_GEN_AI_PROVIDER_NAME,
  ATTR_GEN_AI_REQUEST_MODEL,
  ATTR_GEN_AI_RESPONSE_MODEL,
  ATTR_GEN_AI_SYSTEM,
  ATTR_LLM_REQUEST_TYPE,
  ATTR_OPENINFERENCE_SPAN_KIND,
  GenAiOperationValues,
  SpanKindValues,
} from "@agentops/semconv";
import type { EventKind } from "./kinds";
import { readString } from "./attribute-values";
import { hasTokenUsage } from "./usage";
import { classifyAiSdkSpan } from "./ai-sdk";
import { classifyOpenAIAgentsSpan, classifyReemittedOpenAIAgentsSpan } from "./openai-agents";
import { classifyLangChainSpan } from "./langchain";
import { classifyMcpSpan } from "./mcp";

/**
 * `agentops.span.kind` values → our kinds. Besides our own vocabulary this covers the one of
 * AgentOps' official SDKs: `operation` and `task` are decorated units of work (what an action
 * event records), while `agent`, `workflow`, `team` and `chain` are containers whose children are
 * the events, so counting them would count the same work twice.
 */
const AGENTOPS_KINDS: Record<string, EventKind> = {
  [SpanKindValues.SESSION]: "session",
  [SpanKindValues.SESSION_START]: "marker",
  [SpanKindValues.SESSION_UPDATE]: "marker",
  [SpanKindValues.LLM]: "llm",
  "llm.call": "llm",
  "llm.stream": "llm",
  [SpanKindValues.TOOL]: "tool",
  "tool.usage": "tool",
  [SpanKindValues.ACTION]: "action",
  "agent.action": "action",
  "agent.thinking": "action",
  "agent.decision": "action",
  operation: "action",
  task: "action",
  "workflow.step": "action",
  guardrail: "action",
  [SpanKindValues.ERROR]: "error",
  // The server side of an MCP request whose client span (in the same trace) counts the call.
  [SpanKindValues.MCP_SERVER]: "other",
  agent: "other",
  workflow: "other",
  team: "other",
  chain: "other",
  text: "other",
  http: "other",
  generic: "other",
  unknown: "other",
};

const GEN_AI_OPERATIONS: Record<string, EventKind> = {
  [GenAiOperationValues.CHAT]: "llm",
  [GenAiOperationValues.TEXT_COMPLETION]: "llm",
  [GenAiOperationValues.EMBEDDINGS]: "llm",
  [GenAiOperationValues.GENERATE_CONTENT]: "llm",
  [GenAiOperationValues.EXECUTE_TOOL]: "tool",
  [GenAiOperationValues.INVOKE_AGENT]: "agent",
  [GenAiOperationValues.CREATE_AGENT]: "agent",
};

/** OpenInference span kinds (upper case on the wire). */
const OPENINFERENCE_KINDS: Record<string, EventKind> = {
  LLM: "llm",
  EMBEDDING: "llm",
  TOOL: "tool",
};

/** OpenLLMetry's `llm.request.type`, written by older instrumentations without an operation name. */
const LLM_REQUEST_TYPES = new Set(["chat", "completion", "embedding", "rerank"]);

const SESSION_NAME_SUFFIX = ".session";

/** `SpanStatusCode.ERROR` of OpenTelemetry (and OTLP's `STATUS_CODE_ERROR`). */
const STATUS_ERROR = 2;

/**
 * The kind a table gives a value, else `other`. Own properties only: a value such as
 * `constructor` or `__proto__` must not find Object.prototype's members (which no store can bind).
 */
function kindIn(table: Record<string, EventKind>, value: string): EventKind {
  return Object.hasOwn(table, value) ? table[value]! : "other";
}

/**
 * Decides what a span means in the session model, first rule that applies:
 * 1. `agentops.span.kind` (ours and AgentOps' official vocabulary; unknown values → `other`;
 *    `mcp.server`, the server side of an MCP request its client traced, → `other`);
 * 2. OpenAI Agents spans as `@agentops/openai-agents` writes them (`openai_agents.span_type`):
 *    see {@link classifyOpenAIAgentsSpan} (they also carry GenAI names for other backends, which
 *    this rule overrides);
 * 2b. LangChain runs as `@agentops/langchain` writes them (`langchain.run_type`): see
 *    {@link classifyLangChainSpan} (same reason);
 * 3. `gen_ai.operation.name`: chat / text_completion / embeddings / generate_content → `llm`,
 *    execute_tool → `tool`, invoke_agent / create_agent → `agent` (agent_step and the rest are
 *    containers → `other`). An `embeddings` span that reports no token usage and did not fail
 *    is the operation around the call (`ai` 7 nests its provider call, with the usage, in a span
 *    of the same name) → `action`;
 * 3a. `mcp.method.name` (MCP spans without an operation name): see {@link classifyMcpSpan};
 * 3b. the Vercel AI SDK's `ai.operationId` (see `ai-sdk.ts`): provider calls → `llm`,
 *    `ai.toolCall` → `tool`, the operation around them → `agent` / `action`;
 * 4. `openinference.span.kind`: LLM / EMBEDDING → `llm`, TOOL → `tool`;
 * 5. OpenLLMetry's `llm.request.type`, or a GenAI provider together with a model → `llm`;
 * 6. OpenAI Agents spans as AgentOps' npm SDK re-emits them (`openai_agents.span_id`): token
 *    usage → `llm`, `function.name` → `tool`;
 * 7. a model together with token usage → `llm` (an inference span without a provider name);
 * 8. a root span named `….session` → `session` (AgentOps' official SDKs name sessions so);
 * 9. else `other`.
 *
 * `statusCode` (the span's, `2` = ERROR) only tells a failed embeddings call from its operation.
 */
export function classifySpan(
  name: string,
  parentSpanId: string | null,
  attributes: Record<string, unknown>,
  statusCode = 0,
): EventKind {
  const agentopsKind = readString(attributes[ATTR_AGENTOPS_SPAN_KIND]);
  if (agentopsKind !== null) return kindIn(AGENTOPS_KINDS, agentopsKind.toLowerCase());

  const agentsKind = classifyOpenAIAgentsSpan(attributes);
  if (agentsKind !== null) return agentsKind;

  const langChainKind = classifyLangChainSpan(attributes);
  if (langChainKind !== null) return langChainKind;

  const operation = readString(attributes[ATTR_GEN_AI_OPERATION_NAME]);
  if (operation !== null) {
    const normalized = operation.toLowerCase();
    if (normalized === GenAiOperationValues.EMBEDDINGS && statusCode !== STATUS_ERROR && !hasTokenUsage(attributes)) {
      return "action";
    }
    return kindIn(GEN_AI_OPERATIONS, normalized);
  }

  const mcpKind = classifyMcpSpan(attributes);
  if (mcpKind !== null) return mcpKind;

  const aiSdkKind = classifyAiSdkSpan(attributes);
  if (aiSdkKind !== null) return aiSdkKind;

  const openInferenceKind = readString(attributes[ATTR_OPENINFERENCE_SPAN_KIND]);
  if (openInferenceKind !== null)
    return kindIn(OPENINFERENCE_KINDS, openInferenceKind.toUpperCase());

  const requestType = readString(attributes[ATTR_LLM_REQUEST_TYPE]);
  if (requestType !== null && LLM_REQUEST_TYPES.has(requestType.toLowerCase())) return "llm";
  const provider =
    readString(attributes[ATTR_GEN_AI_PROVIDER_NAME]) ?? readString(attributes[ATTR_GEN_AI_SYSTEM]);
  const model =
    readString(attributes[ATTR_GEN_AI_REQUEST_MODEL]) ??
    readString(attributes[ATTR_GEN_AI_RESPONSE_MODEL]);
  if (provider !== null && model !== null) return "llm";

  const reemittedKind = classifyReemittedOpenAIAgentsSpan(attributes);
  if (reemittedKind !== null) return reemittedKind;
  if (model !== null && hasTokenUsage(attributes)) return "llm";

  if (parentSpanId === null && name.endsWith(SESSION_NAME_SUFFIX)) return "session";
  return "other";
}
