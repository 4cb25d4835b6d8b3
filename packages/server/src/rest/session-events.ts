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
  ATTR_ERROR_TYPE,
  ATTR_EXCEPTION_MESSAGE,
  ATTR_EXCEPTION_STACKTRACE,
  ATTR_EXCEPTION_TYPE,
  GenAiOperationValues,
} from "@agentops/semconv";
import { countsAsAction, describeSpan, parseJsonText, readRawMessages, readToolCall } from "@agentops/span-model";
import type { StoredSpan } from "../storage/types";
import type {
  ExportedActionEvent,
  ExportedErrorEvent,
  ExportedEventBase,
  ExportedFrameworkFields,
  ExportedLlmEvent,
  ExportedToolEvent,
  SpanResponse,
} from "@agentops/span-model";

/** The export's four event lists, in the order they are written. */
export const EXPORT_SECTIONS = ["actions", "llms", "tools", "errors"] as const;
export type ExportSection = (typeof EXPORT_SECTIONS)[number];

/**
 * The export entry of a span for one section, or `undefined` when the span does not belong
 * there. A failed LLM or tool call appears twice: in its own list and in `errors`, the same
 * spans the session's `errors` count covers.
 */
export function exportedEvent(
  span: StoredSpan,
  section: ExportSection,
): ExportedActionEvent | ExportedLlmEvent | ExportedToolEvent | ExportedErrorEvent | undefined {
  switch (section) {
    case "actions":
      return countsAsAction(span.kind) ? actionEvent(span) : undefined;
    case "llms":
      return span.kind === "llm" ? llmEvent(span) : undefined;
    case "tools":
      return span.kind === "tool" ? toolEvent(span) : undefined;
    case "errors":
      return span.kind === "error" || (span.isError && span.kind !== "session")
        ? errorEvent(span)
        : undefined;
  }
}

function base(span: StoredSpan): ExportedEventBase {
  return {
    id: eventId(span),
    span_id: span.spanId,
    parent_span_id: span.parentSpanId,
    init_timestamp: isoFromMs(span.startMs),
    end_timestamp: isoFromMs(span.endMs),
  };
}

function frameworkFields(span: StoredSpan): ExportedFrameworkFields {
  const description = describeSpan(span.attributes);
  return {
    framework: description.framework,
    role: description.role,
    agent_name: description.agent,
    handoff: description.handoff,
    mcp_server: description.mcpServer,
    conversation_id: description.conversationId,
  };
}

function llmEvent(span: StoredSpan): ExportedLlmEvent {
  const attributes = span.attributes;
  return {
    ...base(span),
    model: span.model,
    provider: span.provider,
    prompt: readRawMessages(attributes, "input"),
    completion: readRawMessages(attributes, "output"),
    prompt_tokens: span.promptTokens,
    completion_tokens: span.completionTokens,
    cached_tokens: span.cachedTokens,
    reasoning_tokens: span.reasoningTokens,
    cost: span.cost,
  };
}

/**
 * An action, or an agent run (`invoke_agent`, the Vercel AI SDK's `ai.generateText`), whose
 * params and returns are its input and output messages when it records no event params.
 */
function actionEvent(span: StoredSpan): ExportedActionEvent {
  const attributes = span.attributes;
  const agent = span.kind === "agent";
  return {
    ...base(span),
    action_type: stringOrNull(attributes[ATTR_AGENTOPS_ACTION_TYPE]) ?? span.name,
    params: jsonValue(attributes[ATTR_AGENTOPS_EVENT_PARAMS]) ?? (agent ? readRawMessages(attributes, "input") : null),
    returns: jsonValue(attributes[ATTR_AGENTOPS_EVENT_RETURNS]) ?? (agent ? readRawMessages(attributes, "output") : null),
    logs: jsonValue(attributes[ATTR_AGENTOPS_EVENT_LOGS]),
    screenshot: stringOrNull(attributes[ATTR_AGENTOPS_ACTION_SCREENSHOT]),
    ...frameworkFields(span),
  };
}

const TOOL_SPAN_PREFIX = `${GenAiOperationValues.EXECUTE_TOOL} `;

/** A tool call: our event attributes, else the GenAI or Vercel AI SDK tool-call attributes. */
function toolEvent(span: StoredSpan): ExportedToolEvent {
  const attributes = span.attributes;
  const fromName = span.name.startsWith(TOOL_SPAN_PREFIX)
    ? span.name.slice(TOOL_SPAN_PREFIX.length)
    : span.name;
  const call = readToolCall(attributes);
  const framework = frameworkFields(span);
  return {
    ...base(span),
    name: call.name ?? fromName,
    params: jsonValue(attributes[ATTR_AGENTOPS_EVENT_PARAMS]) ?? call.arguments,
    returns: jsonValue(attributes[ATTR_AGENTOPS_EVENT_RETURNS]) ?? call.result,
    logs: jsonValue(attributes[ATTR_AGENTOPS_EVENT_LOGS]),
    ...framework,
    mcp_server: call.server ?? framework.mcp_server,
  };
}

function errorEvent(span: StoredSpan): ExportedErrorEvent {
  const attributes = span.attributes;
  const exceptionEvent = span.events.find((event) => event.name === "exception")?.attributes ?? {};
  const exceptionType =
    stringOrNull(attributes[ATTR_EXCEPTION_TYPE]) ??
    stringOrNull(exceptionEvent[ATTR_EXCEPTION_TYPE]);
  const exceptionMessage =
    stringOrNull(attributes[ATTR_EXCEPTION_MESSAGE]) ??
    stringOrNull(exceptionEvent[ATTR_EXCEPTION_MESSAGE]);
  const exceptionStack =
    stringOrNull(attributes[ATTR_EXCEPTION_STACKTRACE]) ??
    stringOrNull(exceptionEvent[ATTR_EXCEPTION_STACKTRACE]);
  const hasException =
    exceptionType !== null || exceptionMessage !== null || exceptionStack !== null;
  const code = attributes[ATTR_AGENTOPS_ERROR_CODE];
  return {
    ...base(span),
    error_type: stringOrNull(attributes[ATTR_ERROR_TYPE]) ?? exceptionType,
    code: code === undefined || code === null ? null : String(code),
    details:
      jsonValue(attributes[ATTR_AGENTOPS_ERROR_DETAILS]) ??
      (span.kind === "error" ? null : span.statusMessage),
    exception: hasException
      ? { type: exceptionType, message: exceptionMessage, stacktrace: exceptionStack }
      : null,
    trigger_event_id:
      stringOrNull(attributes[ATTR_AGENTOPS_ERROR_TRIGGER_EVENT_ID]) ??
      (span.kind === "error" ? null : eventId(span)),
  };
}

/** A span as `GET /v2/sessions/:id/spans` lists it (the dashboard's waterfall). */
export function spanResponse(span: StoredSpan): SpanResponse {
  return {
    trace_id: span.traceId,
    span_id: span.spanId,
    parent_span_id: span.parentSpanId,
    name: span.name,
    kind: span.kind,
    start_time_unix_nano: span.startTimeUnixNano,
    end_time_unix_nano: span.endTimeUnixNano,
    start_timestamp: isoFromMs(span.startMs),
    end_timestamp: isoFromMs(span.endMs),
    duration_ms: durationMs(span.startTimeUnixNano, span.endTimeUnixNano),
    status_code: span.statusCode,
    status_message: span.statusMessage,
    attributes: span.attributes,
    resource: span.resource,
    events: span.events.map((event) => ({
      name: event.name,
      time_unix_nano: event.timeUnixNano,
      timestamp: isoFromMs(Number(BigInt(event.timeUnixNano) / 1_000_000n)),
      attributes: event.attributes,
    })),
    model: span.model,
    provider: span.provider,
    prompt_tokens: span.promptTokens,
    completion_tokens: span.completionTokens,
    cached_tokens: span.cachedTokens,
    reasoning_tokens: span.reasoningTokens,
    cost: span.cost,
    is_error: span.isError,
    end_state: span.endState,
  };
}

function eventId(span: StoredSpan): string {
  return stringOrNull(span.attributes[ATTR_AGENTOPS_EVENT_ID]) ?? span.spanId;
}

/** Milliseconds with microsecond precision, from exact nanoseconds. */
function durationMs(startNanos: string, endNanos: string): number {
  return Number((BigInt(endNanos) - BigInt(startNanos)) / 1000n) / 1000;
}

function isoFromMs(ms: number): string {
  const date = new Date(ms);
  return Number.isNaN(date.getTime()) ? new Date(0).toISOString() : date.toISOString();
}

function stringOrNull(value: unknown): string | null {
  return typeof value === "string" && value !== "" ? value : null;
}

/** Attributes carry structured values as JSON text: give them back parsed when they parse. */
function jsonValue(value: unknown): unknown {
  return value === undefined || value === null ? null : parseJsonText(value);
}
