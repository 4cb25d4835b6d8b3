import { SpanStatusCode } from "@opentelemetry/api";
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
const ANSWER = 'Mock answer to "stream a fairly long answer please".';
const PROMPT = user("stream a fairly long answer please");

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
  instrumentation.setConfig({ captureContent: true });
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

/** Waits until the provider saw the client go away (bounded). */
async function requestClosed(): Promise<void> {
  for (let attempt = 0; attempt < 100 && provider.requests.length === 0; attempt += 1) {
    await new Promise((resolve) => setImmediate(resolve));
  }
}

describe("streamed chat completions", () => {
  it("ends the span when the stream is consumed, with usage the caller did not ask for and never sees", async () => {
    const stream = await client.chat.completions.create({ model: "gpt-4o-mini", messages: PROMPT, stream: true });
    expect(tracing.spans()).toHaveLength(0);
    let text = "";
    const chunks: OpenAI.Chat.ChatCompletionChunk[] = [];
    for await (const chunk of stream) {
      chunks.push(chunk);
      text += chunk.choices[0]?.delta.content ?? "";
    }
    expect(text).toBe(ANSWER);
    // the usage-only chunk and the `usage: null` fields stay hidden
    expect(chunks.every((chunk) => chunk.choices.length === 1 && !("usage" in chunk))).toBe(true);
    expect(provider.requests[0]!.body.stream_options).toEqual({ include_usage: true });

    const span = onlySpan();
    expect(span.name).toBe("chat gpt-4o-mini");
    expect(span.status.code).toBe(SpanStatusCode.UNSET);
    expect(span.attributes).toMatchObject({
      "gen_ai.request.stream": true,
      "gen_ai.response.id": chunks[0]!.id,
      "gen_ai.response.model": "gpt-4o-mini",
      "gen_ai.response.finish_reasons": ["stop"],
      "gen_ai.usage.output_tokens": Math.ceil(ANSWER.length / 4),
    });
    expect(span.attributes["gen_ai.usage.input_tokens"]).toBeGreaterThan(0);
    expect(jsonAttribute(span, "gen_ai.output.messages")).toEqual([
      { role: "assistant", parts: [{ type: "text", content: ANSWER }], finish_reason: "stop" },
    ]);
  });

  it("passes the usage chunk through when the caller asked for it", async () => {
    const stream = await client.chat.completions.create({
      model: "gpt-4o-mini",
      messages: PROMPT,
      stream: true,
      stream_options: { include_usage: true },
    });
    const chunks: OpenAI.Chat.ChatCompletionChunk[] = [];
    for await (const chunk of stream) chunks.push(chunk);
    const last = chunks[chunks.length - 1]!;
    expect(last.choices).toEqual([]);
    expect(last.usage!.completion_tokens).toBe(Math.ceil(ANSWER.length / 4));
    expect(onlySpan().attributes["gen_ai.usage.output_tokens"]).toBe(last.usage!.completion_tokens);
  });

  it("leaves the request alone and records no usage with streamUsage off", async () => {
    instrumentation.setConfig({ captureContent: false, streamUsage: false });
    const stream = await client.chat.completions.create({ model: "gpt-4o-mini", messages: PROMPT, stream: true });
    for await (const _chunk of stream) void _chunk;
    expect(provider.requests[0]!.body.stream_options).toBeUndefined();
    const span = onlySpan();
    expect(span.attributes["gen_ai.usage.input_tokens"]).toBeUndefined();
    expect(span.attributes["gen_ai.response.finish_reasons"]).toEqual(["stop"]);
    expect(span.attributes["gen_ai.output.messages"]).toBeUndefined();
  });

  it("ends the span when the caller breaks out early, and aborts the request", async () => {
    provider.script({ latencyMs: 5 });
    const stream = await client.chat.completions.create({ model: "gpt-4o-mini", messages: PROMPT, stream: true });
    let seen = 0;
    for await (const _chunk of stream) {
      seen += 1;
      if (seen === 2) break;
    }
    expect(stream.controller.signal.aborted).toBe(true);
    const span = onlySpan();
    expect(span.status.code).toBe(SpanStatusCode.UNSET);
    expect(span.attributes["gen_ai.response.id"]).toMatch(/^chatcmpl-/);
    expect(jsonAttribute(span, "gen_ai.output.messages")[0].parts[0].content.length).toBeLessThan(ANSWER.length);
    await requestClosed();
  });

  it("records a stream that fails midway", async () => {
    provider.script({ destroyAfterEvents: 3 });
    const stream = await client.chat.completions.create({ model: "gpt-4o-mini", messages: PROMPT, stream: true });
    let caught: unknown;
    try {
      for await (const _chunk of stream) void _chunk;
    } catch (error) {
      caught = error;
    }
    // the client surfaces the dropped connection as a TypeError from fetch (another realm than jest's)
    expect((caught as Error | undefined)?.message).toEqual(expect.any(String));
    const span = onlySpan();
    expect(span.status.code).toBe(SpanStatusCode.ERROR);
    expect(span.attributes["error.type"]).toBe((caught as Error).constructor.name);
    expect(span.events.map((event) => event.name)).toEqual(["exception"]);
  });

  it("keeps tee() working, with one span for both branches", async () => {
    const stream = await client.chat.completions.create({ model: "gpt-4o-mini", messages: PROMPT, stream: true });
    const [left, right] = stream.tee();
    const read = async (branch: typeof left) => {
      let text = "";
      for await (const chunk of branch) text += chunk.choices[0]?.delta.content ?? "";
      return text;
    };
    expect(await Promise.all([read(left), read(right)])).toEqual([ANSWER, ANSWER]);
    const span = onlySpan();
    expect(span.attributes["gen_ai.usage.output_tokens"]).toBe(Math.ceil(ANSWER.length / 4));
  });

  it("keeps toReadableStream() and the controller working", async () => {
    const stream = await client.chat.completions.create({ model: "gpt-4o-mini", messages: PROMPT, stream: true });
    expect(stream.controller).toBeInstanceOf(AbortController);
    const lines: string[] = [];
    const decoder = new TextDecoder();
    for await (const bytes of stream.toReadableStream() as unknown as AsyncIterable<Uint8Array>) {
      lines.push(...decoder.decode(bytes).split("\n").filter(Boolean));
    }
    const text = lines.map((line) => JSON.parse(line).choices[0]?.delta.content ?? "").join("");
    expect(text).toBe(ANSWER);
    expect(onlySpan().attributes["gen_ai.response.finish_reasons"]).toEqual(["stop"]);
  });

  it("keeps withResponse() working on a stream", async () => {
    const { data: stream, response } = await client.chat.completions
      .create({ model: "gpt-4o-mini", messages: PROMPT, stream: true })
      .withResponse();
    expect(response.headers.get("content-type")).toBe("text/event-stream");
    let text = "";
    for await (const chunk of stream) text += chunk.choices[0]?.delta.content ?? "";
    expect(text).toBe(ANSWER);
    expect(onlySpan().attributes["gen_ai.usage.output_tokens"]).toBeGreaterThan(0);
  });

  it("assembles streamed tool calls", async () => {
    provider.script({ toolCalls: [{ name: "lookup", arguments: { query: "a rather long query text" }, id: "call_7" }] });
    const stream = await client.chat.completions.create({ model: "gpt-4o-mini", messages: PROMPT, stream: true });
    for await (const _chunk of stream) void _chunk;
    const span = onlySpan();
    expect(span.attributes["gen_ai.response.finish_reasons"]).toEqual(["tool_calls"]);
    expect(jsonAttribute(span, "gen_ai.output.messages")).toEqual([
      {
        role: "assistant",
        parts: [{ type: "tool_call", id: "call_7", name: "lookup", arguments: '{"query":"a rather long query text"}' }],
        finish_reason: "tool_calls",
      },
    ]);
  });

  it("traces the stream() helper once, and its final completion is intact", async () => {
    const runner = chatHelpers(client).stream({ model: "gpt-4o-mini", messages: PROMPT });
    const completion = await runner.finalChatCompletion();
    expect(completion.choices[0]!.message.content).toBe(ANSWER);
    const span = onlySpan();
    expect(span.attributes["gen_ai.request.stream"]).toBe(true);
    expect(span.attributes["gen_ai.usage.output_tokens"]).toBe(Math.ceil(ANSWER.length / 4));
  });
});

describe("streamed text completions", () => {
  it("records usage and output", async () => {
    const stream = await client.completions.create({ model: "gpt-3.5-turbo-instruct", prompt: "Say hi", stream: true });
    let text = "";
    for await (const chunk of stream) {
      expect(chunk.choices).toHaveLength(1);
      text += chunk.choices[0]!.text;
    }
    const span = onlySpan();
    expect(span.name).toBe("text_completion gpt-3.5-turbo-instruct");
    expect(span.attributes).toMatchObject({
      "gen_ai.operation.name": "text_completion",
      "gen_ai.usage.input_tokens": 2,
      "gen_ai.usage.output_tokens": Math.ceil(text.length / 4),
      "gen_ai.response.finish_reasons": ["stop"],
    });
    expect(jsonAttribute(span, "gen_ai.output.messages")[0].parts[0].content).toBe(text);
  });
});

describe("streamed responses", () => {
  it("records the final response of the event stream", async () => {
    provider.script({ usage: { cacheReadTokens: 5, reasoningTokens: 2 } });
    const stream = await client.responses.create({ model: "gpt-4.1", input: "Stream it", instructions: "Be brief.", stream: true });
    let text = "";
    for await (const event of stream) if (event.type === "response.output_text.delta") text += event.delta;
    const span = onlySpan();
    expect(span.name).toBe("chat gpt-4.1");
    expect(span.attributes).toMatchObject({
      "gen_ai.request.stream": true,
      "gen_ai.response.model": "gpt-4.1",
      "gen_ai.response.finish_reasons": ["stop"],
      "gen_ai.usage.cache_read.input_tokens": 5,
      "gen_ai.usage.reasoning.output_tokens": 2,
    });
    expect(span.attributes["gen_ai.response.id"]).toMatch(/^resp_/);
    expect(jsonAttribute(span, "gen_ai.system_instructions")).toEqual([{ type: "text", content: "Be brief." }]);
    expect(jsonAttribute(span, "gen_ai.output.messages")).toEqual([
      { role: "assistant", parts: [{ type: "text", content: text }], finish_reason: "stop" },
    ]);
  });

  it("traces the responses.stream() helper once", async () => {
    const runner = client.responses.stream({ model: "gpt-4.1", input: "Stream it" });
    const final = await runner.finalResponse();
    const message = final.output[0] as OpenAI.Responses.ResponseOutputMessage;
    expect((message.content[0] as OpenAI.Responses.ResponseOutputText).text).toBe('Mock answer to "Stream it".');
    expect(onlySpan().attributes["gen_ai.usage.output_tokens"]).toBe(final.usage!.output_tokens);
  });

  it("ends the span of an abandoned responses stream", async () => {
    const stream = await client.responses.create({ model: "gpt-4.1", input: "Stream it", stream: true });
    for await (const event of stream) if (event.type === "response.created") break;
    const span = onlySpan();
    expect(span.attributes["gen_ai.response.id"]).toMatch(/^resp_/);
    expect(span.attributes["gen_ai.usage.output_tokens"]).toBeUndefined();
  });
});
