import type { Anthropic } from "@anthropic-ai/sdk";
import {
  ATTR_GEN_AI_INPUT_MESSAGES,
  ATTR_GEN_AI_OUTPUT_MESSAGES,
  ATTR_GEN_AI_SYSTEM_INSTRUCTIONS,
  ATTR_GEN_AI_TOOL_DEFINITIONS,
  ATTR_GEN_AI_USAGE_OUTPUT_TOKENS,
} from "@agentops/semconv";
import { ANSWER, MODEL, QUESTION, startHarness, type Harness } from "./utils/harness";

const WEATHER_TOOL: Anthropic.Tool = {
  name: "get_weather",
  description: "Current weather of a city",
  input_schema: { type: "object", properties: { city: { type: "string" } }, required: ["city"] },
};

/** A conversation with a system prompt, a tool call and its result. */
const CONVERSATION: Anthropic.MessageCreateParamsNonStreaming = {
  model: MODEL,
  max_tokens: 256,
  system: [{ type: "text", text: "You are terse." }],
  tools: [WEATHER_TOOL],
  messages: [
    { role: "user", content: "Weather in Paris?" },
    {
      role: "assistant",
      content: [{ type: "tool_use", id: "toolu_1", name: "get_weather", input: { city: "Paris" } }],
    },
    {
      role: "user",
      content: [{ type: "tool_result", tool_use_id: "toolu_1", content: "18 degrees, sunny" }],
    },
  ],
};

const CONTENT_ATTRIBUTES = [
  ATTR_GEN_AI_INPUT_MESSAGES,
  ATTR_GEN_AI_OUTPUT_MESSAGES,
  ATTR_GEN_AI_SYSTEM_INSTRUCTIONS,
  ATTR_GEN_AI_TOOL_DEFINITIONS,
];

function json(value: unknown): unknown {
  return JSON.parse(value as string);
}

describe("captureContent: true", () => {
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

  it("records the messages, system instructions and tool definitions in the semconv shape", async () => {
    const message = await harness.client.messages.create(CONVERSATION);
    expect(message.content[0]).toMatchObject({
      type: "text",
      text: "The tool returned 18 degrees, sunny.",
    });
    const attributes = harness.onlySpan().attributes;
    expect(json(attributes[ATTR_GEN_AI_INPUT_MESSAGES])).toEqual([
      { role: "user", parts: [{ type: "text", content: "Weather in Paris?" }] },
      {
        role: "assistant",
        parts: [
          { type: "tool_call", id: "toolu_1", name: "get_weather", arguments: { city: "Paris" } },
        ],
      },
      {
        role: "user",
        parts: [{ type: "tool_call_response", id: "toolu_1", response: "18 degrees, sunny" }],
      },
    ]);
    expect(json(attributes[ATTR_GEN_AI_SYSTEM_INSTRUCTIONS])).toEqual([
      { type: "text", content: "You are terse." },
    ]);
    expect(json(attributes[ATTR_GEN_AI_TOOL_DEFINITIONS])).toEqual([
      {
        type: "function",
        name: "get_weather",
        description: "Current weather of a city",
        parameters: WEATHER_TOOL.input_schema,
      },
    ]);
    expect(json(attributes[ATTR_GEN_AI_OUTPUT_MESSAGES])).toEqual([
      {
        role: "assistant",
        parts: [{ type: "text", content: "The tool returned 18 degrees, sunny." }],
        finish_reason: "end_turn",
      },
    ]);
  });

  it("records a string system prompt and tool_use output blocks as tool_call parts", async () => {
    harness.mock.script({
      text: "Checking.",
      toolCalls: [{ id: "toolu_9", name: "get_weather", arguments: { city: "Lyon" } }],
    });
    await harness.client.messages.create({
      ...QUESTION,
      system: "Be brief.",
      tools: [WEATHER_TOOL],
    });
    const attributes = harness.onlySpan().attributes;
    expect(json(attributes[ATTR_GEN_AI_SYSTEM_INSTRUCTIONS])).toEqual([
      { type: "text", content: "Be brief." },
    ]);
    expect(json(attributes[ATTR_GEN_AI_OUTPUT_MESSAGES])).toEqual([
      {
        role: "assistant",
        parts: [
          { type: "text", content: "Checking." },
          { type: "tool_call", id: "toolu_9", name: "get_weather", arguments: { city: "Lyon" } },
        ],
        finish_reason: "tool_use",
      },
    ]);
  });

  it("describes images and documents without copying their data, and keeps thinking as reasoning", async () => {
    const pixels = "iVBORw0KGgo".repeat(100);
    await harness.client.messages.create({
      ...QUESTION,
      messages: [
        {
          role: "user",
          content: [
            { type: "image", source: { type: "base64", media_type: "image/png", data: pixels } },
            { type: "document", source: { type: "url", url: "https://example.com/report.pdf" } },
            { type: "text", text: "Summarise." },
          ],
        },
        {
          role: "assistant",
          content: [{ type: "thinking", thinking: "Two attachments.", signature: "sig" }],
        },
        { role: "user", content: "Go on." },
      ],
    });
    const input = harness.onlySpan().attributes[ATTR_GEN_AI_INPUT_MESSAGES] as string;
    expect(input).not.toContain(pixels);
    expect(json(input)).toEqual([
      {
        role: "user",
        parts: [
          { type: "blob", modality: "image", mime_type: "image/png" },
          { type: "uri", modality: "document", uri: "https://example.com/report.pdf" },
          { type: "text", content: "Summarise." },
        ],
      },
      { role: "assistant", parts: [{ type: "reasoning", content: "Two attachments." }] },
      { role: "user", parts: [{ type: "text", content: "Go on." }] },
    ]);
  });

  it("records the streamed answer rebuilt from its deltas", async () => {
    await harness.client.messages.stream(QUESTION).finalMessage();
    expect(json(harness.onlySpan().attributes[ATTR_GEN_AI_OUTPUT_MESSAGES])).toEqual([
      { role: "assistant", parts: [{ type: "text", content: ANSWER }], finish_reason: "end_turn" },
    ]);
  });
});

describe("captureContent: false", () => {
  let harness: Harness;

  beforeAll(async () => {
    harness = await startHarness({ captureContent: false });
  });

  afterEach(() => harness.exporter.reset());

  afterAll(async () => {
    await harness.close();
  });

  it("records no content, plain or streamed, but still the counts", async () => {
    await harness.client.messages.create(CONVERSATION);
    await harness.client.messages.stream(CONVERSATION).finalMessage();
    const spans = harness.spans();
    expect(spans).toHaveLength(2);
    for (const span of spans) {
      for (const name of CONTENT_ATTRIBUTES) expect(span.attributes[name]).toBeUndefined();
      expect(span.attributes[ATTR_GEN_AI_USAGE_OUTPUT_TOKENS]).toBeGreaterThan(0);
    }
  });
});

describe("captureContent default", () => {
  const ENV = "OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT";
  const saved = process.env[ENV];

  afterEach(() => {
    if (saved === undefined) delete process.env[ENV];
    else process.env[ENV] = saved;
  });

  it.each([
    ["true", true],
    ["TRUE", true],
    ["false", false],
    [undefined, false],
  ])("follows %s=%s in the environment when the option is not given", async (value, captured) => {
    if (value === undefined) delete process.env[ENV];
    else process.env[ENV] = value;
    const harness = await startHarness();
    try {
      await harness.client.messages.create(QUESTION);
      expect(harness.onlySpan().attributes[ATTR_GEN_AI_INPUT_MESSAGES] !== undefined).toBe(
        captured,
      );
    } finally {
      await harness.close();
    }
  });

  it("lets the explicit option win over the environment", async () => {
    process.env[ENV] = "true";
    const harness = await startHarness({ captureContent: false });
    try {
      await harness.client.messages.create(QUESTION);
      expect(harness.onlySpan().attributes[ATTR_GEN_AI_INPUT_MESSAGES]).toBeUndefined();
    } finally {
      await harness.close();
    }
  });
});
