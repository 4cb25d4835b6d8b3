import { SpanStatusCode } from "@opentelemetry/api";
import OpenAI from "openai";
import { startMockProvider, type MockProvider } from "@agentops/mock-provider";
import { OpenAIInstrumentation } from "@agentops/instrumentation-openai";
import { jsonAttribute, setupTracing, type TestTracing } from "@agentops/test-support";

let provider: MockProvider;
let tracing: TestTracing;
let instrumentation: OpenAIInstrumentation;
let client: OpenAI;

beforeAll(async () => {
  provider = await startMockProvider();
  tracing = setupTracing();
  instrumentation = new OpenAIInstrumentation({ captureContent: true });
  instrumentation.setTracerProvider(tracing.provider);
  instrumentation.manuallyInstrument(OpenAI);
  client = new OpenAI({ apiKey: "test", baseURL: provider.openaiBaseURL, maxRetries: 0 });
});

afterEach(() => {
  provider.reset();
  tracing.exporter.reset();
});

afterAll(async () => {
  instrumentation.disable();
  await tracing.shutdown();
  await provider.close();
});

/** The text of a response's message items (the client's `output_text` getter came with 4.87.2). */
function outputText(response: OpenAI.Responses.Response): string {
  return response.output
    .flatMap((item) => (item.type === "message" ? item.content : []))
    .map((part) => (part.type === "output_text" ? part.text : ""))
    .join("");
}

function onlySpan() {
  const spans = tracing.spans();
  expect(spans).toHaveLength(1);
  return spans[0]!;
}

describe("embeddings.create", () => {
  it("records the requested format, dimensions and input tokens", async () => {
    const result = await client.embeddings.create({
      model: "text-embedding-3-small",
      input: ["alpha", "beta"],
      encoding_format: "float",
      dimensions: 4,
    });
    expect(result.data[0]!.embedding).toHaveLength(4);
    const span = onlySpan();
    expect(span.name).toBe("embeddings text-embedding-3-small");
    expect(span.attributes).toEqual({
      "gen_ai.operation.name": "embeddings",
      "gen_ai.provider.name": "openai",
      "gen_ai.system": "openai",
      "gen_ai.request.model": "text-embedding-3-small",
      "gen_ai.request.encoding_formats": ["float"],
      "gen_ai.embeddings.dimension.count": 4,
      "server.address": "127.0.0.1",
      "server.port": provider.port,
      "gen_ai.response.model": "text-embedding-3-small",
      "gen_ai.usage.input_tokens": 3,
    });
  });

  it("leaves the client's base64 decoding intact", async () => {
    const result = await client.embeddings.create({ model: "text-embedding-3-small", input: "alpha" });
    expect(result.data[0]!.embedding).toHaveLength(8);
    expect(typeof result.data[0]!.embedding[0]).toBe("number");
    expect(onlySpan().attributes["gen_ai.request.encoding_formats"]).toBeUndefined();
  });
});

describe("completions.create", () => {
  it("records a text completion with its content", async () => {
    const completion = await client.completions.create({
      model: "gpt-3.5-turbo-instruct",
      prompt: "Say hi",
      max_tokens: 50,
      temperature: 0,
      stop: ["\n", "END"],
    });
    const span = onlySpan();
    expect(span.name).toBe("text_completion gpt-3.5-turbo-instruct");
    expect(span.attributes).toMatchObject({
      "gen_ai.operation.name": "text_completion",
      "gen_ai.request.max_tokens": 50,
      "gen_ai.request.temperature": 0,
      "gen_ai.request.stop_sequences": ["\n", "END"],
      "gen_ai.response.id": completion.id,
      "gen_ai.response.finish_reasons": ["stop"],
      "gen_ai.usage.input_tokens": 2,
      "gen_ai.usage.output_tokens": 6,
    });
    expect(jsonAttribute(span, "gen_ai.input.messages")).toEqual([{ role: "user", parts: [{ type: "text", content: "Say hi" }] }]);
    expect(jsonAttribute(span, "gen_ai.output.messages")).toEqual([
      { role: "assistant", parts: [{ type: "text", content: 'Mock answer to "Say hi".' }], finish_reason: "stop" },
    ]);
  });
});

describe("responses.create", () => {
  it("records a response as a chat operation, with instructions, usage and finish reason", async () => {
    provider.script({ usage: { cacheReadTokens: 3, reasoningTokens: 4 } });
    const response = await client.responses.create({
      model: "gpt-4.1",
      instructions: "Be brief.",
      input: "Hello there",
      max_output_tokens: 200,
      temperature: 0,
      text: { format: { type: "json_object" } },
    });
    const span = onlySpan();
    expect(span.name).toBe("chat gpt-4.1");
    expect(span.attributes).toMatchObject({
      "gen_ai.operation.name": "chat",
      "gen_ai.request.max_tokens": 200,
      "gen_ai.request.temperature": 0,
      "gen_ai.request.stream": false,
      "gen_ai.output.type": "json",
      "gen_ai.response.id": response.id,
      "gen_ai.response.finish_reasons": ["stop"],
      "gen_ai.usage.input_tokens": response.usage!.input_tokens,
      "gen_ai.usage.output_tokens": response.usage!.output_tokens,
      "gen_ai.usage.cache_read.input_tokens": 3,
      "gen_ai.usage.reasoning.output_tokens": 4,
    });
    expect(jsonAttribute(span, "gen_ai.system_instructions")).toEqual([{ type: "text", content: "Be brief." }]);
    expect(jsonAttribute(span, "gen_ai.input.messages")).toEqual([{ role: "user", parts: [{ type: "text", content: "Hello there" }] }]);
    expect(jsonAttribute(span, "gen_ai.output.messages")).toEqual([
      { role: "assistant", parts: [{ type: "text", content: outputText(response) }], finish_reason: "stop" },
    ]);
  });

  it("records function calls and their outputs", async () => {
    provider.script({ toolCalls: [{ name: "lookup", arguments: { id: 7 }, id: "call_9" }] });
    const tools: OpenAI.Responses.Tool[] = [{ type: "function", name: "lookup", parameters: { type: "object" }, strict: false }];
    await client.responses.create({
      model: "gpt-4.1",
      tools,
      input: [
        { role: "user", content: "Look it up" },
        { type: "function_call", call_id: "call_1", name: "lookup", arguments: '{"id":1}' },
        { type: "function_call_output", call_id: "call_1", output: "nothing" },
      ],
    });
    const span = onlySpan();
    expect(span.attributes["gen_ai.response.finish_reasons"]).toEqual(["tool_calls"]);
    expect(jsonAttribute(span, "gen_ai.input.messages")).toEqual([
      { role: "user", parts: [{ type: "text", content: "Look it up" }] },
      { role: "assistant", parts: [{ type: "tool_call", id: "call_1", name: "lookup", arguments: '{"id":1}' }] },
      { role: "tool", parts: [{ type: "tool_call_response", id: "call_1", response: "nothing" }] },
    ]);
    expect(jsonAttribute(span, "gen_ai.output.messages")).toEqual([
      {
        role: "assistant",
        parts: [{ type: "tool_call", id: "call_9", name: "lookup", arguments: '{"id":7}' }],
        finish_reason: "tool_calls",
      },
    ]);
    expect(jsonAttribute(span, "gen_ai.tool.definitions")).toEqual(tools);
  });

  it("traces responses.parse() once", async () => {
    const parsed = await client.responses.parse({ model: "gpt-4.1", input: "parse" });
    expect(parsed.output_parsed).toBeNull();
    expect(onlySpan().status.code).toBe(SpanStatusCode.UNSET);
  });

  it("records an incomplete response's finish reason", async () => {
    await client.responses.create({ model: "gpt-4.1", input: "Tell me a long story", max_output_tokens: 2 });
    expect(onlySpan().attributes["gen_ai.response.finish_reasons"]).toEqual(["length"]);
  });
});
