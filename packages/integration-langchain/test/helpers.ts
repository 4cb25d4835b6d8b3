/** Shared by the in-process tests: tracing to memory, and what the span model makes of the spans. */
import { context } from "@opentelemetry/api";
import { AsyncLocalStorageContextManager } from "@opentelemetry/context-async-hooks";
import { InMemorySpanExporter, type ReadableSpan, SimpleSpanProcessor } from "@opentelemetry/sdk-trace-base";
import { NodeTracerProvider } from "@opentelemetry/sdk-trace-node";
import OpenAI from "openai";
import { startMockProvider, type MockProvider } from "@agentops/mock-provider";
import { OpenAIInstrumentation } from "@agentops/instrumentation-openai";
import { interpretSpan } from "@agentops/span-model";

export function parentId(span: ReadableSpan): string | undefined {
  return span.parentSpanContext?.spanId;
}

export function byRunType(spans: ReadableSpan[], type: string): ReadableSpan[] {
  return spans.filter((span) => span.attributes["langchain.run_type"] === type);
}

export function clientSpans(spans: ReadableSpan[]): ReadableSpan[] {
  return spans.filter((span) => span.instrumentationScope.name === "@agentops/instrumentation-openai");
}

export function totals(spans: ReadableSpan[]) {
  const sum = { llm: 0, tool: 0, action: 0, agent: 0, errors: 0, prompt: 0, completion: 0, cached: 0, reasoning: 0 };
  for (const span of spans) {
    const meaning = interpretSpan(span.name, parentId(span) ?? null, span.attributes, span.status.code);
    if (meaning.kind === "llm" || meaning.kind === "tool" || meaning.kind === "action" || meaning.kind === "agent") sum[meaning.kind] += 1;
    if (meaning.isError) sum.errors += 1;
    sum.prompt += meaning.promptTokens;
    sum.completion += meaning.completionTokens;
    sum.cached += meaning.cachedTokens;
    sum.reasoning += meaning.reasoningTokens;
  }
  return sum;
}

/** A tracer provider exporting to memory, the mock provider, and the openai client instrumented. */
export interface Tracing {
  provider: MockProvider;
  exporter: InMemorySpanExporter;
  tracerProvider: NodeTracerProvider;
  instrumentation: OpenAIInstrumentation;
  stop(): Promise<void>;
}

export async function startTracing(): Promise<Tracing> {
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  const exporter = new InMemorySpanExporter();
  const tracerProvider = new NodeTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
  const provider = await startMockProvider();
  const instrumentation = new OpenAIInstrumentation({ captureContent: false });
  instrumentation.setTracerProvider(tracerProvider);
  instrumentation.manuallyInstrument(OpenAI);
  return {
    provider,
    exporter,
    tracerProvider,
    instrumentation,
    async stop() {
      instrumentation.disable();
      await tracerProvider.shutdown();
      await provider.close();
      context.disable();
    },
  };
}
