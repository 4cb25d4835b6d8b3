import { OpenAIInstrumentation as TraceloopOpenAIInstrumentation } from "@traceloop/instrumentation-openai";
import type OpenAIModule from "openai";
import { startMockProvider, type MockProvider } from "@agentops/mock-provider";
import { OpenAIInstrumentation } from "@agentops/instrumentation-openai";
import { setupTracing, type TestTracing } from "@agentops/test-support";

let provider: MockProvider;
let tracing: TestTracing;
// A fresh copy of the client per test: Traceloop's disable() leaves manually patched prototypes
// wrapped, so each test starts from the client's own methods.
let OpenAI: typeof OpenAIModule;
let client: OpenAIModule;
let original: unknown;
const ours = "@agentops/instrumentation-openai";
const request = { model: "gpt-4o-mini", messages: [{ role: "user" as const, content: "hi" }] };

beforeAll(async () => {
  provider = await startMockProvider();
  tracing = setupTracing();
});

beforeEach(() => {
  jest.resetModules();
  OpenAI = (jest.requireActual("openai") as { default: typeof OpenAIModule }).default;
  original = OpenAI.Chat.Completions.prototype.create;
  client = new OpenAI({ apiKey: "test", baseURL: provider.openaiBaseURL, maxRetries: 0 });
});

afterEach(() => {
  tracing.exporter.reset();
  provider.reset();
});

afterAll(async () => {
  await tracing.shutdown();
  await provider.close();
});

function create(): OpenAIInstrumentation {
  const instrumentation = new OpenAIInstrumentation({ enabled: false });
  instrumentation.setTracerProvider(tracing.provider);
  instrumentation.enable();
  instrumentation.manuallyInstrument(OpenAI);
  return instrumentation;
}

function traceloop(): TraceloopOpenAIInstrumentation {
  const instrumentation = new TraceloopOpenAIInstrumentation({ enabled: false });
  instrumentation.setTracerProvider(tracing.provider);
  instrumentation.enable();
  instrumentation.manuallyInstrument(OpenAI);
  return instrumentation;
}

/** How many spans each instrumentation scope exported. */
function spansByScope(): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const span of tracing.spans()) {
    const name = span.instrumentationScope.name;
    counts[name] = (counts[name] ?? 0) + 1;
  }
  return counts;
}

async function call(): Promise<void> {
  const completion = await client.chat.completions.create(request);
  expect(completion.choices[0]!.message.content).toBe('Mock answer to "hi".');
}

it("works with Traceloop's instrumentation wrapped over ours: one span each, through disable and enable", async () => {
  const agentops = create();
  const peer = traceloop();
  try {
    await call();
    const both = spansByScope();
    expect(both[ours]).toBe(1);
    expect(Object.keys(both)).toHaveLength(2);
    tracing.exporter.reset();
    // Theirs sits over ours: ours stays under it and passes calls through while disabled.
    agentops.disable();
    await call();
    expect(spansByScope()[ours]).toBeUndefined();
    expect(tracing.spans()).toHaveLength(1);
    tracing.exporter.reset();
    agentops.enable();
    await call();
    expect(spansByScope()[ours]).toBe(1);
    expect(tracing.spans()).toHaveLength(2);
  } finally {
    peer.disable();
    agentops.disable();
  }
});

it("works with Traceloop's instrumentation wrapped under ours: one span each; disabling ours restores theirs", async () => {
  expect(OpenAI.Chat.Completions.prototype.create).toBe(original);
  const peer = traceloop();
  const theirs = OpenAI.Chat.Completions.prototype.create;
  const agentops = create();
  try {
    await call();
    expect(spansByScope()[ours]).toBe(1);
    expect(tracing.spans()).toHaveLength(2);
    tracing.exporter.reset();
    agentops.disable();
    expect(OpenAI.Chat.Completions.prototype.create).toBe(theirs);
    await call();
    expect(spansByScope()[ours]).toBeUndefined();
    expect(tracing.spans()).toHaveLength(1);
  } finally {
    agentops.disable();
    peer.disable();
  }
});

it("stays in place when Traceloop's instrumentation is enabled after ours (its _wrap unwraps first)", async () => {
  const agentops = create();
  const peer = traceloop();
  try {
    expect(OpenAI.Chat.Completions.prototype.create).not.toBe(original);
    await call();
    expect(spansByScope()[ours]).toBe(1);
    expect(tracing.spans()).toHaveLength(2);
  } finally {
    peer.disable();
    agentops.disable();
  }
});
