import { randomBytes } from "node:crypto";
import { traceIdToUuid } from "@agentops/semconv";

/** One span to send, in plain values; {@link otlpJson} turns it into OTLP/JSON. */
export interface SpanSpec {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  startMs: number;
  endMs: number;
  attributes: Record<string, unknown>;
  status?: { code: 0 | 1 | 2; message?: string };
  events?: Array<{ name: string; timeMs: number; attributes: Record<string, unknown> }>;
}

export const newTraceId = (): string => randomBytes(16).toString("hex");
export const newSpanId = (): string => randomBytes(8).toString("hex");
export const sessionIdOf = (traceId: string): string => traceIdToUuid(traceId);

/** A JavaScript value → an OTLP AnyValue. */
export function anyValue(value: unknown): Record<string, unknown> {
  if (typeof value === "string") return { stringValue: value };
  if (typeof value === "boolean") return { boolValue: value };
  if (typeof value === "number") return Number.isInteger(value) ? { intValue: String(value) } : { doubleValue: value };
  if (Array.isArray(value)) return { arrayValue: { values: value.map(anyValue) } };
  return { stringValue: JSON.stringify(value) };
}

function keyValues(attributes: Record<string, unknown>): Array<{ key: string; value: Record<string, unknown> }> {
  return Object.entries(attributes)
    .filter(([, value]) => value !== undefined)
    .map(([key, value]) => ({ key, value: anyValue(value) }));
}

const nanos = (ms: number): string => (BigInt(Math.round(ms * 1000)) * 1000n).toString();

/** An OTLP/JSON `ExportTraceServiceRequest` for spans of one process (resource). */
export function otlpJson(resource: Record<string, unknown>, spans: readonly SpanSpec[]): unknown {
  return {
    resourceSpans: [
      {
        resource: { attributes: keyValues(resource) },
        scopeSpans: [
          {
            scope: { name: "agentops", version: "0.1.0" },
            spans: spans.map((span) => ({
              traceId: span.traceId,
              spanId: span.spanId,
              ...(span.parentSpanId ? { parentSpanId: span.parentSpanId } : {}),
              name: span.name,
              kind: 1,
              startTimeUnixNano: nanos(span.startMs),
              endTimeUnixNano: nanos(span.endMs),
              attributes: keyValues(span.attributes),
              events: (span.events ?? []).map((event) => ({
                name: event.name,
                timeUnixNano: nanos(event.timeMs),
                attributes: keyValues(event.attributes),
              })),
              status: span.status ?? { code: 0 },
            })),
          },
        ],
      },
    ],
  };
}

/** POSTs spans to the server's OTLP/HTTP receiver as JSON, in batches; throws on a non-2xx answer. */
export async function sendSpans(
  baseUrl: string,
  apiKey: string,
  resource: Record<string, unknown>,
  spans: readonly SpanSpec[],
  batchSize = 2000,
): Promise<void> {
  for (let at = 0; at < spans.length; at += batchSize) {
    const response = await fetch(`${baseUrl}/v1/traces`, {
      method: "POST",
      headers: { "content-type": "application/json", "x-agentops-api-key": apiKey },
      body: JSON.stringify(otlpJson(resource, spans.slice(at, at + batchSize))),
    });
    const text = await response.text();
    if (!response.ok) throw new Error(`POST /v1/traces answered ${response.status}: ${text}`);
    const body = JSON.parse(text || "{}") as { partialSuccess?: { rejectedSpans?: string | number } };
    if (Number(body.partialSuccess?.rejectedSpans ?? 0) > 0) throw new Error(`spans rejected: ${text}`);
  }
}
