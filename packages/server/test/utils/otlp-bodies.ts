import { randomBytes } from "node:crypto";
import { gzipSync } from "node:zlib";
import {
  ATTR_AGENTOPS_ACTION_TYPE,
  ATTR_AGENTOPS_ERROR_CODE,
  ATTR_AGENTOPS_EVENT_ID,
  ATTR_AGENTOPS_EVENT_PARAMS,
  ATTR_AGENTOPS_EVENT_RETURNS,
  ATTR_AGENTOPS_SESSION_END_STATE,
  ATTR_AGENTOPS_SESSION_TAGS,
  ATTR_AGENTOPS_SPAN_KIND,
  ATTR_ERROR_TYPE,
  ATTR_GEN_AI_INPUT_MESSAGES,
  ATTR_GEN_AI_OPERATION_NAME,
  ATTR_GEN_AI_OUTPUT_MESSAGES,
  ATTR_GEN_AI_PROVIDER_NAME,
  ATTR_GEN_AI_REQUEST_MODEL,
  ATTR_GEN_AI_TOOL_NAME,
  ATTR_GEN_AI_USAGE_INPUT_TOKENS,
  ATTR_GEN_AI_USAGE_OUTPUT_TOKENS,
  ATTR_HOST_NAME,
  ATTR_SERVICE_NAME,
  SpanKindValues,
  traceIdToUuid,
} from "@agentops/semconv";
import type { OtlpEncoding } from "../../src/otlp/decode";
import { ExportTraceServiceRequest } from "../../src/otlp/otlp-proto";

/** A span to send, as a test writes it. */
export interface SpanInput {
  traceId: string;
  spanId?: string;
  parentSpanId?: string | null;
  name: string;
  startMs: number;
  endMs?: number;
  attributes?: Record<string, unknown>;
  status?: { code: number; message?: string };
  events?: Array<{ name: string; timeMs: number; attributes?: Record<string, unknown> }>;
}

export const hex = (bytes: number): string => randomBytes(bytes).toString("hex");

/** A JS value as an OTLP/JSON AnyValue. */
export function anyValue(value: unknown): Record<string, unknown> {
  if (typeof value === "string") return { stringValue: value };
  if (typeof value === "boolean") return { boolValue: value };
  if (typeof value === "number") return Number.isInteger(value) ? { intValue: String(value) } : { doubleValue: value };
  if (Array.isArray(value)) return { arrayValue: { values: value.map(anyValue) } };
  if (value && typeof value === "object") {
    return { kvlistValue: { values: Object.entries(value).map(([key, item]) => ({ key, value: anyValue(item) })) } };
  }
  return {};
}

const keyValues = (attributes: Record<string, unknown> = {}) =>
  Object.entries(attributes).map(([key, value]) => ({ key, value: anyValue(value) }));

const nanos = (ms: number): string => (BigInt(Math.round(ms * 1000)) * 1000n).toString();

/** An OTLP/JSON ExportTraceServiceRequest object. */
export function otlpJsonRequest(spans: SpanInput[], resource: Record<string, unknown> = defaultResource()): object {
  return {
    resourceSpans: [
      {
        resource: { attributes: keyValues(resource) },
        scopeSpans: [
          {
            scope: { name: "server-tests" },
            spans: spans.map((span) => ({
              traceId: span.traceId,
              spanId: span.spanId ?? hex(8),
              ...(span.parentSpanId ? { parentSpanId: span.parentSpanId } : {}),
              name: span.name,
              kind: 1,
              startTimeUnixNano: nanos(span.startMs),
              endTimeUnixNano: nanos(span.endMs ?? span.startMs + 10),
              attributes: keyValues(span.attributes),
              events: (span.events ?? []).map((event) => ({
                name: event.name,
                timeUnixNano: nanos(event.timeMs),
                attributes: keyValues(event.attributes),
              })),
              ...(span.status ? { status: span.status } : {}),
            })),
          },
        ],
      },
    ],
  };
}

/** The same request in either encoding (protobuf through the receiver's own schema). */
export function otlpBody(spans: SpanInput[], encoding: OtlpEncoding, resource?: Record<string, unknown>): Buffer {
  const request = otlpJsonRequest(spans, resource);
  if (encoding === "json") return Buffer.from(JSON.stringify(request));
  return Buffer.from(ExportTraceServiceRequest.encode(ExportTraceServiceRequest.fromObject(toProtoObject(request))).finish());
}

/** OTLP/JSON → the object protobufjs' fromObject takes (ids as bytes). */
function toProtoObject(value: unknown, key = ""): any {
  if (Array.isArray(value)) return value.map((item) => toProtoObject(item));
  if (value && typeof value === "object") {
    const result: Record<string, unknown> = {};
    for (const [name, item] of Object.entries(value)) result[name] = toProtoObject(item, name);
    return result;
  }
  if ((key === "traceId" || key === "spanId" || key === "parentSpanId") && typeof value === "string") {
    return Buffer.from(value, "hex");
  }
  return value;
}

export function gzip(body: Buffer): Buffer {
  return gzipSync(body);
}

export function contentType(encoding: OtlpEncoding): string {
  return encoding === "protobuf" ? "application/x-protobuf" : "application/json";
}

export function defaultResource(): Record<string, unknown> {
  return { [ATTR_SERVICE_NAME]: "server-tests", [ATTR_HOST_NAME]: "test-host" };
}

/** A finished session: root, one LLM call (gpt-4o, 1,000 in / 500 out), a tool, an action and an error. */
export function sessionSpans(options: { traceId?: string; startMs?: number; tags?: string[]; endState?: string } = {}): {
  traceId: string;
  sessionId: string;
  rootSpanId: string;
  llmEventId: string;
  spans: SpanInput[];
} {
  const traceId = options.traceId ?? hex(16);
  const start = options.startMs ?? Date.now() - 60_000;
  const rootSpanId = hex(8);
  const llmEventId = "11111111-2222-4333-8444-555555555555";
  const llmSpanId = hex(8);
  const spans: SpanInput[] = [
    {
      traceId,
      spanId: rootSpanId,
      name: "agent.session",
      startMs: start,
      endMs: start + 5000,
      attributes: {
        [ATTR_AGENTOPS_SPAN_KIND]: SpanKindValues.SESSION,
        [ATTR_AGENTOPS_SESSION_END_STATE]: options.endState ?? "Success",
        [ATTR_AGENTOPS_SESSION_TAGS]: options.tags ?? ["nightly"],
      },
    },
    {
      traceId,
      spanId: llmSpanId,
      parentSpanId: rootSpanId,
      name: "chat gpt-4o",
      startMs: start + 100,
      endMs: start + 900,
      attributes: {
        [ATTR_AGENTOPS_EVENT_ID]: llmEventId,
        [ATTR_GEN_AI_OPERATION_NAME]: "chat",
        [ATTR_GEN_AI_PROVIDER_NAME]: "openai",
        [ATTR_GEN_AI_REQUEST_MODEL]: "gpt-4o",
        [ATTR_GEN_AI_USAGE_INPUT_TOKENS]: 1000,
        [ATTR_GEN_AI_USAGE_OUTPUT_TOKENS]: 500,
        [ATTR_GEN_AI_INPUT_MESSAGES]: JSON.stringify([{ role: "user", parts: [{ type: "text", content: "hello" }] }]),
        [ATTR_GEN_AI_OUTPUT_MESSAGES]: JSON.stringify([{ role: "assistant", parts: [{ type: "text", content: "hi" }] }]),
      },
    },
    {
      traceId,
      parentSpanId: rootSpanId,
      name: "execute_tool search",
      startMs: start + 1000,
      endMs: start + 1200,
      attributes: {
        [ATTR_GEN_AI_OPERATION_NAME]: "execute_tool",
        [ATTR_GEN_AI_TOOL_NAME]: "search",
        [ATTR_AGENTOPS_EVENT_PARAMS]: JSON.stringify({ q: "otel" }),
        [ATTR_AGENTOPS_EVENT_RETURNS]: JSON.stringify(["a", "b"]),
      },
    },
    {
      traceId,
      parentSpanId: rootSpanId,
      name: "action",
      startMs: start + 1300,
      endMs: start + 1400,
      attributes: {
        [ATTR_AGENTOPS_SPAN_KIND]: SpanKindValues.ACTION,
        [ATTR_AGENTOPS_ACTION_TYPE]: "click",
        [ATTR_AGENTOPS_EVENT_PARAMS]: JSON.stringify({ x: 1 }),
      },
    },
    {
      traceId,
      parentSpanId: rootSpanId,
      name: "error",
      startMs: start + 1500,
      endMs: start + 1500,
      status: { code: 2, message: "boom" },
      attributes: {
        [ATTR_AGENTOPS_SPAN_KIND]: SpanKindValues.ERROR,
        [ATTR_ERROR_TYPE]: "ValueError",
        [ATTR_AGENTOPS_ERROR_CODE]: "E42",
      },
      events: [
        {
          name: "exception",
          timeMs: start + 1500,
          attributes: { "exception.type": "ValueError", "exception.message": "boom", "exception.stacktrace": "at x" },
        },
      ],
    },
  ];
  return { traceId, sessionId: traceIdToUuid(traceId), rootSpanId, llmEventId, spans };
}
