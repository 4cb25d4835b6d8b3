import {
  ATTR_LANGCHAIN_CLIENT_CALLS,
  ATTR_LANGCHAIN_PARENT_RUN_ID,
  ATTR_LANGCHAIN_RUN_TYPE,
  LangChainRunTypeValues as RunTypes,
} from "@agentops/semconv";
import type { EventKind } from "./kinds";
import { readCount, readString } from "./attribute-values";

/**
 * LangChain run types → our kinds. Chains (sequences, lambdas, prompts, parsers, LangGraph
 * nodes) are steps of the application: actions. Retrievers are lookups the application made, not
 * calls the model asked for: actions too (a retriever the model calls as a tool has its tool run
 * around it, which counts the tool call). Tools are tools, model runs LLM calls.
 */
const RUN_TYPES: Record<string, EventKind> = {
  [RunTypes.CHAIN]: "action",
  [RunTypes.RETRIEVER]: "action",
  [RunTypes.TOOL]: "tool",
  [RunTypes.LLM]: "llm",
  [RunTypes.CHAT_MODEL]: "llm",
};

/**
 * The kind of a LangChain run as `@agentops/langchain` writes it (it carries
 * `langchain.run_type`), else `null` (not such a span).
 *
 * The outermost chain of a LangChain call (no `langchain.parent_run_id`: a graph, an agent, a
 * chain the application invoked) is the agent run that groups the rest (`agent`, counted among
 * the actions like any chain).
 *
 * One model call must count once. When an LLM client instrumentation (ours for `openai`, or any
 * built on `@agentops/instrumentation-core`) traced the request a model run made, its client span
 * sits under the run's span and the run says so (`langchain.client_calls` > 0): the client span
 * counts (the wire's exact usage, the provider, the messages) and the run's span is a container
 * (`other`). Without one (a provider whose client is not instrumented) the run's span is the LLM
 * call, with the usage LangChain reported.
 */
export function classifyLangChainSpan(attributes: Record<string, unknown>): EventKind | null {
  const runType = readString(attributes[ATTR_LANGCHAIN_RUN_TYPE]);
  if (runType === null) return null;
  const kind: EventKind = Object.hasOwn(RUN_TYPES, runType) ? RUN_TYPES[runType]! : "other";
  if (kind === "llm" && (readCount(attributes[ATTR_LANGCHAIN_CLIENT_CALLS]) ?? 0) > 0) return "other";
  if (runType === RunTypes.CHAIN && readString(attributes[ATTR_LANGCHAIN_PARENT_RUN_ID]) === null) return "agent";
  return kind;
}
