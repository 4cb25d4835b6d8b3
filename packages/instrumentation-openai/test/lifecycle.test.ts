import { context, trace } from "@opentelemetry/api";
import { suppressTracing } from "@opentelemetry/core";
import { isWrapped } from "@opentelemetry/instrumentation";
import OpenAI from "openai";
import { startMockProvider, type MockProvider } from "@agentops/mock-provider";
import { OpenAIInstrumentation } from "@agentops/instrumentation-openai";
import { setupTracing, type TestTracing } from "@agentops/test-support";

let provider: MockProvider;
let tracing: TestTracing;
let instrumentation: OpenAIInstrumentation;
let client: OpenAI;

const user = (content: string) => [{ role: "user" as const, content }];

beforeAll(async () => {
  provider = await startMockProvider();
  tracing = setupTracing();
  instrumentation = new OpenAIInstrumentation({ captureContent: false });
  instrumentation.setTracerProvider(tracing.provider);
  instrumentation.manuallyInstrument(OpenAI);
  client = new OpenAI({ apiKey: "test", baseURL: provider.openaiBaseURL, maxRetries: 0 });
});

afterEach(() => {
  provider.reset();
  tracing.exporter.reset();
  instrumentation.setConfig({ captureContent: false });
  instrumentation.enable();
});

afterAll(async () => {
  instrumentation.disable();
  await tracing.shutdown();
  await provider.close();
});

function onlySpan() {
  const spans = tracing.spans();
  expect(spans).toHaveLength(1);
  return spans[0]!;
}

describe("lifecycle", () => {
  it("emits no spans once disabled, and again once re-enabled", async () => {
    const patched = OpenAI.Chat.Completions.prototype.create;
    expect(isWrapped(patched)).toBe(true);
    instrumentation.disable();
    // _unwrap restored the client's own method, not a pass-through wrapper
    expect(isWrapped(OpenAI.Chat.Completions.prototype.create)).toBe(false);
    expect(isWrapped(OpenAI.Embeddings.prototype.create)).toBe(false);
    await client.chat.completions.create({ model: "gpt-4o-mini", messages: user("hi") });
    const stream = await client.chat.completions.create({ model: "gpt-4o-mini", messages: user("hi"), stream: true });
    for await (const _chunk of stream) void _chunk;
    expect(tracing.spans()).toHaveLength(0);
    expect(provider.requests[1]!.body.stream_options).toBeUndefined();
    instrumentation.enable();
    expect(isWrapped(OpenAI.Chat.Completions.prototype.create)).toBe(true);
    await client.chat.completions.create({ model: "gpt-4o-mini", messages: user("hi") });
    expect(tracing.spans()).toHaveLength(1);
  });

  it("emits no spans when tracing is suppressed, and the call still succeeds", async () => {
    const completion = await context.with(suppressTracing(context.active()), () =>
      client.chat.completions.create({ model: "gpt-4o-mini", messages: user("hi") }),
    );
    expect(completion.choices[0]!.message.content).toBe('Mock answer to "hi".');
    expect(tracing.spans()).toHaveLength(0);
  });

  it("starts spans under the context the parentContext hook chooses; a throwing hook changes nothing", async () => {
    const session = tracing.provider.getTracer("test").startSpan("session");
    instrumentation.setConfig({ captureContent: false, parentContext: (active) => trace.setSpan(active, session) });
    await client.chat.completions.create({ model: "gpt-4o-mini", messages: user("hi") });
    expect(onlySpan().parentSpanContext?.spanId).toBe(session.spanContext().spanId);
    tracing.exporter.reset();
    instrumentation.setConfig({
      captureContent: false,
      parentContext: () => {
        throw new Error("hook failure");
      },
    });
    const completion = await client.chat.completions.create({ model: "gpt-4o-mini", messages: user("hi") });
    expect(completion.choices[0]!.message.content).toBeTruthy();
    expect(onlySpan().parentSpanContext).toBeUndefined();
    tracing.exporter.reset();
    // a throwing hook leaves the span under the active context, here the caller's own span
    const caller = tracing.provider.getTracer("test").startSpan("caller");
    const again = await context.with(trace.setSpan(context.active(), caller), () =>
      client.chat.completions.create({ model: "gpt-4o-mini", messages: user("hi") }),
    );
    caller.end();
    expect(again.choices[0]!.message.content).toBeTruthy();
    const spans = tracing.spans().filter((span) => span.name !== "caller");
    expect(spans).toHaveLength(1);
    expect(spans[0]!.parentSpanContext?.spanId).toBe(caller.spanContext().spanId);
    session.end();
  });

  it("patches a prototype once, however often it is instrumented", async () => {
    const patched = OpenAI.Chat.Completions.prototype.create;
    instrumentation.manuallyInstrument(OpenAI);
    instrumentation.manuallyInstrument(client);
    const second = new OpenAIInstrumentation({ enabled: false });
    second.setTracerProvider(tracing.provider);
    second.enable();
    second.manuallyInstrument(OpenAI);
    expect(OpenAI.Chat.Completions.prototype.create).toBe(patched);
    await client.chat.completions.create({ model: "gpt-4o-mini", messages: user("hi") });
    expect(tracing.spans()).toHaveLength(1);
    second.disable();
    expect(OpenAI.Chat.Completions.prototype.create).toBe(patched);
  });

  it("traces a create nested in another create once", async () => {
    class LoggingCompletions extends OpenAI.Chat.Completions {
      override create(...args: Parameters<OpenAI.Chat.Completions["create"]>): any {
        return super.create(...args);
      }
    }
    instrumentation.manuallyInstrument({ OpenAI: Object.assign(function Wrapper() {}, { Chat: { Completions: LoggingCompletions } }) });
    const resource = new LoggingCompletions(client);
    await resource.create({ model: "gpt-4o-mini", messages: user("hi") });
    expect(tracing.spans()).toHaveLength(1);
    // and the outer span is the one with the right parent-less root
    expect(trace.getSpan(context.active())).toBeUndefined();
  });
});
