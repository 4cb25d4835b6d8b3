import { clientOf, isObject } from "./targets";

/**
 * Runs `call` (one of the client's methods) with the client's own tracing held off.
 *
 * `@anthropic-ai/sdk` 1.x starts a span of its own for each API call whenever a tracer provider is
 * registered globally, so a call traced here would be counted twice. The client offers public
 * switches only per client, fixed at construction: the `openTelemetry: { traces: false }` option
 * and the `ANTHROPIC_OPEN_TELEMETRY=false` environment variable (read when a client without that
 * option is constructed); a request option (`openTelemetry`) carries only a conversation id.
 * Neither lets an instrumentation turn the client's span off for the one call it traces, on
 * clients the application already built, so this holds the client's `_tracer` field (where
 * 1.x keeps the tracer it obtained) at `undefined` during the synchronous part of the call, which
 * is when the client starts its span. Everything that depends on that private field is here.
 */
export function withoutClientSpans<T>(resource: unknown, call: () => T): T {
  const client = clientOf(resource);
  if (!isObject(client) || !client._tracer) return call();
  const descriptor = Object.getOwnPropertyDescriptor(client, "_tracer");
  if (descriptor?.writable !== true) return call();
  const tracer = client._tracer;
  client._tracer = undefined;
  try {
    return call();
  } finally {
    client._tracer = tracer;
  }
}
