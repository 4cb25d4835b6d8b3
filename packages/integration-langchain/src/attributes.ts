import type { Attributes } from "@opentelemetry/api";
import {
  ATTR_AGENTOPS_ACTION_TYPE,
  ATTR_AGENTOPS_EVENT_PARAMS,
  ATTR_AGENTOPS_EVENT_RETURNS,
  ATTR_GEN_AI_AGENT_NAME,
  ATTR_GEN_AI_INPUT_MESSAGES,
  ATTR_GEN_AI_OPERATION_NAME,
  ATTR_GEN_AI_OUTPUT_MESSAGES,
  ATTR_GEN_AI_PROVIDER_NAME,
  ATTR_GEN_AI_REQUEST_MAX_TOKENS,
  ATTR_GEN_AI_REQUEST_MODEL,
  ATTR_GEN_AI_REQUEST_TEMPERATURE,
  ATTR_GEN_AI_RESPONSE_FINISH_REASONS,
  ATTR_GEN_AI_RESPONSE_ID,
  ATTR_GEN_AI_RESPONSE_MODEL,
  ATTR_GEN_AI_TOOL_CALL_ID,
  ATTR_GEN_AI_TOOL_NAME,
  GenAiOperationValues,
} from "@agentops/semconv";
import { type GenAiMessage, promptMessage, toGenAiMessage } from "./messages";
import { usageAttributes } from "./usage";
import { count, finite, isRecord, plain, text, toJson } from "./values";

/** Drops the fields without a value, so that a span never carries empty attributes. */
export function compact(fields: Record<string, Attributes[string] | undefined>): Attributes {
  const result: Attributes = {};
  for (const [name, value] of Object.entries(fields)) {
    if (value !== undefined) result[name] = value;
  }
  return result;
}

/** The name LangChain gives a run: its run name, else the serialised object's name or class. */
export function runName(serialized: unknown, name: string | undefined, fallback: string): string {
  if (text(name) !== undefined) return name!;
  if (!isRecord(serialized)) return fallback;
  if (text(serialized.name) !== undefined) return serialized.name as string;
  const id = Array.isArray(serialized.id) ? serialized.id : [];
  return text(id[id.length - 1]) ?? fallback;
}

/** A chain's start: the outermost one is the agent run (`invoke_agent <name>`), a graph node a `graph_node`. */
export function chainStartAttributes(name: string, isRoot: boolean, isGraphStep: boolean, inputs: unknown, captureContent: boolean): Attributes {
  return compact({
    ...(isRoot ? { [ATTR_GEN_AI_OPERATION_NAME]: GenAiOperationValues.INVOKE_AGENT, [ATTR_GEN_AI_AGENT_NAME]: name } : {}),
    [ATTR_AGENTOPS_ACTION_TYPE]: isRoot ? "agent" : isGraphStep ? "graph_node" : "chain",
    [ATTR_AGENTOPS_EVENT_PARAMS]: captureContent ? toJson(plain(inputs)) : undefined,
  });
}

/** What the model run was asked: model, provider and settings from LangChain's tracing metadata. */
export function modelStartAttributes(
  operation: string,
  extraParams: unknown,
  metadata: unknown,
  input: GenAiMessage[] | undefined,
): Attributes {
  const invocation = isRecord(extraParams) && isRecord(extraParams.invocation_params) ? extraParams.invocation_params : {};
  const meta = isRecord(metadata) ? metadata : {};
  return compact({
    [ATTR_GEN_AI_OPERATION_NAME]: operation,
    [ATTR_GEN_AI_PROVIDER_NAME]: text(meta.ls_provider),
    [ATTR_GEN_AI_REQUEST_MODEL]: text(invocation.model) ?? text(invocation.model_name) ?? text(meta.ls_model_name),
    [ATTR_GEN_AI_REQUEST_TEMPERATURE]: finite(invocation.temperature) ?? finite(meta.ls_temperature),
    [ATTR_GEN_AI_REQUEST_MAX_TOKENS]: count(invocation.max_tokens) ?? count(invocation.max_completion_tokens) ?? count(meta.ls_max_tokens),
    [ATTR_GEN_AI_INPUT_MESSAGES]: input === undefined ? undefined : toJson(input),
  });
}

/** The messages a chat model was sent (the first prompt: LangChain starts one run per prompt). */
export function chatInput(messages: unknown): GenAiMessage[] {
  const first = Array.isArray(messages) && Array.isArray(messages[0]) ? (messages[0] as unknown[]) : [];
  return first.map((message) => toGenAiMessage(message)).filter((message): message is GenAiMessage => message !== undefined);
}

/** The prompt a text-completion model was sent. */
export function textInput(prompts: unknown): GenAiMessage[] {
  return Array.isArray(prompts) && typeof prompts[0] === "string" ? [promptMessage(prompts[0])] : [];
}

/** What the model answered (`LLMResult`): usage, response model and id, finish reasons, and the messages when captured. */
export function modelEndAttributes(output: unknown, captureContent: boolean): Attributes {
  const result = isRecord(output) ? output : {};
  const generations = Array.isArray(result.generations) && Array.isArray(result.generations[0]) ? (result.generations[0] as unknown[]) : [];
  const first = isRecord(generations[0]) ? generations[0] : undefined;
  const message = isRecord(first?.message) ? first.message : undefined;
  const responseMetadata = isRecord(message?.response_metadata) ? message.response_metadata : {};
  const llmOutput = isRecord(result.llmOutput) ? result.llmOutput : {};
  const finishReasons: string[] = [];
  const messages: GenAiMessage[] = [];
  for (const generation of generations) {
    if (!isRecord(generation)) continue;
    const info = isRecord(generation.generationInfo) ? generation.generationInfo : {};
    const metadata = isRecord(generation.message) && isRecord(generation.message.response_metadata) ? generation.message.response_metadata : {};
    const reason = text(info.finish_reason) ?? text(metadata.finish_reason);
    if (reason !== undefined) finishReasons.push(reason);
    if (captureContent) {
      messages.push(toGenAiMessage(generation.message, reason) ?? { role: "assistant", parts: [{ type: "text", content: String(generation.text ?? "") }], ...(reason ? { finish_reason: reason } : {}) });
    }
  }
  return compact({
    [ATTR_GEN_AI_RESPONSE_MODEL]: text(responseMetadata.model_name) ?? text(responseMetadata.model) ?? text(llmOutput.model_name),
    [ATTR_GEN_AI_RESPONSE_ID]: text(message?.id),
    [ATTR_GEN_AI_RESPONSE_FINISH_REASONS]: finishReasons.length > 0 ? finishReasons : undefined,
    [ATTR_GEN_AI_OUTPUT_MESSAGES]: captureContent ? toJson(messages) : undefined,
    ...usageAttributes(message, llmOutput),
  });
}

/** A tool's start: its name and call id, and its input (recorded as the tool's params). */
export function toolStartAttributes(name: string, input: unknown, toolCallId: string | undefined): Attributes {
  return compact({
    [ATTR_GEN_AI_OPERATION_NAME]: GenAiOperationValues.EXECUTE_TOOL,
    [ATTR_GEN_AI_TOOL_NAME]: name,
    [ATTR_GEN_AI_TOOL_CALL_ID]: text(toolCallId),
    [ATTR_AGENTOPS_EVENT_PARAMS]: toJson(input),
  });
}

/** A tool's output: a `ToolMessage`'s content, else the value as it came. */
export function toolEndAttributes(output: unknown): Attributes {
  const value = isRecord(output) && "content" in output && "tool_call_id" in output ? output.content : output;
  return compact({ [ATTR_AGENTOPS_EVENT_RETURNS]: toJson(plain(value)) });
}

/** A retriever's start: an action of type `retriever`, its params the query. */
export function retrieverStartAttributes(name: string, query: unknown): Attributes {
  return compact({
    [ATTR_AGENTOPS_ACTION_TYPE]: "retriever",
    [ATTR_AGENTOPS_EVENT_PARAMS]: toJson({ name, query: typeof query === "string" ? query : plain(query) }),
  });
}

/** A retriever's documents, as its returns. */
export function retrieverEndAttributes(documents: unknown): Attributes {
  return returnsAttributes(documents);
}

/** A value (a chain's outputs) as an event's returns. */
export function returnsAttributes(value: unknown): Attributes {
  return compact({ [ATTR_AGENTOPS_EVENT_RETURNS]: toJson(plain(value)) });
}
