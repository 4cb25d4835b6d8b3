import { context, type ContextManager } from "@opentelemetry/api";
import { AsyncLocalStorageContextManager } from "@opentelemetry/context-async-hooks";
import { InMemorySpanExporter, type ReadableSpan, SimpleSpanProcessor } from "@opentelemetry/sdk-trace-base";
import { NodeTracerProvider } from "@opentelemetry/sdk-trace-node";

/** A tracer provider exporting to memory, with the AsyncLocalStorage context manager. */
export interface TestTracing {
  provider: NodeTracerProvider;
  exporter: InMemorySpanExporter;
  /** The spans ended so far, in the order they ended. */
  spans(): ReadableSpan[];
  /** Shuts the provider down and disables the global context manager this set up. */
  shutdown(): Promise<void>;
}

/**
 * Sets the AsyncLocalStorage context manager as the global one and returns a tracer provider whose
 * ended spans are kept in memory. The provider is not registered: a test hands it to the
 * instrumentation under test (`setTracerProvider`) or registers it itself.
 */
export function setupTracing(): TestTracing {
  const contextManager: ContextManager = new AsyncLocalStorageContextManager().enable();
  context.setGlobalContextManager(contextManager);
  const exporter = new InMemorySpanExporter();
  const provider = new NodeTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
  return {
    provider,
    exporter,
    spans: () => exporter.getFinishedSpans(),
    async shutdown() {
      await provider.shutdown();
      context.disable();
    },
  };
}

/** Parses a span attribute that holds JSON; throws when the attribute is missing or not a string. */
export function jsonAttribute(span: ReadableSpan, name: string): any {
  const value = span.attributes[name];
  if (typeof value !== "string") throw new Error(`attribute ${name} is ${String(value)}, not a JSON string`);
  return JSON.parse(value);
}
