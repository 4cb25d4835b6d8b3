import { APIPromise, APIUserAbortError, InternalServerError, OverloadedError, type Anthropic } from "@anthropic-ai/sdk";
import { Stream } from "@anthropic-ai/sdk/streaming";
import { MessageStream } from "@anthropic-ai/sdk/lib/MessageStream";
import {
  ATTR_ERROR_TYPE,
  ATTR_GEN_AI_OUTPUT_MESSAGES,
  ATTR_GEN_AI_REQUEST_STREAM,
  ATTR_GEN_AI_RESPONSE_FINISH_REASONS,
  ATTR_GEN_AI_RESPONSE_ID,
  ATTR_GEN_AI_RESPONSE_MODEL,
  ATTR_GEN_AI_USAGE_CACHE_CREATION_INPUT_TOKENS,
  ATTR_GEN_AI_USAGE_CACHE_READ_INPUT_TOKENS,
  ATTR_GEN_AI_USAGE_INPUT_TOKENS,
  ATTR_GEN_AI_USAGE_OUTPUT_TOKENS,
} from "@agentops/semconv";
import { SpanStatusCode } from "@opentelemetry/api";
import { ANSWER, MODEL, QUESTION, startHarness, type Harness } from "./utils/harness";

let harness: Harness;

beforeAll(async () => {
  harness = await startHarness({ captureContent: true });
});

afterEach(() => {
  harness.exporter.reset();
  harness.mock.reset();
});

afterAll(async () => {
  await harness.close();
});

const STREAMED: Anthropic.MessageCreateParamsStreaming = { ...QUESTION, stream: true };

/** A scripted usage: 1,000 input tokens in the GenAI sense, of which 600 cache reads and 100 cache writes. */
const CACHED_USAGE = {
  inputTokens: 1000,
  cacheReadTokens: 600,
  cacheWriteTokens: 100,
  outputTokens: 42,
};

function textOf(events: Anthropic.RawMessageStreamEvent[]): string {
  let text = "";
  for (const event of events) {
    if (event.type === "content_block_delta" && event.delta.type === "text_delta")
      text += event.delta.text;
  }
  return text;
}

describe("messages.create({ stream: true })", () => {
  it("returns the client's Stream and ends the span once it is read, with usage from message_start and message_delta", async () => {
    harness.mock.script({ usage: CACHED_USAGE });
    const promise = harness.client.messages.create(STREAMED);
    expect(promise).toBeInstanceOf(APIPromise);
    const stream = await promise;
    expect(stream).toBeInstanceOf(Stream);
    expect(stream.controller).toBeInstanceOf(AbortController);

    const events: Anthropic.RawMessageStreamEvent[] = [];
    for await (const event of stream) {
      events.push(event);
      if (event.type === "message_stop") expect(harness.spans()).toHaveLength(0);
    }
    expect(textOf(events)).toBe(ANSWER);

    const span = harness.onlySpan();
    const start = events[0] as Anthropic.RawMessageStartEvent;
    expect(span.status.code).toBe(SpanStatusCode.UNSET);
    expect(span.attributes).toMatchObject({
      [ATTR_GEN_AI_REQUEST_STREAM]: true,
      [ATTR_GEN_AI_RESPONSE_ID]: start.message.id,
      [ATTR_GEN_AI_RESPONSE_MODEL]: MODEL,
      [ATTR_GEN_AI_RESPONSE_FINISH_REASONS]: ["end_turn"],
      [ATTR_GEN_AI_USAGE_INPUT_TOKENS]: 1000,
      [ATTR_GEN_AI_USAGE_CACHE_READ_INPUT_TOKENS]: 600,
      [ATTR_GEN_AI_USAGE_CACHE_CREATION_INPUT_TOKENS]: 100,
      [ATTR_GEN_AI_USAGE_OUTPUT_TOKENS]: 42,
    });
    expect(start.message.usage.input_tokens).toBe(300);
    expect(JSON.parse(span.attributes[ATTR_GEN_AI_OUTPUT_MESSAGES] as string)).toEqual([
      { role: "assistant", parts: [{ type: "text", content: ANSWER }], finish_reason: "end_turn" },
    ]);
  });

  it("takes the output tokens from the final message_delta, not the placeholder in message_start", async () => {
    const events: Anthropic.RawMessageStreamEvent[] = [];
    for await (const event of await harness.client.messages.create(STREAMED)) events.push(event);
    const start = events.find(
      (event) => event.type === "message_start",
    ) as Anthropic.RawMessageStartEvent;
    const delta = events.find(
      (event) => event.type === "message_delta",
    ) as Anthropic.RawMessageDeltaEvent;
    expect(start.message.usage.output_tokens).toBe(1);
    expect(delta.usage.output_tokens).toBeGreaterThan(1);
    expect(harness.onlySpan().attributes[ATTR_GEN_AI_USAGE_OUTPUT_TOKENS]).toBe(
      delta.usage.output_tokens,
    );
  });

  it("ends the span when the application breaks out of the stream early", async () => {
    const stream = await harness.client.messages.create(STREAMED);
    let read = 0;
    for await (const event of stream) {
      read += 1;
      if (event.type === "content_block_start") break;
    }
    expect(read).toBe(2);
    const span = harness.onlySpan();
    expect(span.status.code).toBe(SpanStatusCode.UNSET);
    expect(span.attributes[ATTR_GEN_AI_RESPONSE_ID]).toMatch(/^msg_/);
    expect(span.attributes[ATTR_GEN_AI_RESPONSE_FINISH_REASONS]).toBeUndefined();
    expect(stream.controller.signal.aborted).toBe(true);
  });

  it("ends the span without an error when the application aborts a raw stream (it then ends quietly)", async () => {
    const stream = await harness.client.messages.create(STREAMED);
    let read = 0;
    for await (const _event of stream) {
      read += 1;
      if (read === 1) stream.controller.abort();
    }
    const span = harness.onlySpan();
    expect(span.status.code).toBe(SpanStatusCode.UNSET);
    expect(span.attributes[ATTR_ERROR_TYPE]).toBeUndefined();
    expect(span.attributes[ATTR_GEN_AI_RESPONSE_ID]).toMatch(/^msg_/);
  });

  it("keeps tee() working: both halves see every event, and one span records the call", async () => {
    const [left, right] = (await harness.client.messages.create(STREAMED)).tee();
    const leftEvents: Anthropic.RawMessageStreamEvent[] = [];
    const rightEvents: Anthropic.RawMessageStreamEvent[] = [];
    for await (const event of left) leftEvents.push(event);
    for await (const event of right) rightEvents.push(event);
    expect(textOf(leftEvents)).toBe(ANSWER);
    expect(rightEvents).toEqual(leftEvents);
    const span = harness.onlySpan();
    expect(span.attributes[ATTR_GEN_AI_RESPONSE_FINISH_REASONS]).toEqual(["end_turn"]);
  });

  it("keeps toReadableStream() working and ends the span when it is read", async () => {
    const readable = (await harness.client.messages.create(STREAMED)).toReadableStream();
    const events = [];
    for await (const event of Stream.fromReadableStream<Anthropic.RawMessageStreamEvent>(
      readable,
      new AbortController(),
    )) {
      events.push(event);
    }
    expect(textOf(events)).toBe(ANSWER);
    expect(harness.onlySpan().attributes[ATTR_GEN_AI_RESPONSE_FINISH_REASONS]).toEqual([
      "end_turn",
    ]);
  });

  it("keeps withResponse() on a streamed call", async () => {
    const { data, response } = await harness.client.messages.create(STREAMED).withResponse();
    expect(response.headers.get("content-type")).toBe("text/event-stream");
    const events = [];
    for await (const event of data) events.push(event);
    expect(textOf(events)).toBe(ANSWER);
    expect(harness.onlySpan().attributes[ATTR_GEN_AI_USAGE_OUTPUT_TOKENS]).toBeGreaterThan(0);
  });

  it("ends the span as failed when the connection drops midway, and the caller gets the client's error", async () => {
    harness.mock.script({ destroyAfterEvents: 4 });
    const stream = await harness.client.messages.create(STREAMED);
    let caught: unknown;
    let read = 0;
    try {
      for await (const _event of stream) read += 1;
    } catch (error) {
      caught = error;
    }
    // Four events were sent before the drop; the client skips the ping among them.
    expect(read).toBe(3);
    expect(caught).toMatchObject({ message: expect.any(String) });
    const span = harness.onlySpan();
    expect(span.status.code).toBe(SpanStatusCode.ERROR);
    expect(span.attributes[ATTR_ERROR_TYPE]).toBe((caught as Error).constructor.name);
    expect(
      span.events.find((event) => event.name === "exception")?.attributes?.["exception.message"],
    ).toBe((caught as Error).message);
    // What was read before the drop is kept.
    expect(span.attributes[ATTR_GEN_AI_RESPONSE_ID]).toMatch(/^msg_/);
  });

  it("rebuilds streamed tool_use input from input_json_delta pieces", async () => {
    harness.mock.script({
      toolCalls: [
        { id: "toolu_1", name: "search", arguments: { query: "weather in Paris", limit: 3 } },
      ],
    });
    for await (const _event of await harness.client.messages.create(STREAMED)) {
      // read to the end
    }
    const span = harness.onlySpan();
    expect(span.attributes[ATTR_GEN_AI_RESPONSE_FINISH_REASONS]).toEqual(["tool_use"]);
    expect(JSON.parse(span.attributes[ATTR_GEN_AI_OUTPUT_MESSAGES] as string)).toEqual([
      {
        role: "assistant",
        parts: [
          {
            type: "tool_call",
            id: "toolu_1",
            name: "search",
            arguments: { query: "weather in Paris", limit: 3 },
          },
        ],
        finish_reason: "tool_use",
      },
    ]);
  });
});

describe("messages.stream()", () => {
  it("records exactly one span and keeps the helper's events and finalMessage()", async () => {
    harness.mock.script({ usage: CACHED_USAGE });
    const stream = harness.client.messages.stream(QUESTION);
    expect(stream).toBeInstanceOf(MessageStream);
    let text = "";
    stream.on("text", (delta) => {
      text += delta;
    });
    const message = await stream.finalMessage();
    expect(text).toBe(ANSWER);
    expect(message.content[0]).toMatchObject({ type: "text", text: ANSWER });
    expect(await stream.finalText()).toBe(ANSWER);

    const span = harness.onlySpan();
    expect(span.name).toBe(`chat ${MODEL}`);
    expect(span.attributes).toMatchObject({
      [ATTR_GEN_AI_REQUEST_STREAM]: true,
      [ATTR_GEN_AI_RESPONSE_ID]: message.id,
      [ATTR_GEN_AI_RESPONSE_FINISH_REASONS]: ["end_turn"],
      [ATTR_GEN_AI_USAGE_INPUT_TOKENS]: 1000,
      [ATTR_GEN_AI_USAGE_CACHE_READ_INPUT_TOKENS]: 600,
      [ATTR_GEN_AI_USAGE_CACHE_CREATION_INPUT_TOKENS]: 100,
      [ATTR_GEN_AI_USAGE_OUTPUT_TOKENS]: 42,
    });
    expect(message.usage).toMatchObject({
      input_tokens: 300,
      cache_read_input_tokens: 600,
      cache_creation_input_tokens: 100,
    });
  });

  it("keeps withResponse() on the helper", async () => {
    const stream = harness.client.messages.stream(QUESTION);
    const { response, request_id } = await stream.withResponse();
    expect(request_id).toMatch(/^req_/);
    expect(response.status).toBe(200);
    await stream.done();
    expect(harness.onlySpan().attributes[ATTR_GEN_AI_RESPONSE_FINISH_REASONS]).toEqual([
      "end_turn",
    ]);
  });

  it("ends the span as aborted when the application aborts the helper early", async () => {
    const stream = harness.client.messages.stream(QUESTION);
    stream.on("text", () => stream.abort());
    await expect(stream.done()).rejects.toBeInstanceOf(APIUserAbortError);
    const span = harness.onlySpan();
    expect(span.status.code).toBe(SpanStatusCode.ERROR);
    expect(span.attributes[ATTR_ERROR_TYPE]).toBe("APIUserAbortError");
  });

  it("ends the span when the application breaks out of the helper's iterator", async () => {
    const stream = harness.client.messages.stream(QUESTION);
    for await (const event of stream) {
      if (event.type === "content_block_delta") break;
    }
    await stream.done().catch(() => undefined);
    const span = harness.onlySpan();
    expect(span.attributes[ATTR_GEN_AI_RESPONSE_ID]).toMatch(/^msg_/);
  });

  it("traces beta.messages.stream() with one span as well", async () => {
    const message = await harness.client.beta.messages.stream(QUESTION).finalMessage();
    const span = harness.onlySpan();
    expect(span.attributes[ATTR_GEN_AI_RESPONSE_ID]).toBe(message.id);
    expect(span.attributes[ATTR_GEN_AI_REQUEST_STREAM]).toBe(true);
  });

  it("ends the span as failed when the request fails, and the helper raises the client's error", async () => {
    harness.mock.script({ status: 529 });
    const stream = harness.client.messages.stream(QUESTION);
    const error = await stream.finalMessage().then(
      () => undefined,
      (reason: unknown) => reason,
    );
    expect(error).toMatchObject({ status: 529 });
    // 0.x clients have no OverloadedError: a 529 is their InternalServerError
    expect(error).toBeInstanceOf(OverloadedError ?? InternalServerError);
    const span = harness.onlySpan();
    expect(span.status.code).toBe(SpanStatusCode.ERROR);
    expect(span.attributes[ATTR_ERROR_TYPE]).toBe(OverloadedError ? "OverloadedError" : "InternalServerError");
  });
});
