import { context, type ContextManager } from "@opentelemetry/api";
import { AsyncLocalStorageContextManager } from "@opentelemetry/context-async-hooks";
import { InMemorySpanExporter, type ReadableSpan, SimpleSpanProcessor } from "@opentelemetry/sdk-trace-base";
import { NodeTracerProvider } from "@opentelemetry/sdk-trace-node";

/** A tracer provider exporting to memory, with the AsyncLocalStorage context manager. */
export interface TestTracing {
  provider: NodeTracerProvider;
  exporter: InMemorySpanExporter;
  spans(): ReadableSpan[];
  shutdown(): Promise<void>;
}

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

/** Parses a JSON string attribute. */
export function jsonAttribute(span: ReadableSpan, name: string): any {
  const value = span.attributes[name];
  if (typeof value !== "string") throw new Error(`attribute ${name} is ${String(value)}, not a JSON string`);
  return JSON.parse(value);
}
