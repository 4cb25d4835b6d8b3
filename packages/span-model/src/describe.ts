/**
 * What a reader of a session wants to know about an event beyond its kind: which framework made
 * it, the role it plays there (a handoff, a guardrail, an MCP tool listing, an agent run) and the
 * agent and conversation it belongs to. Read from the span's own vocabulary, for display only:
 * counting is {@link interpretSpan}'s business.
 */
import {
  ATTR_AGENTOPS_ACTION_TYPE,
  ATTR_GEN_AI_AGENT_NAME,
  ATTR_GEN_AI_CONVERSATION_ID,
  ATTR_GEN_AI_OPERATION_NAME,
  ATTR_LANGCHAIN_PARENT_RUN_ID,
  ATTR_LANGCHAIN_RUN_TYPE,
  ATTR_LLM_REQUEST_TYPE,
  ATTR_MCP_METHOD_NAME,
  ATTR_MCP_SERVER_NAME,
  ATTR_OPENAI_AGENTS_GUARDRAIL_NAME,
  ATTR_OPENAI_AGENTS_GUARDRAIL_TRIGGERED,
  ATTR_OPENAI_AGENTS_HANDOFF_FROM,
  ATTR_OPENAI_AGENTS_HANDOFF_TO,
  ATTR_OPENAI_AGENTS_MCP_SERVER,
  ATTR_OPENAI_AGENTS_SPAN_TYPE,
  ATTR_OPENINFERENCE_SPAN_KIND,
  LangChainRunTypeValues as RunTypes,
  OpenAIAgentsSpanTypeValues as AgentsTypes,
} from "@agentops/semconv";
import { ATTR_AI_OPERATION_ID } from "./ai-sdk";
import { readString } from "./attribute-values";

/** Frameworks and producers a span can come from, as the dashboard names them. */
export const FRAMEWORK_NAMES = {
  OPENAI_AGENTS: "OpenAI Agents SDK",
  AI_SDK: "Vercel AI SDK",
  LANGCHAIN: "LangChain",
  MCP: "Model Context Protocol",
  OPENLLMETRY: "OpenLLMetry",
  OPENINFERENCE: "OpenInference",
  GENAI: "OpenTelemetry GenAI",
} as const;

/** Roles worth a label of their own in the waterfall (the kind alone does not say them). */
export type SpanRole = "agent" | "handoff" | "guardrail" | "mcp" | "tool" | "model" | "step" | null;

export interface SpanDescription {
  /** The framework or instrumentation project that made the span; `null` for agentops' own. */
  framework: string | null;
  role: SpanRole;
  /** The agent that runs (an agent span) or the span belongs to, when the span says. */
  agent: string | null;
  /** A handoff's edge. */
  handoff: { from: string | null; to: string | null } | null;
  /** An MCP server the span talks to. */
  mcpServer: string | null;
  /** A guardrail's name and whether it tripped. */
  guardrail: { name: string | null; triggered: boolean } | null;
  /** `gen_ai.conversation.id`: the conversation (thread) the span is part of. */
  conversationId: string | null;
}

/** The action type `@agentops/langchain` gives a LangGraph node's run (runs inside it carry the node's name too). */
const LANGGRAPH_NODE_ACTION = "graph_node";

const AGENTS_ROLES: Record<string, SpanRole> = {
  [AgentsTypes.AGENT]: "agent",
  [AgentsTypes.HANDOFF]: "handoff",
  [AgentsTypes.GUARDRAIL]: "guardrail",
  [AgentsTypes.MCP_TOOLS]: "mcp",
  [AgentsTypes.FUNCTION]: "tool",
  [AgentsTypes.GENERATION]: "model",
  [AgentsTypes.RESPONSE]: "model",
  [AgentsTypes.TASK]: "step",
  [AgentsTypes.TURN]: "step",
};

const GENAI_ROLES: Record<string, SpanRole> = {
  invoke_agent: "agent",
  create_agent: "agent",
  execute_tool: "tool",
};

/**
 * Describes a span for display. Never throws; a span of no known vocabulary gets nulls.
 *
 * @example
 * describeSpan({ "openai_agents.span_type": "handoff", "openai_agents.handoff.from_agent": "Triage",
 *   "openai_agents.handoff.to_agent": "Billing" })
 * // → { framework: "OpenAI Agents SDK", role: "handoff", handoff: { from: "Triage", to: "Billing" }, … }
 */
export function describeSpan(attributes: Record<string, unknown>): SpanDescription {
  const description: SpanDescription = {
    framework: null,
    role: null,
    agent: readString(attributes[ATTR_GEN_AI_AGENT_NAME]),
    handoff: null,
    mcpServer: null,
    guardrail: null,
    conversationId: readString(attributes[ATTR_GEN_AI_CONVERSATION_ID]),
  };
  const operation = readString(attributes[ATTR_GEN_AI_OPERATION_NAME]);
  if (operation !== null && Object.hasOwn(GENAI_ROLES, operation)) description.role = GENAI_ROLES[operation]!;

  const agentsType = readString(attributes[ATTR_OPENAI_AGENTS_SPAN_TYPE]);
  if (agentsType !== null) {
    description.framework = FRAMEWORK_NAMES.OPENAI_AGENTS;
    description.role = Object.hasOwn(AGENTS_ROLES, agentsType) ? AGENTS_ROLES[agentsType]! : null;
    if (agentsType === AgentsTypes.HANDOFF) {
      description.handoff = {
        from: readString(attributes[ATTR_OPENAI_AGENTS_HANDOFF_FROM]),
        to: readString(attributes[ATTR_OPENAI_AGENTS_HANDOFF_TO]),
      };
    } else if (agentsType === AgentsTypes.GUARDRAIL) {
      description.guardrail = {
        name: readString(attributes[ATTR_OPENAI_AGENTS_GUARDRAIL_NAME]),
        triggered: attributes[ATTR_OPENAI_AGENTS_GUARDRAIL_TRIGGERED] === true,
      };
    } else if (agentsType === AgentsTypes.MCP_TOOLS) {
      description.mcpServer = readString(attributes[ATTR_OPENAI_AGENTS_MCP_SERVER]);
    }
    return description;
  }

  // An MCP request (ours, or the GenAI conventions' MCP spans): a tool call, or a listing / read.
  const mcpMethod = readString(attributes[ATTR_MCP_METHOD_NAME]);
  if (mcpMethod !== null) {
    description.framework = FRAMEWORK_NAMES.MCP;
    description.role = "mcp";
    description.mcpServer = readString(attributes[ATTR_MCP_SERVER_NAME]);
    return description;
  }

  const runType = readString(attributes[ATTR_LANGCHAIN_RUN_TYPE]);
  if (runType !== null) {
    description.framework = FRAMEWORK_NAMES.LANGCHAIN;
    if (runType === RunTypes.TOOL) description.role = "tool";
    else if (runType === RunTypes.LLM || runType === RunTypes.CHAT_MODEL) description.role = "model";
    else if (runType === RunTypes.CHAIN) {
      // The outermost chain runs the agent or graph; a LangGraph node is one of its steps.
      if (attributes[ATTR_LANGCHAIN_PARENT_RUN_ID] === undefined) description.role = "agent";
      else if (attributes[ATTR_AGENTOPS_ACTION_TYPE] === LANGGRAPH_NODE_ACTION) description.role = "step";
    }
    return description;
  }

  const aiOperation = readString(attributes[ATTR_AI_OPERATION_ID]);
  if (aiOperation !== null) {
    description.framework = FRAMEWORK_NAMES.AI_SDK;
    if (aiOperation === "ai.toolCall") description.role = "tool";
    else if (/\.do(Generate|Stream|Embed)$/.test(aiOperation)) description.role = "model";
    else if (/^ai\.(generate|stream)(Text|Object)$/.test(aiOperation)) description.role = "agent";
    return description;
  }

  if (readString(attributes[ATTR_OPENINFERENCE_SPAN_KIND]) !== null) {
    description.framework = FRAMEWORK_NAMES.OPENINFERENCE;
    const kind = readString(attributes[ATTR_OPENINFERENCE_SPAN_KIND])!.toUpperCase();
    if (kind === "AGENT") description.role = "agent";
    else if (kind === "TOOL") description.role = "tool";
    else if (kind === "GUARDRAIL") description.role = "guardrail";
    else if (kind === "LLM" || kind === "EMBEDDING") description.role = "model";
    return description;
  }

  if (readString(attributes[ATTR_LLM_REQUEST_TYPE]) !== null || hasPrefix(attributes, "traceloop.")) {
    description.framework = FRAMEWORK_NAMES.OPENLLMETRY;
    return description;
  }
  // The standard agent and tool spans of any producer (agentops' own carry `agentops.*` attributes).
  if (description.role !== null && !hasPrefix(attributes, "agentops.")) description.framework = FRAMEWORK_NAMES.GENAI;
  return description;
}

function hasPrefix(attributes: Record<string, unknown>, prefix: string): boolean {
  for (const name in attributes) if (name.startsWith(prefix)) return true;
  return false;
}
