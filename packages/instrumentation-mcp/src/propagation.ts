import {
  ROOT_CONTEXT,
  isSpanContextValid,
  trace,
  type Context,
  type SpanContext,
  type TextMapGetter,
  type TextMapSetter,
} from "@opentelemetry/api";
import {
  CompositePropagator,
  W3CBaggagePropagator,
  W3CTraceContextPropagator,
} from "@opentelemetry/core";
import { isRecord } from "./values";

/**
 * W3C Trace Context and Baggage, whatever propagator the application registered: MCP reserves
 * these unprefixed keys of `params._meta` for them (SEP-414, and the MCP semantic conventions),
 * so a server in any language reads them there.
 */
const propagator = new CompositePropagator({
  propagators: [new W3CTraceContextPropagator(), new W3CBaggagePropagator()],
});

const setter: TextMapSetter<Record<string, string>> = {
  set: (carrier, key, value) => {
    carrier[key] = value;
  },
};

/** Reads only string values: `_meta` is whatever the peer sent. */
const getter: TextMapGetter<Record<string, unknown>> = {
  keys: (carrier) => Object.keys(carrier),
  get: (carrier, key) => {
    const value = Object.hasOwn(carrier, key) ? carrier[key] : undefined;
    return typeof value === "string" ? value : undefined;
  },
};

/**
 * The request with `active`'s trace context in `params._meta`, as a copy (the caller's objects
 * are never changed); fields the caller put in `_meta` itself win. The request as it was when
 * there is no context to send or its params are not an object.
 */
export function withTraceContext(request: unknown, active: Context): unknown {
  if (!isRecord(request)) return request;
  const params = request.params;
  if (params !== undefined && !isRecord(params)) return request;
  const carrier: Record<string, string> = {};
  propagator.inject(active, carrier, setter);
  if (Object.keys(carrier).length === 0) return request;
  const meta = isRecord(params?._meta) ? params._meta : {};
  return { ...request, params: { ...params, _meta: { ...carrier, ...meta } } };
}

/** The caller's context a request carries in `_meta`: a valid remote span context, or undefined. */
export function extractTraceContext(meta: unknown): { context: Context; caller: SpanContext } | undefined {
  if (!isRecord(meta) || typeof meta.traceparent !== "string") return undefined;
  const extracted = propagator.extract(ROOT_CONTEXT, meta, getter);
  const caller = trace.getSpanContext(extracted);
  return caller !== undefined && isSpanContextValid(caller) ? { context: extracted, caller } : undefined;
}
