import { SpanKind, SpanStatusCode } from "@opentelemetry/api";
import OpenAI from "openai";
import { startMockProvider, type MockProvider } from "@agentops/mock-provider";
import { OpenAIInstrumentation } from "@agentops/instrumentation-openai";
import { jsonAttribute, setupTracing, type TestTracing } from "@agentops/test-support";
import { chatHelpers } from "./utils/client";

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

describe("chat.completions.create", () => {
  it("records request, response and usage per the GenAI conventions", async () => {
    const completion = await client.chat.completions.create({
      model: "gpt-4o-mini",
      messages: user("Hello"),
      temperature: 0,
      top_p: 0.5,
      max_completion_tokens: 100,
      frequency_penalty: 0,
      presence_penalty: 0.25,
      stop: "END",
      seed: 7,
      n: 2,
      service_tier: "default",
    });
    const span = onlySpan();
    expect(span.name).toBe("chat gpt-4o-mini");
    expect(span.kind).toBe(SpanKind.CLIENT);
    expect(span.status.code).toBe(SpanStatusCode.UNSET);
    expect(span.instrumentationScope.name).toBe("@agentops/instrumentation-openai");
    expect(span.attributes).toEqual({
      "gen_ai.operation.name": "chat",
      "gen_ai.provider.name": "openai",
      "gen_ai.system": "openai",
      "gen_ai.request.model": "gpt-4o-mini",
      "gen_ai.request.stream": false,
      "gen_ai.request.temperature": 0,
      "gen_ai.request.top_p": 0.5,
      "gen_ai.request.max_tokens": 100,
      "gen_ai.request.frequency_penalty": 0,
      "gen_ai.request.presence_penalty": 0.25,
      "gen_ai.request.stop_sequences": ["END"],
      "gen_ai.request.seed": 7,
      "gen_ai.request.choice.count": 2,
      "openai.request.service_tier": "default",
      "server.address": "127.0.0.1",
      "server.port": provider.port,
      "gen_ai.response.id": completion.id,
      "gen_ai.response.model": "gpt-4o-mini",
      "gen_ai.response.finish_reasons": ["stop", "stop"],
      "openai.response.service_tier": "default",
      "openai.response.system_fingerprint": "fp_mock",
      "gen_ai.usage.input_tokens": completion.usage!.prompt_tokens,
      "gen_ai.usage.output_tokens": completion.usage!.completion_tokens,
      "gen_ai.usage.cache_read.input_tokens": 0,
      "gen_ai.usage.reasoning.output_tokens": 0,
    });
    expect(span.attributes["gen_ai.input.messages"]).toBeUndefined();
  });

  it("records cached and reasoning tokens", async () => {
    provider.script({ usage: { inputTokens: 1000, cacheReadTokens: 800, outputTokens: 500, reasoningTokens: 120 } });
    await client.chat.completions.create({ model: "o3-mini", messages: user("think") });
    expect(onlySpan().attributes).toMatchObject({
      "gen_ai.usage.input_tokens": 1000,
      "gen_ai.usage.cache_read.input_tokens": 800,
      "gen_ai.usage.output_tokens": 500,
      "gen_ai.usage.reasoning.output_tokens": 120,
    });
  });

  it("is a child of the active span and sends the caller's body unchanged", async () => {
    const tracer = tracing.provider.getTracer("test");
    const body = { model: "gpt-4o-mini", messages: user("hi"), temperature: 0 };
    await tracer.startActiveSpan("parent", async (parent) => {
      await client.chat.completions.create(body);
      parent.end();
    });
    const spans = tracing.spans();
    const child = spans.find((span) => span.name === "chat gpt-4o-mini")!;
    const parent = spans.find((span) => span.name === "parent")!;
    expect(child.parentSpanContext?.spanId).toBe(parent.spanContext().spanId);
    expect(provider.requests[0]!.body).toEqual(body);
  });

  it("keeps the APIPromise: withResponse() and asResponse() work, one span each", async () => {
    const { data, response, request_id } = await client.chat.completions
      .create({ model: "gpt-4o-mini", messages: user("hi") })
      .withResponse();
    expect(data.choices[0]!.message.content).toBe('Mock answer to "hi".');
    expect(response.status).toBe(200);
    expect(request_id).toMatch(/^req_/);
    expect(onlySpan().attributes["gen_ai.response.id"]).toBe(data.id);

    tracing.exporter.reset();
    const raw = await client.chat.completions.create({ model: "gpt-4o-mini", messages: user("raw") }).asResponse();
    const body = (await raw.json()) as { choices: Array<{ message: { content: string } }> };
    expect(body.choices[0]!.message.content).toBe('Mock answer to "raw".');
    const span = onlySpan();
    expect(span.status.code).toBe(SpanStatusCode.UNSET);
    expect(span.attributes["gen_ai.request.model"]).toBe("gpt-4o-mini");
  });

  it("traces parse() once", async () => {
    const parsed = await chatHelpers(client).parse({ model: "gpt-4o-mini", messages: user("parse me") });
    expect(parsed.choices[0]!.message.parsed).toBeNull();
    expect(parsed.choices[0]!.message.content).toBe('Mock answer to "parse me".');
    expect(onlySpan().name).toBe("chat gpt-4o-mini");
  });

  it("records tool calls in the output messages", async () => {
    instrumentation.setConfig({ captureContent: true });
    provider.script({ toolCalls: [{ name: "get_weather", arguments: { city: "Paris" }, id: "call_1" }] });
    const tools: OpenAI.Chat.ChatCompletionTool[] = [
      { type: "function", function: { name: "get_weather", description: "Weather", parameters: { type: "object" } } },
    ];
    await client.chat.completions.create({ model: "gpt-4o-mini", messages: user("Weather in Paris?"), tools });
    const span = onlySpan();
    expect(span.attributes["gen_ai.response.finish_reasons"]).toEqual(["tool_calls"]);
    expect(jsonAttribute(span, "gen_ai.output.messages")).toEqual([
      {
        role: "assistant",
        parts: [{ type: "tool_call", id: "call_1", name: "get_weather", arguments: '{"city":"Paris"}' }],
        finish_reason: "tool_calls",
      },
    ]);
    expect(jsonAttribute(span, "gen_ai.tool.definitions")).toEqual([
      { type: "function", name: "get_weather", description: "Weather", parameters: { type: "object" } },
    ]);
  });

  it("records input and output messages when content capture is on", async () => {
    instrumentation.setConfig({ captureContent: true });
    await client.chat.completions.create({
      model: "gpt-4o-mini",
      messages: [
        { role: "system", content: "Be brief." },
        { role: "user", content: [{ type: "text", text: "Weather?" }] },
        {
          role: "assistant",
          content: null,
          tool_calls: [{ id: "call_1", type: "function", function: { name: "get_weather", arguments: "{}" } }],
        },
        { role: "tool", tool_call_id: "call_1", content: "sunny" },
      ],
    });
    const span = onlySpan();
    expect(jsonAttribute(span, "gen_ai.input.messages")).toEqual([
      { role: "system", parts: [{ type: "text", content: "Be brief." }] },
      { role: "user", parts: [{ type: "text", content: "Weather?" }] },
      { role: "assistant", parts: [{ type: "tool_call", id: "call_1", name: "get_weather", arguments: "{}" }] },
      { role: "tool", parts: [{ type: "tool_call_response", id: "call_1", response: "sunny" }] },
    ]);
    expect(jsonAttribute(span, "gen_ai.output.messages")).toEqual([
      { role: "assistant", parts: [{ type: "text", content: "The tool returned sunny." }], finish_reason: "stop" },
    ]);
  });

  it("records no content when capture is off", async () => {
    await client.chat.completions.create({ model: "gpt-4o-mini", messages: user("secret"), tools: [] });
    const attributes = onlySpan().attributes;
    for (const name of ["gen_ai.input.messages", "gen_ai.output.messages", "gen_ai.system_instructions", "gen_ai.tool.definitions"]) {
      expect(attributes[name]).toBeUndefined();
    }
    expect(JSON.stringify(attributes)).not.toContain("secret");
  });
});

describe("errors", () => {
  it.each([
    [400, "BadRequestError"],
    [401, "AuthenticationError"],
    [429, "RateLimitError"],
    [500, "InternalServerError"],
  ])("ends the span with status ERROR on a %i and rethrows the client's error", async (status, name) => {
    provider.script({ status, message: `failure ${status}` });
    const error = await client.chat.completions.create({ model: "gpt-4o-mini", messages: user("hi") }).then(
      () => undefined,
      (caught: unknown) => caught,
    );
    expect(error).toBeInstanceOf(OpenAI.APIError);
    expect((error as InstanceType<typeof OpenAI.APIError>).constructor.name).toBe(name);
    expect((error as InstanceType<typeof OpenAI.APIError>).status).toBe(status);
    const span = onlySpan();
    expect(span.status).toEqual({ code: SpanStatusCode.ERROR, message: (error as Error).message });
    expect(span.attributes["error.type"]).toBe(name);
    expect(span.events).toHaveLength(1);
    expect(span.events[0]!.name).toBe("exception");
    expect(span.events[0]!.attributes!["exception.message"]).toBe((error as Error).message);
  });

  it("records a connection error", async () => {
    provider.script({ destroy: true });
    await expect(client.chat.completions.create({ model: "gpt-4o-mini", messages: user("hi") })).rejects.toBeInstanceOf(
      OpenAI.APIConnectionError,
    );
    const span = onlySpan();
    expect(span.status.code).toBe(SpanStatusCode.ERROR);
    expect(span.attributes["error.type"]).toBe("APIConnectionError");
  });

  it("records a timeout and an abort", async () => {
    provider.script({ latencyMs: 2_000 });
    const timeout = await client.chat.completions
      .create({ model: "gpt-4o-mini", messages: user("slow") }, { timeout: 50 })
      .catch((caught: unknown) => caught);
    // a timeout error, or a connection error where the test realm hides the abort's origin
    expect(timeout).toBeInstanceOf(OpenAI.APIConnectionError);
    expect(onlySpan().attributes["error.type"]).toBe((timeout as Error).constructor.name);

    tracing.exporter.reset();
    provider.script({ latencyMs: 2_000 });
    const controller = new AbortController();
    const pending = client.chat.completions.create({ model: "gpt-4o-mini", messages: user("slow") }, { signal: controller.signal });
    // aborted once the mock holds the request: one arriving late would take the next test's scripted answer
    for (let waited = 0; provider.requests.length < 2 && waited < 5_000; waited += 10) await new Promise((r) => setTimeout(r, 10));
    expect(provider.requests).toHaveLength(2);
    controller.abort();
    await expect(pending).rejects.toBeInstanceOf(OpenAI.APIUserAbortError);
    expect(onlySpan().attributes["error.type"]).toBe("APIUserAbortError");
  });

  it("hands the caller the very error object, thrown or rejected", async () => {
    const thrown = new Error("thrown synchronously");
    const rejected = new Error("rejected");
    class Throwing {
      create(): never {
        throw thrown;
      }
    }
    class Rejecting {
      create(): Promise<never> {
        return Promise.reject(rejected);
      }
    }
    instrumentation.manuallyInstrument({ OpenAI: Object.assign(function Fake() {}, { Chat: { Completions: Throwing } }) });
    instrumentation.manuallyInstrument({ OpenAI: Object.assign(function Fake() {}, { Embeddings: Rejecting }) });
    let caught: unknown;
    try {
      new Throwing().create();
    } catch (error) {
      caught = error;
    }
    expect(caught).toBe(thrown);
    await expect(new Rejecting().create()).rejects.toBe(rejected);
    const spans = tracing.spans();
    expect(spans.map((span) => [span.name, span.status.code, span.attributes["error.type"]])).toEqual([
      ["chat", SpanStatusCode.ERROR, "Error"],
      ["embeddings", SpanStatusCode.ERROR, "Error"],
    ]);
  });

  it("ends the span of a failing parse() helper call", async () => {
    provider.script({ status: 500 });
    await expect(chatHelpers(client).parse({ model: "gpt-4o-mini", messages: user("hi") })).rejects.toBeInstanceOf(
      OpenAI.InternalServerError,
    );
    expect(onlySpan().attributes["error.type"]).toBe("InternalServerError");
  });

  it("ends the span when the error is awaited by nobody but the raw response", async () => {
    provider.script({ status: 500 });
    await expect(client.chat.completions.create({ model: "gpt-4o-mini", messages: user("hi") }).asResponse()).rejects.toBeInstanceOf(
      OpenAI.InternalServerError,
    );
    expect(onlySpan().attributes["error.type"]).toBe("InternalServerError");
  });
});

describe("configuration", () => {
  const variable = "OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT";
  const saved = process.env[variable];
  afterEach(() => {
    if (saved === undefined) delete process.env[variable];
    else process.env[variable] = saved;
  });

  it("takes content capture from the environment unless the option says otherwise", () => {
    process.env[variable] = "TRUE";
    expect(new OpenAIInstrumentation({ enabled: false }).getConfig().captureContent).toBe(true);
    expect(new OpenAIInstrumentation({ enabled: false, captureContent: false }).getConfig().captureContent).toBe(false);
    process.env[variable] = "false";
    expect(new OpenAIInstrumentation({ enabled: false }).getConfig().captureContent).toBe(false);
    delete process.env[variable];
    const defaults = new OpenAIInstrumentation({ enabled: false }).getConfig();
    expect(defaults).toMatchObject({ enabled: false, captureContent: false, streamUsage: true });
  });
});

describe("never breaking the application", () => {
  it("runs hooks with the span and the call's data, and survives hooks that throw", async () => {
    const seen: string[] = [];
    instrumentation.setConfig({
      requestHook: (span, info) => {
        seen.push(`request ${info.method} ${info.operationName} ${info.request.model}`);
        span.setAttribute("test.request_hook", true);
        throw new Error("request hook failure");
      },
      responseHook: (span, info) => {
        seen.push(`response ${(info.response as OpenAI.ChatCompletion).id.slice(0, 8)}`);
        span.setAttribute("test.response_hook", true);
        throw new Error("response hook failure");
      },
    });
    const completion = await client.chat.completions.create({ model: "gpt-4o-mini", messages: user("hi") });
    expect(completion.choices[0]!.message.content).toBe('Mock answer to "hi".');
    expect(seen).toEqual(["request chat.completions.create chat gpt-4o-mini", "response chatcmpl"]);
    expect(onlySpan().attributes).toMatchObject({ "test.request_hook": true, "test.response_hook": true });
  });

  it("still calls the client when the span cannot be started", async () => {
    const broken = new OpenAIInstrumentation({ enabled: false });
    broken.setTracerProvider({
      getTracer: () => ({
        startSpan: () => {
          throw new Error("tracer failure");
        },
      }),
    } as never);
    // a subclass, so that the broken instrumentation patches a prototype of its own
    class Completions extends OpenAI.Chat.Completions {}
    broken.enable();
    broken.manuallyInstrument({ OpenAI: Object.assign(function FakeOpenAI() {}, { Chat: { Completions } }) });
    const resource = new Completions(client);
    const completion = await resource.create({ model: "gpt-4o-mini", messages: user("hi") });
    expect(completion.choices[0]!.message.content).toBe('Mock answer to "hi".');
    broken.disable();
  });
});
