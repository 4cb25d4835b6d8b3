import { normalizeSpan } from "../src/ingest/normalize";
import { parseEndState, parseTags } from "@agentops/span-model";
import type { DecodedSpan, NormalizedSpan } from "../src/storage/types";

const TRACE = "0af7651916cd43dd8448eb211c80319c";
const SPAN = "b7ad6b7169203331";
const START = "1768478400000000000"; // 2026-01-15T12:00:00.000Z
const END = "1768478401234567891";

function decoded(overrides: Partial<DecodedSpan> = {}): DecodedSpan {
  return {
    traceId: TRACE,
    spanId: SPAN,
    parentSpanId: null,
    name: "span",
    startTimeUnixNano: START,
    endTimeUnixNano: END,
    statusCode: 0,
    statusMessage: null,
    attributes: {},
    resource: { "service.name": "app" },
    events: [],
    spanKind: 1,
    scope: null,
    ...overrides,
  };
}

function ok(overrides: Partial<DecodedSpan> = {}): NormalizedSpan {
  const result = normalizeSpan(decoded(overrides));
  if ("error" in result) throw new Error(`rejected: ${result.error}`);
  return result;
}

function withAttributes(
  attributes: Record<string, unknown>,
  overrides: Partial<DecodedSpan> = {},
): NormalizedSpan {
  return ok({ ...overrides, attributes });
}

describe("normalizeSpan: validation", () => {
  test("a valid span keeps its identity, times and payload", () => {
    const events = [
      { name: "exception", timeUnixNano: START, attributes: { "exception.message": "x" } },
    ];
    const span = ok({
      parentSpanId: "00f067aa0ba902b7",
      statusCode: 1,
      statusMessage: "",
      events,
      attributes: { a: 1 },
    });
    expect(span).toMatchObject({
      traceId: TRACE,
      spanId: SPAN,
      parentSpanId: "00f067aa0ba902b7",
      sessionId: "0af76519-16cd-43dd-8448-eb211c80319c",
      startTimeUnixNano: START,
      endTimeUnixNano: END,
      startMs: 1768478400000,
      endMs: 1768478401234,
      statusCode: 1,
      statusMessage: null,
      attributes: { a: 1 },
      resource: { "service.name": "app" },
      events,
      kind: "other",
      model: null,
      provider: null,
      promptTokens: 0,
      cost: 0,
      isError: false,
      tags: null,
      endState: null,
    });
  });

  test("ids are lowercased; an all-zero or malformed parent means no parent", () => {
    const span = ok({
      traceId: TRACE.toUpperCase(),
      spanId: SPAN.toUpperCase(),
      parentSpanId: "0000000000000000",
    });
    expect(span.traceId).toBe(TRACE);
    expect(span.spanId).toBe(SPAN);
    expect(span.parentSpanId).toBeNull();
    expect(ok({ parentSpanId: "" }).parentSpanId).toBeNull();
    expect(ok({ parentSpanId: "xyz" }).parentSpanId).toBeNull();
  });

  test.each([
    ["short trace id", { traceId: "abc" }, /trace id/],
    ["non-hex trace id", { traceId: "z".repeat(32) }, /trace id/],
    ["all-zero trace id", { traceId: "0".repeat(32) }, /trace id/],
    ["trace id of the wrong type", { traceId: 42 as unknown as string }, /trace id/],
    ["long span id", { spanId: "0".repeat(15) + "10" }, /span id/],
    ["all-zero span id", { spanId: "0".repeat(16) }, /span id/],
    ["start time zero", { startTimeUnixNano: "0" }, /start time/],
    ["start time not a number", { startTimeUnixNano: "soon" }, /start time/],
    ["negative start time", { startTimeUnixNano: "-5" }, /start time/],
    ["start time past 64 bits", { startTimeUnixNano: "9999999999999999999" }, /start time/],
    ["end before start", { endTimeUnixNano: "1768478399000000000" }, /end time/],
    ["no end time", { endTimeUnixNano: "" }, /end time/],
  ])("rejects a %s", (_label, overrides, message) => {
    const result = normalizeSpan(decoded(overrides as Partial<DecodedSpan>));
    expect(result).toEqual({ error: expect.stringMatching(message) });
  });

  test("accepts times as safe integers and equal start and end", () => {
    const span = ok({
      startTimeUnixNano: 1_000_000_000 as unknown as string,
      endTimeUnixNano: "1000000000",
    });
    expect(span).toMatchObject({ startTimeUnixNano: "1000000000", startMs: 1000, endMs: 1000 });
  });
});

describe("normalizeSpan: classification", () => {
  test.each([
    [{ "agentops.span.kind": "session" }, "session"],
    [{ "agentops.span.kind": "session.start" }, "marker"],
    [{ "agentops.span.kind": "session.update" }, "marker"],
    [{ "agentops.span.kind": "llm" }, "llm"],
    [{ "agentops.span.kind": "LLM" }, "llm"],
    [{ "agentops.span.kind": "llm.call" }, "llm"],
    [{ "agentops.span.kind": "tool" }, "tool"],
    [{ "agentops.span.kind": "action" }, "action"],
    [{ "agentops.span.kind": "error" }, "error"],
    [{ "agentops.span.kind": "operation" }, "action"],
    [{ "agentops.span.kind": "task" }, "action"],
    [{ "agentops.span.kind": "agent.action" }, "action"],
    [{ "agentops.span.kind": "agent" }, "other"],
    [{ "agentops.span.kind": "workflow" }, "other"],
    [{ "agentops.span.kind": "team" }, "other"],
    [{ "agentops.span.kind": "something-new" }, "other"],
    // Our own kind wins over the GenAI operation.
    [{ "agentops.span.kind": "action", "gen_ai.operation.name": "chat" }, "action"],
    [{ "gen_ai.operation.name": "chat" }, "llm"],
    [{ "gen_ai.operation.name": "text_completion" }, "llm"],
    [{ "gen_ai.operation.name": "embeddings", "gen_ai.usage.input_tokens": 3 }, "llm"],
    // Without usage: the operation around an embeddings call (the Vercel AI SDK 7 nests them so).
    [{ "gen_ai.operation.name": "embeddings" }, "action"],
    [{ "gen_ai.operation.name": "generate_content" }, "llm"],
    [{ "gen_ai.operation.name": "execute_tool" }, "tool"],
    [{ "gen_ai.operation.name": "invoke_agent" }, "agent"],
    [{ "gen_ai.operation.name": "create_agent" }, "agent"],
    [{ "gen_ai.operation.name": "agent_step" }, "other"],
    [{ "ai.operationId": "ai.generateText" }, "agent"],
    [{ "ai.operationId": "ai.generateText.doGenerate" }, "llm"],
    [{ "ai.operationId": "ai.streamText.doStream" }, "llm"],
    [{ "ai.operationId": "ai.embed.doEmbed" }, "llm"],
    [{ "ai.operationId": "ai.embed" }, "action"],
    [{ "ai.operationId": "ai.toolCall" }, "tool"],
    [{ "ai.operationId": "ai.generateImage" }, "other"],
    [{ "openinference.span.kind": "LLM" }, "llm"],
    [{ "openinference.span.kind": "EMBEDDING" }, "llm"],
    [{ "openinference.span.kind": "TOOL" }, "tool"],
    [{ "openinference.span.kind": "CHAIN" }, "other"],
    [{ "llm.request.type": "chat", "gen_ai.system": "openai" }, "llm"],
    [{ "gen_ai.system": "anthropic", "gen_ai.request.model": "claude-3-5-haiku" }, "llm"],
    [{ "gen_ai.system": "anthropic" }, "other"],
    [{ "http.method": "GET" }, "other"],
    [{ "agentops.span.kind": 7 }, "other"],
  ])("%j → %s", (attributes, kind) => {
    expect(withAttributes(attributes).kind).toBe(kind);
  });

  test("a root span named like AgentOps' session spans is a session; a child is not", () => {
    expect(ok({ name: "my_workflow.session" }).kind).toBe("session");
    expect(ok({ name: "my_workflow.session", parentSpanId: "00f067aa0ba902b7" }).kind).toBe(
      "other",
    );
  });

  test("errors: error events, and failed LLM and tool calls", () => {
    expect(withAttributes({ "agentops.span.kind": "error" }).isError).toBe(true);
    expect(withAttributes({ "gen_ai.operation.name": "chat" }, { statusCode: 2 }).isError).toBe(
      true,
    );
    expect(
      withAttributes({ "gen_ai.operation.name": "execute_tool" }, { statusCode: 2 }).isError,
    ).toBe(true);
    expect(withAttributes({ "gen_ai.operation.name": "chat" }, { statusCode: 1 }).isError).toBe(
      false,
    );
    expect(withAttributes({ "agentops.span.kind": "action" }, { statusCode: 2 }).isError).toBe(
      false,
    );
    expect(withAttributes({}, { statusCode: 2 }).isError).toBe(false);
  });
});

describe("normalizeSpan: tokens and cost", () => {
  const chat = {
    "gen_ai.operation.name": "chat",
    "gen_ai.provider.name": "openai",
    "gen_ai.request.model": "gpt-4o",
  };

  test("current GenAI names, priced by the shared table", () => {
    const span = withAttributes({
      ...chat,
      "gen_ai.usage.input_tokens": 1000,
      "gen_ai.usage.output_tokens": 500,
      "gen_ai.usage.cache_read.input_tokens": 0,
      "gen_ai.usage.reasoning.output_tokens": 0,
    });
    expect(span).toMatchObject({
      model: "gpt-4o",
      provider: "openai",
      promptTokens: 1000,
      completionTokens: 500,
    });
    expect(span.cost).toBeCloseTo(0.0075, 10);
  });

  test("cache reads and reasoning tokens are kept in their own buckets", () => {
    const span = withAttributes({
      ...chat,
      "gen_ai.usage.input_tokens": 1000,
      "gen_ai.usage.output_tokens": 500,
      "gen_ai.usage.cache_read.input_tokens": 400,
      "gen_ai.usage.reasoning.output_tokens": 120,
    });
    expect(span).toMatchObject({
      promptTokens: 1000,
      completionTokens: 500,
      cachedTokens: 400,
      reasoningTokens: 120,
    });
    // Cache reads are cheaper than fresh input.
    expect(span.cost).toBeLessThan(0.0075);
    expect(span.cost).toBeGreaterThan(0);
  });

  test("legacy GenAI names", () => {
    const span = withAttributes({
      "gen_ai.system": "OpenAI",
      "gen_ai.request.model": "gpt-4o",
      "llm.request.type": "chat",
      "gen_ai.usage.prompt_tokens": "1000",
      "gen_ai.usage.completion_tokens": 500,
      "gen_ai.usage.cache_read_input_tokens": 10,
      "gen_ai.usage.reasoning_tokens": 7,
    });
    expect(span).toMatchObject({
      kind: "llm",
      provider: "openai",
      promptTokens: 1000,
      completionTokens: 500,
      cachedTokens: 10,
      reasoningTokens: 7,
    });
  });

  test("OpenInference names", () => {
    const span = withAttributes({
      "openinference.span.kind": "LLM",
      "llm.model_name": "gpt-4o",
      "llm.provider": "openai",
      "llm.token_count.prompt": 1000,
      "llm.token_count.completion": 500,
      "llm.token_count.prompt_details.cache_read": 100,
      "llm.token_count.completion_details.reasoning": 50,
    });
    expect(span).toMatchObject({
      model: "gpt-4o",
      promptTokens: 1000,
      completionTokens: 500,
      cachedTokens: 100,
      reasoningTokens: 50,
    });
    expect(span.cost).toBeGreaterThan(0);
  });

  test("the current name wins over a legacy one; unreadable counts are ignored", () => {
    const span = withAttributes({
      ...chat,
      "gen_ai.usage.input_tokens": 10,
      "gen_ai.usage.prompt_tokens": 99,
      "gen_ai.usage.output_tokens": -3,
      "gen_ai.usage.completion_tokens": "abc",
    });
    expect(span).toMatchObject({ promptTokens: 10, completionTokens: 0 });
  });

  test("Anthropic legacy counts get their cache reads and writes added; current counts are taken as sent", () => {
    const legacy = withAttributes({
      "gen_ai.system": "anthropic",
      "gen_ai.request.model": "claude-sonnet-4-5",
      "gen_ai.usage.prompt_tokens": 200,
      "gen_ai.usage.completion_tokens": 500,
      "gen_ai.usage.cache_read_input_tokens": 800,
      "gen_ai.usage.cache_creation_input_tokens": 100,
    });
    expect(legacy).toMatchObject({ promptTokens: 1100, cachedTokens: 800 });
    const current = withAttributes({
      "gen_ai.operation.name": "chat",
      "gen_ai.provider.name": "anthropic",
      "gen_ai.request.model": "claude-sonnet-4-5",
      "gen_ai.usage.input_tokens": 1000,
      "gen_ai.usage.output_tokens": 500,
      "gen_ai.usage.cache_read.input_tokens": 800,
    });
    expect(current).toMatchObject({ promptTokens: 1000, cachedTokens: 800 });
    expect(current.cost).toBeCloseTo(0.00834, 8);
    // The same call sent the legacy way prices the same once normalised.
    const sameLegacy = withAttributes({
      "gen_ai.system": "anthropic",
      "gen_ai.request.model": "claude-sonnet-4-5",
      "gen_ai.usage.prompt_tokens": 200,
      "gen_ai.usage.completion_tokens": 500,
      "gen_ai.usage.cache_read_input_tokens": 800,
    });
    expect(sameLegacy.promptTokens).toBe(1000);
    expect(sameLegacy.cost).toBeCloseTo(current.cost, 12);
    // Another provider's legacy counts already include the cache.
    const openai = withAttributes({
      "gen_ai.system": "openai",
      "gen_ai.request.model": "gpt-4o",
      "gen_ai.usage.prompt_tokens": 1000,
      "gen_ai.usage.cache_read_input_tokens": 800,
    });
    expect(openai.promptTokens).toBe(1000);
    // OpenInference's prompt count is a total by its specification.
    const openInference = withAttributes({
      "openinference.span.kind": "LLM",
      "llm.provider": "anthropic",
      "llm.model_name": "claude-sonnet-4-5",
      "llm.token_count.prompt": 1000,
      "llm.token_count.prompt_details.cache_read": 800,
    });
    expect(openInference.promptTokens).toBe(1000);
  });

  test("an explicit client cost wins over the price table", () => {
    const tokens = { "gen_ai.usage.input_tokens": 1000, "gen_ai.usage.output_tokens": 500 };
    expect(withAttributes({ ...chat, ...tokens, "agentops.llm.cost": 0.5 }).cost).toBe(0.5);
    expect(withAttributes({ ...chat, ...tokens, "gen_ai.usage.total_cost": "0.25" }).cost).toBe(
      0.25,
    );
    expect(withAttributes({ ...chat, ...tokens, "agentops.llm.cost": 0 }).cost).toBe(0);
    expect(withAttributes({ ...chat, ...tokens, "agentops.llm.cost": -1 }).cost).toBeCloseTo(
      0.0075,
      10,
    );
  });

  test("the response model is priced, falling back to the request model; unknown models cost 0", () => {
    const tokens = { "gen_ai.usage.input_tokens": 1000, "gen_ai.usage.output_tokens": 500 };
    const dated = withAttributes({
      ...chat,
      ...tokens,
      "gen_ai.response.model": "gpt-4o-2024-08-06",
    });
    expect(dated.model).toBe("gpt-4o-2024-08-06");
    expect(dated.cost).toBeCloseTo(0.0075, 10);
    const renamed = withAttributes({
      ...chat,
      ...tokens,
      "gen_ai.response.model": "my-proxy-name",
    });
    expect(renamed.cost).toBeCloseTo(0.0075, 10);
    const unknown = withAttributes({
      ...chat,
      ...tokens,
      "gen_ai.request.model": "no-such-model-xyz",
    });
    expect(unknown.cost).toBe(0);
  });

  test("only LLM spans carry tokens and cost (containers often repeat their children's totals)", () => {
    const span = withAttributes({
      "agentops.span.kind": "agent",
      "gen_ai.request.model": "gpt-4o",
      "gen_ai.usage.input_tokens": 1000,
      "agentops.llm.cost": 3,
    });
    expect(span).toMatchObject({ kind: "other", promptTokens: 0, cost: 0, model: null });
  });
});

describe("normalizeSpan: session metadata", () => {
  const root = { "agentops.span.kind": "session" };

  test.each([
    ["Success", "Success"],
    ["SUCCESS", "Success"],
    ["success", "Success"],
    ["StatusCode.OK", "Success"],
    ["Failure", "Failure"],
    ["Fail", "Failure"],
    ["ERROR", "Failure"],
    ["StatusCode.ERROR", "Failure"],
    ["failed", "Failure"],
    ["Indeterminate", "Indeterminate"],
    ["Shutdown", "Indeterminate"],
    ["StatusCode.UNSET", "Indeterminate"],
    ["EndState.INDETERMINATE", "Indeterminate"],
    [" timed_out ", "Indeterminate"],
    ["banana", null],
    ["", null],
    [3, null],
  ])("end state %j → %s", (value, expected) => {
    expect(parseEndState(value)).toBe(expected);
  });

  test("a root span's end state and reason", () => {
    const span = withAttributes({
      ...root,
      "agentops.session.end_state": "Fail",
      "agentops.session.end_state_reason": "boom",
      "agentops.session.video": "https://example.test/v.mp4",
    });
    expect(span).toMatchObject({
      kind: "session",
      endState: "Failure",
      endStateReason: "boom",
      video: "https://example.test/v.mp4",
    });
  });

  test("a root span without a readable end state takes it from its status", () => {
    expect(withAttributes(root, { statusCode: 2, statusMessage: "crashed" })).toMatchObject({
      endState: "Failure",
      endStateReason: "crashed",
    });
    expect(withAttributes(root, { statusCode: 1 })).toMatchObject({
      endState: "Success",
      endStateReason: null,
    });
    expect(withAttributes({ ...root, "agentops.session.end_state": "banana" })).toMatchObject({
      endState: "Indeterminate",
    });
  });

  test("markers carry tags and video but no end state of their own", () => {
    const marker = withAttributes({
      "agentops.span.kind": "session.start",
      "agentops.session.tags": ["a", "b"],
    });
    expect(marker).toMatchObject({
      kind: "marker",
      tags: ["a", "b"],
      endState: null,
      endStateReason: null,
      video: null,
    });
  });

  test("metadata on other spans is ignored", () => {
    const span = withAttributes({
      "agentops.span.kind": "action",
      "agentops.session.tags": ["x"],
      "agentops.session.end_state": "Success",
    });
    expect(span).toMatchObject({ tags: null, endState: null });
  });

  test.each([
    [{ "agentops.session.tags": ["a", " b ", "a", "", 3] }, ["a", "b", "3"]],
    [{ "agentops.tags": ["x", "y"] }, ["x", "y"]],
    [{ "agentops.tags": '["x", "y, z"]' }, ["x", "y, z"]],
    [{ "agentops.tags": "x, y ,,z" }, ["x", "y", "z"]],
    [{ "agentops.tags": "[not json, b" }, ["[not json", "b"]],
    [{ "agentops.session.tags": [] }, []],
    [{ "agentops.session.tags": ["win"], "agentops.tags": ["lose"] }, ["win"]],
    [{ "agentops.session.tags": [{ nested: true }, null, "ok"] }, ["ok"]],
    [{}, null],
  ])("tags %j → %j", (attributes, expected) => {
    expect(parseTags(attributes)).toEqual(expected);
    expect(withAttributes({ ...root, ...attributes }).tags).toEqual(expected);
  });

  test("tag lists are bounded", () => {
    const many = Array.from({ length: 500 }, (_, i) => `t${i}`);
    const tags = parseTags({ "agentops.session.tags": [...many, "x".repeat(1000)] })!;
    expect(tags).toHaveLength(100);
    expect(parseTags({ "agentops.session.tags": ["y".repeat(1000)] })![0]).toHaveLength(256);
  });
});
