import Anthropic from "@anthropic-ai/sdk";
import { startMockProvider, type MockProvider } from "@agentops/mock-provider";
import {
  AnthropicInstrumentation,
  type AnthropicInstrumentationConfig,
} from "@agentops/instrumentation-anthropic";
import { context } from "@opentelemetry/api";
import { AsyncLocalStorageContextManager } from "@opentelemetry/context-async-hooks";
import {
  InMemorySpanExporter,
  SimpleSpanProcessor,
  type ReadableSpan,
} from "@opentelemetry/sdk-trace-base";
import { NodeTracerProvider } from "@opentelemetry/sdk-trace-node";

/**
 * The real pieces a test needs: an OpenTelemetry SDK exporting to memory, the instrumentation
 * patching the real `@anthropic-ai/sdk` (by hand: jest's module loader bypasses the require hook),
 * the mock provider over real HTTP, and a client pointed at it.
 */
export interface Harness {
  exporter: InMemorySpanExporter;
  provider: NodeTracerProvider;
  instrumentation: AnthropicInstrumentation;
  mock: MockProvider;
  client: Anthropic;
  /** Spans of this instrumentation, ended so far. */
  spans(): ReadableSpan[];
  /** The one span of this instrumentation; fails unless there is exactly one. */
  onlySpan(): ReadableSpan;
  close(): Promise<void>;
}

export const MODEL = "claude-haiku-4-5";
export const QUESTION: Anthropic.MessageCreateParamsNonStreaming = {
  model: MODEL,
  max_tokens: 256,
  messages: [{ role: "user", content: "What is the capital of France?" }],
};
export const ANSWER = 'Mock answer to "What is the capital of France?".';

let contextManager: AsyncLocalStorageContextManager | undefined;

export async function startHarness(config: AnthropicInstrumentationConfig = {}): Promise<Harness> {
  if (!contextManager) {
    contextManager = new AsyncLocalStorageContextManager().enable();
    context.setGlobalContextManager(contextManager);
  }
  const exporter = new InMemorySpanExporter();
  const provider = new NodeTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
  const instrumentation = new AnthropicInstrumentation(config);
  instrumentation.setTracerProvider(provider);
  instrumentation.manuallyInstrument(Anthropic);
  const mock = await startMockProvider();
  const client = new Anthropic({
    apiKey: "test-key",
    baseURL: mock.anthropicBaseURL,
    maxRetries: 0,
  });
  const spans = () =>
    exporter
      .getFinishedSpans()
      .filter((span) => span.instrumentationScope.name === instrumentation.instrumentationName);
  return {
    exporter,
    provider,
    instrumentation,
    mock,
    client,
    spans,
    onlySpan() {
      const finished = spans();
      if (finished.length !== 1) {
        throw new Error(
          `expected exactly one span, got ${finished.length}: ${finished.map((span) => span.name).join(", ")}`,
        );
      }
      return finished[0]!;
    },
    async close() {
      instrumentation.disable();
      await mock.close();
      await provider.shutdown();
    },
  };
}
