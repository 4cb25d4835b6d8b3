import type { Attributes } from "@opentelemetry/api";
import {
  ATTR_AGENTOPS_ACTION_TYPE,
  ATTR_AGENTOPS_EVENT_PARAMS,
  ATTR_AGENTOPS_EVENT_RETURNS,
  ATTR_FUNCTION_INPUT,
  ATTR_FUNCTION_NAME,
  ATTR_FUNCTION_OUTPUT,
  ATTR_GEN_AI_AGENT_NAME,
  ATTR_GEN_AI_OPERATION_NAME,
  ATTR_GEN_AI_PROVIDER_NAME,
  ATTR_GEN_AI_REQUEST_MODEL,
  ATTR_GEN_AI_RESPONSE_ID,
  ATTR_GEN_AI_RESPONSE_MODEL,
  ATTR_GEN_AI_TOOL_NAME,
  ATTR_LEGACY_GEN_AI_COMPLETION,
  ATTR_LEGACY_GEN_AI_PROMPT,
  ATTR_OPENAI_AGENTS_AGENT_HANDOFFS,
  ATTR_OPENAI_AGENTS_AGENT_OUTPUT_TYPE,
  ATTR_OPENAI_AGENTS_AGENT_TOOLS,
  ATTR_OPENAI_AGENTS_CUSTOM_DATA,
  ATTR_OPENAI_AGENTS_CUSTOM_NAME,
  ATTR_OPENAI_AGENTS_GUARDRAIL_NAME,
  ATTR_OPENAI_AGENTS_GUARDRAIL_TRIGGERED,
  ATTR_OPENAI_AGENTS_HANDOFF_FROM,
  ATTR_OPENAI_AGENTS_HANDOFF_TO,
  ATTR_OPENAI_AGENTS_MCP_SERVER,
  ATTR_OPENAI_AGENTS_MCP_TOOLS,
  GenAiOperationValues,
  GenAiProviderValues,
} from "@agentops/semconv";
import { usageAttributes } from "./usage";
import { isRecord, stringList, text, toJson } from "./values";

/** The span data of an Agents SDK span, read structurally: its `type` says which fields it has. */
export type SpanDataLike = Record<string, unknown> & { type?: unknown };

/** What this package needs to know to describe a span. */
export interface DescribeOptions {
  /** Record model inputs and outputs (tool inputs and outputs follow the Agents SDK's own switch). */
  captureContent: boolean;
}

/**
 * The span's name, as OpenTelemetry backends list it: the GenAI conventions' `{operation}
 * {target}` where one applies (`invoke_agent Triage`, `execute_tool get_weather`, `chat gpt-4o`).
 */
export function spanName(data: SpanDataLike): string {
  const type = text(data.type) ?? "span";
  switch (type) {
    case "agent":
      return `${GenAiOperationValues.INVOKE_AGENT} ${text(data.name) ?? "agent"}`;
    case "function":
      return `${GenAiOperationValues.EXECUTE_TOOL} ${text(data.name) ?? "function"}`;
    case "generation":
      return joined(GenAiOperationValues.CHAT, text(data.model));
    case "response":
      return joined(GenAiOperationValues.CHAT, responseModel(data));
    case "handoff":
      return `handoff ${text(data.from_agent) ?? "?"} -> ${text(data.to_agent) ?? "?"}`;
    case "guardrail":
      return joined("guardrail", text(data.name));
    case "mcp_tools":
      return joined("mcp list_tools", text(data.server));
    case "custom":
      return text(data.name) ?? type;
    case "task":
      return joined("task", text(data.name));
    case "turn":
      return joined(`turn ${String(data.turn ?? "")}`.trim(), text(data.agent_name));
    case "transcription":
    case "speech":
      return joined(type, text(data.model));
    default:
      return type;
  }
}

/**
 * The attributes of a span from its data, as the span model reads them
 * (`@agentops/span-model`, `classifyOpenAIAgentsSpan`): GenAI names for other backends, the
 * `openai_agents.*` fields, and the event fields of the agentops export (an action's type, a
 * tool's or action's params and returns). Read when the span ends: the Agents SDK fills some
 * fields (an agent's tools, a function's output, a model call's usage) while the span runs.
 */
export function spanAttributes(data: SpanDataLike, options: DescribeOptions): Attributes {
  switch (data.type) {
    case "agent":
      return agentAttributes(data);
    case "function":
      return functionAttributes(data);
    case "generation":
      return generationAttributes(data, options);
    case "response":
      return responseAttributes(data, options);
    case "handoff":
      return handoffAttributes(data);
    case "guardrail":
      return guardrailAttributes(data);
    case "mcp_tools":
      return mcpToolsAttributes(data);
    case "custom":
      return compact({
        [ATTR_OPENAI_AGENTS_CUSTOM_NAME]: text(data.name),
        [ATTR_OPENAI_AGENTS_CUSTOM_DATA]: toJson(data.data),
      });
    case "transcription":
    case "speech":
      return compact({ [ATTR_GEN_AI_REQUEST_MODEL]: text(data.model) });
    default:
      // task, turn and speech groups: containers. Their usage sums the model calls under them,
      // which count on their own, so it is not written here.
      return {};
  }
}

function agentAttributes(data: SpanDataLike): Attributes {
  const name = text(data.name);
  const tools = stringList(data.tools);
  const handoffs = stringList(data.handoffs);
  const outputType = text(data.output_type);
  return compact({
    [ATTR_GEN_AI_OPERATION_NAME]: GenAiOperationValues.INVOKE_AGENT,
    [ATTR_GEN_AI_AGENT_NAME]: name,
    [ATTR_OPENAI_AGENTS_AGENT_TOOLS]: tools,
    [ATTR_OPENAI_AGENTS_AGENT_HANDOFFS]: handoffs,
    [ATTR_OPENAI_AGENTS_AGENT_OUTPUT_TYPE]: outputType,
    [ATTR_AGENTOPS_ACTION_TYPE]: "agent",
    [ATTR_AGENTOPS_EVENT_PARAMS]: toJson({ name, tools, handoffs, output_type: outputType }),
  });
}

function functionAttributes(data: SpanDataLike): Attributes {
  const name = text(data.name);
  const input = typeof data.input === "string" ? data.input : toJson(data.input);
  const output = typeof data.output === "string" ? data.output : toJson(data.output);
  return compact({
    [ATTR_GEN_AI_OPERATION_NAME]: GenAiOperationValues.EXECUTE_TOOL,
    [ATTR_GEN_AI_TOOL_NAME]: name,
    [ATTR_FUNCTION_NAME]: name,
    [ATTR_FUNCTION_INPUT]: input,
    [ATTR_FUNCTION_OUTPUT]: output,
    [ATTR_AGENTOPS_EVENT_PARAMS]: input,
    [ATTR_AGENTOPS_EVENT_RETURNS]: output,
  });
}

function generationAttributes(data: SpanDataLike, options: DescribeOptions): Attributes {
  // The chat completions model records the completion (with its usage) as the output, and sets
  // `usage` itself only in some cases: read `usage` first, then the completion's.
  const completion = Array.isArray(data.output) && isRecord(data.output[0]) ? data.output[0] : undefined;
  const usage = isRecord(data.usage) ? data.usage : completion?.usage;
  return compact({
    [ATTR_GEN_AI_OPERATION_NAME]: GenAiOperationValues.CHAT,
    [ATTR_GEN_AI_REQUEST_MODEL]: text(data.model),
    [ATTR_GEN_AI_RESPONSE_MODEL]: text(completion?.model),
    [ATTR_GEN_AI_RESPONSE_ID]: text(completion?.id),
    ...usageAttributes(usage),
    ...(options.captureContent ? contentAttributes(data.input, data.output) : {}),
  });
}

function responseAttributes(data: SpanDataLike, options: DescribeOptions): Attributes {
  const response = isRecord(data._response) ? data._response : undefined;
  return compact({
    [ATTR_GEN_AI_OPERATION_NAME]: GenAiOperationValues.CHAT,
    // Response spans come from the OpenAI Responses API model only.
    [ATTR_GEN_AI_PROVIDER_NAME]: GenAiProviderValues.OPENAI,
    [ATTR_GEN_AI_REQUEST_MODEL]: responseModel(data),
    [ATTR_GEN_AI_RESPONSE_MODEL]: responseModel(data),
    [ATTR_GEN_AI_RESPONSE_ID]: text(data.response_id) ?? text(response?.id),
    ...usageAttributes(response?.usage),
    ...(options.captureContent ? contentAttributes(data._input, response?.output) : {}),
  });
}

function handoffAttributes(data: SpanDataLike): Attributes {
  const from = text(data.from_agent);
  const to = text(data.to_agent);
  return compact({
    [ATTR_OPENAI_AGENTS_HANDOFF_FROM]: from,
    [ATTR_OPENAI_AGENTS_HANDOFF_TO]: to,
    [ATTR_AGENTOPS_ACTION_TYPE]: "handoff",
    [ATTR_AGENTOPS_EVENT_PARAMS]: toJson({ from_agent: from, to_agent: to }),
  });
}

function guardrailAttributes(data: SpanDataLike): Attributes {
  const name = text(data.name);
  const triggered = data.triggered === true;
  return compact({
    [ATTR_OPENAI_AGENTS_GUARDRAIL_NAME]: name,
    [ATTR_OPENAI_AGENTS_GUARDRAIL_TRIGGERED]: triggered,
    [ATTR_AGENTOPS_ACTION_TYPE]: "guardrail",
    [ATTR_AGENTOPS_EVENT_PARAMS]: toJson({ name }),
    [ATTR_AGENTOPS_EVENT_RETURNS]: toJson({ triggered }),
  });
}

function mcpToolsAttributes(data: SpanDataLike): Attributes {
  const server = text(data.server);
  const tools = stringList(data.result);
  return compact({
    [ATTR_OPENAI_AGENTS_MCP_SERVER]: server,
    [ATTR_OPENAI_AGENTS_MCP_TOOLS]: tools,
    [ATTR_AGENTOPS_ACTION_TYPE]: "mcp_list_tools",
    [ATTR_AGENTOPS_EVENT_PARAMS]: toJson({ server }),
    [ATTR_AGENTOPS_EVENT_RETURNS]: toJson(tools),
  });
}

/** A model call's input and output as the Agents SDK recorded them (JSON), when content is captured. */
function contentAttributes(input: unknown, output: unknown): Attributes {
  return compact({
    [ATTR_LEGACY_GEN_AI_PROMPT]: typeof input === "string" ? input : toJson(input),
    [ATTR_LEGACY_GEN_AI_COMPLETION]: toJson(output),
  });
}

function responseModel(data: SpanDataLike): string | undefined {
  return isRecord(data._response) ? text(data._response.model) : undefined;
}

function joined(head: string, tail: string | undefined): string {
  return tail === undefined ? head : `${head} ${tail}`;
}

/** Drops the fields without a value, so that a span never carries empty attributes. */
function compact(fields: Record<string, Attributes[string] | undefined>): Attributes {
  const result: Attributes = {};
  for (const [name, value] of Object.entries(fields)) {
    if (value !== undefined) result[name] = value;
  }
  return result;
}
