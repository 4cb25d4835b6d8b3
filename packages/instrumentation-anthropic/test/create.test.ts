import { APIPromise, type Anthropic } from "@anthropic-ai/sdk";
import { calculateCost } from "@agentops/pricing";
import {
  ATTR_GEN_AI_OPERATION_NAME,
  ATTR_GEN_AI_PROVIDER_NAME,
  ATTR_GEN_AI_REQUEST_MAX_TOKENS,
  ATTR_GEN_AI_REQUEST_MODEL,
  ATTR_GEN_AI_REQUEST_STOP_SEQUENCES,
  ATTR_GEN_AI_REQUEST_STREAM,
  ATTR_GEN_AI_REQUEST_TEMPERATURE,
  ATTR_GEN_AI_REQUEST_TOP_K,
  ATTR_GEN_AI_REQUEST_TOP_P,
  ATTR_GEN_AI_RESPONSE_FINISH_REASONS,
  ATTR_GEN_AI_RESPONSE_ID,
  ATTR_GEN_AI_RESPONSE_MODEL,
  ATTR_GEN_AI_SYSTEM,
  ATTR_GEN_AI_USAGE_CACHE_CREATION_INPUT_TOKENS,
  ATTR_GEN_AI_USAGE_CACHE_READ_INPUT_TOKENS,
  ATTR_GEN_AI_USAGE_INPUT_TOKENS,
  ATTR_GEN_AI_USAGE_OUTPUT_TOKENS,
  ATTR_SERVER_ADDRESS,
  ATTR_SERVER_PORT,
} from "@agentops/semconv";
import { SpanKind, SpanStatusCode, context, trace } from "@opentelemetry/api";
import { ANSWER, MODEL, QUESTION, startHarness, type Harness } from "./utils/harness";

let harness: Harness;

beforeAll(async () => {
  harness = await startHarness({ captureContent: false });
});

afterEach(() => {
  harness.exporter.reset();
  harness.mock.reset();
});

afterAll(async () => {
  await harness.close();
});

describe("messages.create", () => {
  it("records one CLIENT span named `chat {model}` with the GenAI request and response attributes", async () => {
    const message = await harness.client.messages.create({
      ...QUESTION,
      temperature: 0.5,
      top_p: 0.9,
      top_k: 40,
      stop_sequences: ["\n\nHuman:"],
    } as Anthropic.MessageCreateParamsNonStreaming);
    expect(message.content[0]).toMatchObject({ type: "text", text: ANSWER });

    const span = harness.onlySpan();
    expect(span.name).toBe(`chat ${MODEL}`);
    expect(span.kind).toBe(SpanKind.CLIENT);
    expect(span.status.code).toBe(SpanStatusCode.UNSET);
    expect(span.attributes).toMatchObject({
      [ATTR_GEN_AI_OPERATION_NAME]: "chat",
      [ATTR_GEN_AI_PROVIDER_NAME]: "anthropic",
      [ATTR_GEN_AI_SYSTEM]: "anthropic",
      [ATTR_GEN_AI_REQUEST_MODEL]: MODEL,
      [ATTR_GEN_AI_REQUEST_MAX_TOKENS]: 256,
      [ATTR_GEN_AI_REQUEST_TEMPERATURE]: 0.5,
      [ATTR_GEN_AI_REQUEST_TOP_P]: 0.9,
      [ATTR_GEN_AI_REQUEST_TOP_K]: 40,
      [ATTR_GEN_AI_REQUEST_STOP_SEQUENCES]: ["\n\nHuman:"],
      [ATTR_GEN_AI_REQUEST_STREAM]: false,
      [ATTR_GEN_AI_RESPONSE_ID]: message.id,
      [ATTR_GEN_AI_RESPONSE_MODEL]: MODEL,
      [ATTR_GEN_AI_RESPONSE_FINISH_REASONS]: ["end_turn"],
      [ATTR_GEN_AI_USAGE_INPUT_TOKENS]: message.usage.input_tokens,
      [ATTR_GEN_AI_USAGE_OUTPUT_TOKENS]: message.usage.output_tokens,
      [ATTR_GEN_AI_USAGE_CACHE_READ_INPUT_TOKENS]: 0,
      [ATTR_GEN_AI_USAGE_CACHE_CREATION_INPUT_TOKENS]: 0,
      [ATTR_SERVER_ADDRESS]: "127.0.0.1",
      [ATTR_SERVER_PORT]: harness.mock.port,
    });
  });

  it("records a temperature of 0", async () => {
    await harness.client.messages.create({
      ...QUESTION,
      temperature: 0,
      top_p: 0,
    } as Anthropic.MessageCreateParamsNonStreaming);
    const attributes = harness.onlySpan().attributes;
    expect(attributes[ATTR_GEN_AI_REQUEST_TEMPERATURE]).toBe(0);
    expect(attributes[ATTR_GEN_AI_REQUEST_TOP_P]).toBe(0);
  });

  it("is a child of the active span, and the client's work runs inside the LLM span", async () => {
    const tracer = harness.provider.getTracer("test");
    let activeDuringCall: string | undefined;
    await tracer.startActiveSpan("session", async (session) => {
      const promise = harness.client.messages.create(QUESTION);
      await promise;
      activeDuringCall = trace.getSpan(context.active())?.spanContext().spanId;
      session.end();
    });
    const span = harness.onlySpan();
    const session = harness.exporter
      .getFinishedSpans()
      .find((candidate) => candidate.name === "session")!;
    expect(span.parentSpanContext?.spanId).toBe(session.spanContext().spanId);
    expect(span.spanContext().traceId).toBe(session.spanContext().traceId);
    expect(activeDuringCall).toBe(session.spanContext().spanId);
  });

  it("normalises Anthropic's input tokens: input + cache reads + cache writes, each bucket kept beside it", async () => {
    // In the GenAI convention (what the mock is scripted in): 1,100 input tokens, of which 800 are
    // cache reads and 200 cache writes. On the wire Anthropic then reports input_tokens = 100.
    harness.mock.script({
      usage: { inputTokens: 1100, cacheReadTokens: 800, cacheWriteTokens: 200, outputTokens: 500 },
    });
    // The client warns that this model is deprecated; the price table still knows it.
    const warn = jest.spyOn(console, "warn").mockImplementation(() => undefined);
    const message = await harness.client.messages
      .create({ ...QUESTION, model: "claude-sonnet-4-5" })
      .finally(() => warn.mockRestore());
    expect(message.usage).toMatchObject({
      input_tokens: 100,
      cache_read_input_tokens: 800,
      cache_creation_input_tokens: 200,
      output_tokens: 500,
    });

    const attributes = harness.onlySpan().attributes;
    expect(attributes[ATTR_GEN_AI_USAGE_INPUT_TOKENS]).toBe(1100);
    expect(attributes[ATTR_GEN_AI_USAGE_CACHE_READ_INPUT_TOKENS]).toBe(800);
    expect(attributes[ATTR_GEN_AI_USAGE_CACHE_CREATION_INPUT_TOKENS]).toBe(200);
    expect(attributes[ATTR_GEN_AI_USAGE_OUTPUT_TOKENS]).toBe(500);

    // claude-sonnet-4-5, USD per million tokens: input 3, cache read 0.30, cache write 3.75, output 15.
    // 100 × 3 + 800 × 0.30 + 200 × 3.75 + 500 × 15 = 300 + 240 + 750 + 7,500 = 8,790 per million.
    const cost = calculateCost(
      attributes[ATTR_GEN_AI_PROVIDER_NAME] as string,
      attributes[ATTR_GEN_AI_RESPONSE_MODEL] as string,
      {
        inputTokens: attributes[ATTR_GEN_AI_USAGE_INPUT_TOKENS] as number,
        outputTokens: attributes[ATTR_GEN_AI_USAGE_OUTPUT_TOKENS] as number,
        cacheReadTokens: attributes[ATTR_GEN_AI_USAGE_CACHE_READ_INPUT_TOKENS] as number,
        cacheWriteTokens: attributes[ATTR_GEN_AI_USAGE_CACHE_CREATION_INPUT_TOKENS] as number,
      },
    );
    expect(cost).toBeCloseTo(0.00879, 10);
  });

  it("returns the client's own APIPromise: withResponse() gives the data, the Response and the request id", async () => {
    const promise = harness.client.messages.create(QUESTION);
    expect(promise).toBeInstanceOf(APIPromise);
    const { data, response, request_id } = await promise.withResponse();
    expect(data.content[0]).toMatchObject({ text: ANSWER });
    expect(response.status).toBe(200);
    expect(request_id).toMatch(/^req_/);
    expect(response.headers.get("request-id")).toBe(request_id);
    expect(harness.onlySpan().attributes[ATTR_GEN_AI_RESPONSE_ID]).toBe(data.id);
  });

  it("leaves the body unread for asResponse() and still ends the span", async () => {
    const response = await harness.client.messages.create(QUESTION).asResponse();
    const body = (await response.json()) as Anthropic.Message;
    expect(body.content[0]).toMatchObject({ text: ANSWER });
    const span = harness.onlySpan();
    expect(span.attributes[ATTR_GEN_AI_REQUEST_MODEL]).toBe(MODEL);
    expect(span.status.code).toBe(SpanStatusCode.UNSET);
  });

  it("records tool_use as the finish reason of a tool call", async () => {
    harness.mock.script({ toolCalls: [{ name: "get_weather", arguments: { city: "Paris" } }] });
    const message = await harness.client.messages.create({
      ...QUESTION,
      tools: [
        {
          name: "get_weather",
          description: "Weather",
          input_schema: { type: "object", properties: { city: { type: "string" } } },
        },
      ],
    });
    expect(message.content[0]).toMatchObject({
      type: "tool_use",
      name: "get_weather",
      input: { city: "Paris" },
    });
    expect(harness.onlySpan().attributes[ATTR_GEN_AI_RESPONSE_FINISH_REASONS]).toEqual([
      "tool_use",
    ]);
  });

  it("traces beta.messages.create, sent to /v1/messages?beta=true with its anthropic-beta header", async () => {
    const message = await harness.client.beta.messages.create({
      ...QUESTION,
      betas: ["context-1m-2025-08-07"],
    });
    expect(message.content[0]).toMatchObject({ text: ANSWER });
    const request = harness.mock.requests[0]!;
    expect(request.path).toBe("/v1/messages");
    expect(request.headers["anthropic-beta"]).toContain("context-1m-2025-08-07");
    const span = harness.onlySpan();
    expect(span.name).toBe(`chat ${MODEL}`);
    expect(span.attributes[ATTR_GEN_AI_USAGE_OUTPUT_TOKENS]).toBe(message.usage.output_tokens);
  });

  it("records one span per call, also for calls made concurrently", async () => {
    const messages = await Promise.all([
      harness.client.messages.create(QUESTION),
      harness.client.messages.create({ ...QUESTION, model: "claude-sonnet-4-6" }),
      harness.client.beta.messages.create(QUESTION),
    ]);
    const spans = harness.spans();
    expect(spans).toHaveLength(3);
    expect(new Set(spans.map((span) => span.attributes[ATTR_GEN_AI_RESPONSE_ID]))).toEqual(
      new Set(messages.map((message) => message.id)),
    );
  });
});
