import { traceIdToUuid } from "@agentops/semconv";
import type { SessionExport, SessionSpansResponse, SessionStats, TokenResponse } from "../src/index";
import { contentType, hex, otlpBody, type SpanInput } from "./utils/otlp-bodies";
import { startTestServer, type TestServer } from "./utils/server-harness";

/**
 * Spans shaped like those of AgentOps' Python SDK (0.4.x), written by hand as they travel on the
 * wire, sent the way that SDK sends them (a token from `/v3/auth/token`, then OTLP with
 * `Authorization: Bearer`). The attribute names are spelled out on purpose: they are the other
 * SDK's vocabulary, not ours.
 */

/** The resource the Python SDK gives its spans. */
const PYTHON_RESOURCE = {
  "service.name": "agentops",
  "agentops.project.id": "4f1c2a9e-0000-4000-8000-000000000001",
  "host.name": "worker-7",
  "host.system": "Linux",
  "cpu.count": 8,
};

interface PythonSession {
  traceId: string;
  sessionId: string;
  spans: SpanInput[];
}

/**
 * One agent run: the `….session` root, an agent container, a task, two LLM calls (OpenAI priced
 * by the table; Anthropic with its own cost, cache reads and reasoning tokens), a tool with a
 * cost and a tool that failed.
 */
function pythonSession(root: Record<string, unknown> = {}): PythonSession {
  const traceId = hex(16);
  const rootSpanId = hex(8);
  const agentSpanId = hex(8);
  const start = Date.now() - 60_000;
  const spans: SpanInput[] = [
    {
      traceId,
      spanId: rootSpanId,
      name: "nightly_report.session",
      startMs: start,
      endMs: start + 9_000,
      attributes: {
        "agentops.span.kind": "session",
        "operation.name": "nightly_report",
        "agentops.tags": ["prod", "nightly"],
        "agentops.session.end_state": "Success",
        ...root,
      },
    },
    {
      traceId,
      spanId: agentSpanId,
      parentSpanId: rootSpanId,
      name: "researcher.agent",
      startMs: start + 100,
      endMs: start + 8_000,
      attributes: { "agentops.span.kind": "agent", "operation.name": "researcher", "agent.name": "researcher" },
    },
    {
      traceId,
      parentSpanId: agentSpanId,
      name: "openai.chat.completion",
      startMs: start + 200,
      endMs: start + 1_200,
      status: { code: 1 },
      attributes: {
        "gen_ai.system": "OpenAI",
        "llm.request.type": "chat",
        "gen_ai.request.model": "gpt-4o",
        "gen_ai.response.model": "gpt-4o-2024-08-06",
        "gen_ai.usage.prompt_tokens": 1000,
        "gen_ai.usage.completion_tokens": 500,
        "gen_ai.usage.total_tokens": 1500,
        "gen_ai.prompt.0.role": "user",
        "gen_ai.prompt.0.content": "Summarise the day.",
        "gen_ai.completion.0.role": "assistant",
        "gen_ai.completion.0.content": "A quiet day.",
      },
    },
    {
      traceId,
      parentSpanId: agentSpanId,
      name: "anthropic.messages.create",
      startMs: start + 1_300,
      endMs: start + 2_300,
      attributes: {
        "agentops.span.kind": "llm",
        "gen_ai.system": "Anthropic",
        "gen_ai.request.model": "claude-sonnet-4-5",
        // Anthropic counts input without its cache reads: 300 + 700 read from the cache.
        "gen_ai.usage.prompt_tokens": 300,
        "gen_ai.usage.cache_read_input_tokens": 700,
        "gen_ai.usage.completion_tokens": 200,
        "gen_ai.usage.reasoning_tokens": 50,
        "gen_ai.usage.total_cost": 0.0042,
      },
    },
    {
      traceId,
      parentSpanId: agentSpanId,
      name: "collect_sources.task",
      startMs: start + 2_400,
      endMs: start + 3_000,
      attributes: {
        "agentops.span.kind": "task",
        "operation.name": "collect_sources",
        "agentops.entity.input": JSON.stringify({ args: ["today"], kwargs: {} }),
        "agentops.entity.output": JSON.stringify(["a", "b"]),
      },
    },
    {
      traceId,
      parentSpanId: agentSpanId,
      name: "get_weather.tool",
      startMs: start + 3_100,
      endMs: start + 3_400,
      attributes: {
        "agentops.span.kind": "tool",
        "operation.name": "get_weather",
        "gen_ai.usage.total_cost": 0.01,
        "agentops.entity.input": JSON.stringify({ args: ["Paris"], kwargs: {} }),
      },
    },
    {
      traceId,
      parentSpanId: agentSpanId,
      name: "search.tool",
      startMs: start + 3_500,
      endMs: start + 3_600,
      status: { code: 2, message: "TimeoutError: search timed out" },
      attributes: { "agentops.span.kind": "tool", "operation.name": "search" },
      events: [
        {
          name: "exception",
          timeMs: start + 3_600,
          attributes: { "exception.type": "TimeoutError", "exception.message": "search timed out" },
        },
      ],
    },
  ];
  return { traceId, sessionId: traceIdToUuid(traceId), spans };
}

/** A bare session root carrying only the given attributes (for end states and tags). */
function bareSession(attributes: Record<string, unknown>, status?: { code: number; message?: string }): PythonSession {
  const traceId = hex(16);
  const start = Date.now() - 10_000;
  return {
    traceId,
    sessionId: traceIdToUuid(traceId),
    spans: [
      {
        traceId,
        name: "session.session",
        startMs: start,
        endMs: start + 1_000,
        ...(status ? { status } : {}),
        attributes: { "agentops.span.kind": "session", ...attributes },
      },
    ],
  };
}

describe.each(["json", "protobuf"] as const)("spans of AgentOps' Python SDK 0.4 over OTLP/%s", (encoding) => {
  let server: TestServer;
  let token: string;

  beforeAll(async () => {
    server = await startTestServer();
    // As the SDK does at init: exchange the key for a token, then export with it.
    const response = await fetch(`${server.url}/v3/auth/token`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ api_key: server.projectA.apiKey }),
    });
    token = ((await response.json()) as TokenResponse).token;
  });
  afterAll(async () => {
    await server.close();
  });

  async function send(spans: SpanInput[]): Promise<void> {
    const response = await fetch(`${server.url}/v1/traces`, {
      method: "POST",
      headers: { "content-type": contentType(encoding), authorization: `Bearer ${token}` },
      body: otlpBody(spans, encoding, PYTHON_RESOURCE),
    });
    expect(response.status).toBe(200);
  }

  async function get<T>(sessionId: string, route: string): Promise<T> {
    const response = await fetch(`${server.url}/v2/sessions/${sessionId}/${route}`, {
      headers: { authorization: `Bearer ${token}` },
    });
    expect(response.status).toBe(200);
    return (await response.json()) as T;
  }

  it("become a session with the right counts, tokens, cost, tags and end state", async () => {
    const session = pythonSession();
    await send(session.spans);
    expect(await get<SessionStats>(session.sessionId, "stats")).toEqual({
      session_id: session.sessionId,
      project_id: server.projectA.id,
      start_timestamp: expect.any(String),
      end_timestamp: expect.any(String),
      duration_ms: 9_000,
      end_state: "Success",
      end_state_reason: null,
      tags: ["prod", "nightly"],
      events: 6,
      llm_calls: 2,
      tool_calls: 2,
      actions: 1,
      errors: 1,
      prompt_tokens: 2_000,
      completion_tokens: 700,
      cached_tokens: 700,
      reasoning_tokens: 50,
      total_tokens: 2_700,
      // gpt-4o 1,000 in / 500 out = $0.0075 (price table) + $0.0042 (Anthropic, client's cost)
      // + $0.01 (the tool's cost).
      cost: "0.021700",
      scores: {},
    });
  });

  it("export and spans read like our own sessions (what the dashboard shows)", async () => {
    const session = pythonSession();
    await send(session.spans);
    const exported = await get<SessionExport>(session.sessionId, "export");
    expect(exported.session).toMatchObject({
      id: session.sessionId,
      end_state: "Success",
      tags: ["prod", "nightly"],
      host_env: { "service.name": "agentops", "host.name": "worker-7" },
    });
    expect(exported.llms).toEqual([
      expect.objectContaining({
        model: "gpt-4o-2024-08-06",
        provider: "openai",
        prompt: [{ role: "user", content: "Summarise the day." }],
        completion: [{ role: "assistant", content: "A quiet day." }],
        prompt_tokens: 1_000,
        completion_tokens: 500,
        cost: 0.0075,
      }),
      expect.objectContaining({
        model: "claude-sonnet-4-5",
        provider: "anthropic",
        prompt_tokens: 1_000,
        cached_tokens: 700,
        reasoning_tokens: 50,
        cost: 0.0042,
      }),
    ]);
    expect(exported.tools.map((tool) => tool.name)).toEqual(["get_weather.tool", "search.tool"]);
    expect(exported.actions.map((action) => action.action_type)).toEqual(["collect_sources.task"]);
    expect(exported.errors).toEqual([
      expect.objectContaining({
        details: "TimeoutError: search timed out",
        exception: { type: "TimeoutError", message: "search timed out", stacktrace: null },
      }),
    ]);

    const { spans } = await get<SessionSpansResponse>(session.sessionId, "spans");
    expect(spans.map((span) => [span.name, span.kind])).toEqual([
      ["nightly_report.session", "session"],
      ["researcher.agent", "other"],
      ["openai.chat.completion", "llm"],
      ["anthropic.messages.create", "llm"],
      ["collect_sources.task", "action"],
      ["get_weather.tool", "tool"],
      ["search.tool", "tool"],
    ]);
    expect(spans.find((span) => span.name === "get_weather.tool")).toMatchObject({ cost: 0.01 });
    expect(spans.find((span) => span.name === "search.tool")).toMatchObject({ is_error: true });
  });

  it("a running session (children exported, root not yet) shows its events with no end state", async () => {
    const session = pythonSession();
    await send(session.spans.slice(1));
    expect(await get<SessionStats>(session.sessionId, "stats")).toMatchObject({
      end_state: null,
      llm_calls: 2,
      tool_calls: 2,
      tags: [],
    });
    await send(session.spans.slice(0, 1));
    expect(await get<SessionStats>(session.sessionId, "stats")).toMatchObject({
      end_state: "Success",
      tags: ["prod", "nightly"],
      cost: "0.021700",
    });
  });

  it.each([
    // end_trace(end_state=…) with strings, TraceState members and OpenTelemetry StatusCode values
    ["Success", "Success"],
    ["SUCCESS", "Success"],
    ["TraceState.SUCCESS", "Success"],
    ["StatusCode.OK", "Success"],
    ["OK", "Success"],
    ["Failure", "Failure"],
    ["Fail", "Failure"],
    ["Error", "Failure"],
    ["ERROR", "Failure"],
    ["StatusCode.ERROR", "Failure"],
    ["Indeterminate", "Indeterminate"],
    ["UNSET", "Indeterminate"],
    ["StatusCode.UNSET", "Indeterminate"],
    ["Shutdown", "Indeterminate"],
  ])("agentops.session.end_state %j → %s", async (value, expected) => {
    const session = bareSession({ "agentops.session.end_state": value });
    await send(session.spans);
    expect((await get<SessionStats>(session.sessionId, "stats")).end_state).toBe(expected);
  });

  it("the legacy end_session(end_state=…, end_state_reason=…) attributes give the end state and its reason", async () => {
    const session = bareSession({
      "agentops.status.end_state": "Fail",
      "agentops.status.end_state_reason": "Crew stopped early",
      "agentops.status.is_auto_end": "True",
    });
    await send(session.spans);
    expect(await get<SessionStats>(session.sessionId, "stats")).toMatchObject({
      end_state: "Failure",
      end_state_reason: "Crew stopped early",
    });
  });

  it("without an end-state attribute, the root span's status decides (error → Failure with its message)", async () => {
    const failed = bareSession({}, { code: 2, message: "ValueError: bad input" });
    const ok = bareSession({}, { code: 1 });
    const unset = bareSession({});
    await send([...failed.spans, ...ok.spans, ...unset.spans]);
    expect(await get<SessionStats>(failed.sessionId, "stats")).toMatchObject({
      end_state: "Failure",
      end_state_reason: "ValueError: bad input",
    });
    expect((await get<SessionStats>(ok.sessionId, "stats")).end_state).toBe("Success");
    expect((await get<SessionStats>(unset.sessionId, "stats")).end_state).toBe("Indeterminate");
  });

  it.each([
    ["agentops.tags as a string array", { "agentops.tags": ["a", "b"] }, ["a", "b"]],
    ["agentops.tags as a JSON string", { "agentops.tags": '["a", "b, c"]' }, ["a", "b, c"]],
    ["agentops.tags as a comma list", { "agentops.tags": "a, b" }, ["a", "b"]],
    ["tags (0.4.0 start_session)", { tags: ["legacy"] }, ["legacy"]],
  ])("tags from %s", async (_name, attributes, expected) => {
    const session = bareSession({ "agentops.session.end_state": "Success", ...attributes });
    await send(session.spans);
    expect((await get<SessionStats>(session.sessionId, "stats")).tags).toEqual(expected);
    const page = await fetch(`${server.url}/v2/sessions?tag=${encodeURIComponent(expected[0]!)}&limit=200`, {
      headers: { authorization: `Bearer ${token}` },
    });
    const { sessions } = (await page.json()) as { sessions: SessionStats[] };
    expect(sessions.map((stats) => stats.session_id)).toContain(session.sessionId);
  });
});
