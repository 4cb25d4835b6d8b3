import {
  ATTR_AGENTOPS_ACTION_SCREENSHOT,
  ATTR_AGENTOPS_ACTION_TYPE,
  ATTR_AGENTOPS_ERROR_CODE,
  ATTR_AGENTOPS_ERROR_DETAILS,
  ATTR_AGENTOPS_ERROR_TRIGGER_EVENT_ID,
  ATTR_AGENTOPS_EVENT_ID,
  ATTR_AGENTOPS_EVENT_LOGS,
  ATTR_AGENTOPS_EVENT_PARAMS,
  ATTR_AGENTOPS_EVENT_RETURNS,
  ATTR_AGENTOPS_LLM_COST,
  ATTR_ERROR_TYPE,
  ATTR_EXCEPTION_MESSAGE,
  ATTR_EXCEPTION_STACKTRACE,
  ATTR_EXCEPTION_TYPE,
  ATTR_GEN_AI_OPERATION_NAME,
  ATTR_GEN_AI_PROVIDER_NAME,
  ATTR_GEN_AI_REQUEST_FREQUENCY_PENALTY,
  ATTR_GEN_AI_REQUEST_MAX_TOKENS,
  ATTR_GEN_AI_REQUEST_MODEL,
  ATTR_GEN_AI_REQUEST_PRESENCE_PENALTY,
  ATTR_GEN_AI_REQUEST_SEED,
  ATTR_GEN_AI_REQUEST_STOP_SEQUENCES,
  ATTR_GEN_AI_REQUEST_STREAM,
  ATTR_GEN_AI_REQUEST_TEMPERATURE,
  ATTR_GEN_AI_REQUEST_TOP_K,
  ATTR_GEN_AI_REQUEST_TOP_P,
  ATTR_GEN_AI_RESPONSE_FINISH_REASONS,
  ATTR_GEN_AI_RESPONSE_ID,
  ATTR_GEN_AI_RESPONSE_MODEL,
  ATTR_GEN_AI_SYSTEM,
  ATTR_GEN_AI_TOOL_CALL_ID,
  ATTR_GEN_AI_TOOL_NAME,
  ATTR_GEN_AI_USAGE_CACHE_CREATION_INPUT_TOKENS,
  ATTR_GEN_AI_USAGE_CACHE_READ_INPUT_TOKENS,
  ATTR_GEN_AI_USAGE_REASONING_OUTPUT_TOKENS,
} from "@agentops/semconv";
import { useMemo } from "preact/hooks";
import type { SessionSpan } from "../api/types";
import { formatCost, formatCount, formatDuration, formatOffset } from "../lib/format";
import { parseJson, prettyValue, readConversation } from "../lib/genai";
import { safeHttpUrl } from "../lib/urls";
import { frameworkFacts } from "../lib/span-description";
import type { WaterfallModel } from "../lib/waterfall-model";
import { ChatView } from "./chat-view";
import { KeyValues } from "./key-values";

const REQUEST_PARAMS = [
  ATTR_GEN_AI_REQUEST_TEMPERATURE,
  ATTR_GEN_AI_REQUEST_TOP_P,
  ATTR_GEN_AI_REQUEST_TOP_K,
  ATTR_GEN_AI_REQUEST_MAX_TOKENS,
  ATTR_GEN_AI_REQUEST_FREQUENCY_PENALTY,
  ATTR_GEN_AI_REQUEST_PRESENCE_PENALTY,
  ATTR_GEN_AI_REQUEST_STOP_SEQUENCES,
  ATTR_GEN_AI_REQUEST_SEED,
  ATTR_GEN_AI_REQUEST_STREAM,
];

/** The selected event: an LLM call as a chat, params and returns, or an error with its stack. */
export function EventPanel({
  model,
  index,
  onSelect,
}: {
  model: WaterfallModel;
  index: number;
  onSelect: (index: number) => void;
}) {
  const row = model.rows[index];
  if (!row) {
    return (
      <section class="card panel" data-testid="event-panel">
        <div class="card-body muted">Select an event in the waterfall to see its details.</div>
      </section>
    );
  }
  const span = row.span;
  return (
    <section class="card panel" data-testid="event-panel" data-span-id={span.spanId}>
      <div class="card-header panel-title">
        <span class={`wf-kind kind-${span.kind}`}>{span.kind}</span>
        <span class="name" title={span.name}>
          {span.name}
        </span>
      </div>
      <div class="panel-body">
        <KeyValues
          entries={[
            ["Start", formatOffset(span.startMs - model.startMs)],
            ["Duration", formatDuration(span.endMs - span.startMs)],
            ["Process", model.processes[row.process]?.label ?? "—"],
            ...(span.statusCode === 2 ? ([["Status", `Error${span.statusMessage ? `: ${span.statusMessage}` : ""}`]] as Array<[string, unknown]>) : []),
            ...frameworkFacts(span),
          ]}
        />
        {span.kind === "llm" && <LlmDetails span={span} />}
        {(span.kind === "tool" || span.kind === "action" || span.kind === "agent") && <CallDetails span={span} />}
        {(span.kind === "error" || row.isError) && <ErrorDetails span={span} model={model} onSelect={onSelect} />}
        <details>
          <summary class="muted">All attributes</summary>
          <KeyValues entries={Object.entries(span.attributes).sort(([a], [b]) => a.localeCompare(b))} />
        </details>
      </div>
    </section>
  );
}

function LlmDetails({ span }: { span: SessionSpan }) {
  const attributes = span.attributes;
  const conversation = useMemo(() => readConversation(attributes), [attributes]);
  const model = span.model ?? attributes[ATTR_GEN_AI_RESPONSE_MODEL] ?? attributes[ATTR_GEN_AI_REQUEST_MODEL];
  const provider = attributes[ATTR_GEN_AI_PROVIDER_NAME] ?? attributes[ATTR_GEN_AI_SYSTEM];
  const usage: Array<[string, unknown]> = [
    ["Model", model ?? "—"],
    ["Provider", provider ?? "—"],
    ["Operation", attributes[ATTR_GEN_AI_OPERATION_NAME] ?? "—"],
    ["Prompt tokens", formatCount(span.promptTokens)],
    ["Completion tokens", formatCount(span.completionTokens)],
  ];
  const cached = attributes[ATTR_GEN_AI_USAGE_CACHE_READ_INPUT_TOKENS];
  if (cached !== undefined) usage.push(["Cache read tokens", cached]);
  const cacheWrite = attributes[ATTR_GEN_AI_USAGE_CACHE_CREATION_INPUT_TOKENS];
  if (cacheWrite !== undefined) usage.push(["Cache write tokens", cacheWrite]);
  const reasoning = attributes[ATTR_GEN_AI_USAGE_REASONING_OUTPUT_TOKENS];
  if (reasoning !== undefined) usage.push(["Reasoning tokens", reasoning]);
  usage.push(["Cost", `${formatCost(span.cost)}${attributes[ATTR_AGENTOPS_LLM_COST] !== undefined ? " (given by the client)" : ""}`]);
  const finish = attributes[ATTR_GEN_AI_RESPONSE_FINISH_REASONS];
  if (finish !== undefined) usage.push(["Finish", Array.isArray(finish) ? finish.join(", ") : finish]);
  const responseId = attributes[ATTR_GEN_AI_RESPONSE_ID];
  if (responseId !== undefined) usage.push(["Response id", responseId]);
  const params = REQUEST_PARAMS.filter((name) => attributes[name] !== undefined).map(
    (name): [string, unknown] => [name.replace("gen_ai.request.", ""), attributes[name]],
  );
  return (
    <>
      <div class="section">
        <h3>Call</h3>
        <KeyValues entries={usage} />
      </div>
      {params.length > 0 && (
        <div class="section">
          <h3>Parameters</h3>
          <KeyValues entries={params} />
        </div>
      )}
      <div class="section">
        <h3>Conversation</h3>
        <ChatView conversation={conversation} />
      </div>
    </>
  );
}

function CallDetails({ span }: { span: SessionSpan }) {
  const attributes = span.attributes;
  const params = parseJson(attributes[ATTR_AGENTOPS_EVENT_PARAMS]);
  const returns = parseJson(attributes[ATTR_AGENTOPS_EVENT_RETURNS]);
  const logs = attributes[ATTR_AGENTOPS_EVENT_LOGS];
  const screenshot = safeHttpUrl(attributes[ATTR_AGENTOPS_ACTION_SCREENSHOT]);
  const facts: Array<[string, unknown]> = [];
  if (span.kind === "action" && attributes[ATTR_AGENTOPS_ACTION_TYPE] !== undefined) facts.push(["Action type", attributes[ATTR_AGENTOPS_ACTION_TYPE]]);
  if (span.kind === "tool" && attributes[ATTR_GEN_AI_TOOL_NAME] !== undefined) facts.push(["Tool", attributes[ATTR_GEN_AI_TOOL_NAME]]);
  if (attributes[ATTR_GEN_AI_TOOL_CALL_ID] !== undefined) facts.push(["Call id", attributes[ATTR_GEN_AI_TOOL_CALL_ID]]);
  return (
    <>
      {facts.length > 0 && <KeyValues entries={facts} />}
      <div class="section">
        <h3>Params</h3>
        {params === undefined ? <span class="faint">none</span> : <pre class="block" data-testid="params">{prettyValue(params)}</pre>}
      </div>
      <div class="section">
        <h3>Returns</h3>
        {returns === undefined ? <span class="faint">none</span> : <pre class="block" data-testid="returns">{prettyValue(returns)}</pre>}
      </div>
      {logs !== undefined && (
        <div class="section">
          <h3>Logs</h3>
          <pre class="block">{prettyValue(logs)}</pre>
        </div>
      )}
      {screenshot && (
        <div class="section">
          <h3>Screenshot</h3>
          <a href={screenshot} target="_blank" rel="noopener noreferrer">
            {screenshot}
          </a>
        </div>
      )}
    </>
  );
}

function ErrorDetails({ span, model, onSelect }: { span: SessionSpan; model: WaterfallModel; onSelect: (index: number) => void }) {
  const attributes = span.attributes;
  const exception = span.events.find((event) => event.name === "exception")?.attributes ?? {};
  const type = attributes[ATTR_EXCEPTION_TYPE] ?? exception[ATTR_EXCEPTION_TYPE] ?? attributes[ATTR_ERROR_TYPE];
  const message = attributes[ATTR_EXCEPTION_MESSAGE] ?? exception[ATTR_EXCEPTION_MESSAGE] ?? span.statusMessage;
  const stack = attributes[ATTR_EXCEPTION_STACKTRACE] ?? exception[ATTR_EXCEPTION_STACKTRACE];
  const code = attributes[ATTR_AGENTOPS_ERROR_CODE];
  const details = parseJson(attributes[ATTR_AGENTOPS_ERROR_DETAILS]);
  const trigger = attributes[ATTR_AGENTOPS_ERROR_TRIGGER_EVENT_ID];
  const triggerIndex = typeof trigger === "string" ? findByEventId(model, trigger) : -1;
  const facts: Array<[string, unknown]> = [
    ["Type", type ?? "—"],
    ["Message", message ?? "—"],
  ];
  if (code !== undefined) facts.push(["Code", code]);
  return (
    <div class="section" data-testid="error-details">
      <h3>Error</h3>
      <KeyValues entries={facts} />
      {details !== undefined && <pre class="block">{prettyValue(details)}</pre>}
      {stack !== undefined && <pre class="block stack">{prettyValue(stack)}</pre>}
      {typeof trigger === "string" && (
        <div>
          <span class="muted">Triggered by </span>
          {triggerIndex >= 0 ? (
            <button type="button" class="button small" onClick={() => onSelect(triggerIndex)}>
              {model.rows[triggerIndex]!.span.name}
            </button>
          ) : (
            <span class="mono">{trigger}</span>
          )}
        </div>
      )}
    </div>
  );
}

function findByEventId(model: WaterfallModel, eventId: string): number {
  const bySpan = model.bySpanId.get(eventId);
  if (bySpan !== undefined) return bySpan;
  return model.rows.findIndex((row) => row.span.attributes[ATTR_AGENTOPS_EVENT_ID] === eventId);
}
