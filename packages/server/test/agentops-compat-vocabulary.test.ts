import { normalizeSpan } from "../src/ingest/normalize";
import { parseEndState } from "@agentops/span-model";
import type { DecodedSpan, NormalizedSpan } from "../src/storage/types";
import { startTestServer, type TestServer } from "./utils/server-harness";

/**
 * The parts of AgentOps' official SDKs' span vocabulary that our own SDK never writes, span by
 * span through the normaliser (the HTTP tests send whole sessions of it).
 */

const ROOT = "4bf92f3577b34da6a3ce929d0e0e4736";

function span(attributes: Record<string, unknown>, overrides: Partial<DecodedSpan> = {}): NormalizedSpan {
  const result = normalizeSpan({
    traceId: ROOT,
    spanId: "00f067aa0ba902b7",
    parentSpanId: "b7ad6b7169203331",
    name: "span",
    startTimeUnixNano: "1768478400000000000",
    endTimeUnixNano: "1768478401000000000",
    statusCode: 0,
    statusMessage: null,
    attributes,
    resource: {},
    events: [],
    spanKind: 1,
    scope: null,
    ...overrides,
  });
  if ("error" in result) throw new Error(result.error);
  return result;
}

describe("AgentOps' span kinds (agentops.span.kind)", () => {
  it.each([
    ["session", "session"],
    ["llm", "llm"],
    ["llm.call", "llm"],
    ["tool", "tool"],
    ["task", "action"],
    ["operation", "action"],
    ["workflow.step", "action"],
    ["agent.action", "action"],
    ["guardrail", "action"],
    ["agent", "other"],
    ["workflow", "other"],
    ["team", "other"],
    ["unknown", "other"],
    ["something-new", "other"],
  ])("%s → %s", (kind, expected) => {
    expect(span({ "agentops.span.kind": kind }).kind).toBe(expected);
  });

  it("a root span named ….session without a kind is the session", () => {
    expect(span({}, { name: "my_trace.session", parentSpanId: null }).kind).toBe("session");
    expect(span({}, { name: "my_trace.session" }).kind).toBe("other"); // not a root
  });
});

describe("usage and cost names", () => {
  it("reads the legacy usage names, adding Anthropic's cache reads to its input", () => {
    expect(
      span({
        "agentops.span.kind": "llm",
        "gen_ai.system": "Anthropic",
        "gen_ai.request.model": "claude-sonnet-4-5",
        "gen_ai.usage.prompt_tokens": 100,
        "gen_ai.usage.cache_read_input_tokens": 900,
        "gen_ai.usage.completion_tokens": 40,
        "gen_ai.usage.reasoning_tokens": 10,
        "gen_ai.usage.total_cost": "0.0031",
      }),
    ).toMatchObject({
      kind: "llm",
      provider: "anthropic",
      promptTokens: 1000,
      cachedTokens: 900,
      completionTokens: 40,
      reasoningTokens: 10,
      cost: 0.0031,
    });
  });

  it("a tool's gen_ai.usage.total_cost (@tool(cost=…)) is its cost; other kinds' is ignored", () => {
    expect(span({ "agentops.span.kind": "tool", "gen_ai.usage.total_cost": 0.25 })).toMatchObject({ kind: "tool", cost: 0.25 });
    expect(span({ "agentops.span.kind": "tool", "gen_ai.usage.total_cost": -1 }).cost).toBe(0);
    expect(span({ "agentops.span.kind": "tool" }).cost).toBe(0);
    expect(span({ "agentops.span.kind": "task", "gen_ai.usage.total_cost": 0.25 }).cost).toBe(0);
    expect(span({ "agentops.span.kind": "agent", "gen_ai.usage.total_cost": 0.25 }).cost).toBe(0);
  });
});

describe("OpenAI Agents spans as AgentOps' npm SDK re-emits them", () => {
  const base = { "openai_agents.span_id": "span_1", "openai_agents.trace_id": "trace_1" };

  it("a response with usage is an LLM call, priced by its model (counts arrive as strings)", () => {
    expect(
      span({
        ...base,
        "gen_ai.request.model": "gpt-4o",
        "gen_ai.response.model": "gpt-4o",
        "gen_ai.usage.input_tokens": "1000",
        "gen_ai.usage.output_tokens": "500",
      }),
    ).toMatchObject({ kind: "llm", model: "gpt-4o", promptTokens: 1000, completionTokens: 500, cost: 0.0075 });
  });

  it("a generation with usage but no model is still an LLM call (its tokens count, its cost is unknown)", () => {
    expect(span({ ...base, "gen_ai.usage.input_tokens": "10", "gen_ai.usage.output_tokens": "5" })).toMatchObject({
      kind: "llm",
      model: null,
      promptTokens: 10,
      cost: 0,
    });
  });

  it("a function call is a tool; agent, handoff and bare response spans are containers", () => {
    expect(span({ ...base, "function.name": "get_weather", "function.input": "{}" }).kind).toBe("tool");
    expect(span({ ...base, "agent.name": "triage" }).kind).toBe("other");
    expect(span({ ...base, "response.id": "resp_1" }).kind).toBe("other");
  });

  it("outside those spans, function.name alone or usage without a model does not make an event", () => {
    expect(span({ "function.name": "f" }).kind).toBe("other");
    expect(span({ "gen_ai.usage.input_tokens": 10 }).kind).toBe("other");
  });

  it("any span with a model and token usage, but no provider, is an LLM call", () => {
    expect(span({ "gen_ai.request.model": "gpt-4o", "gen_ai.usage.prompt_tokens": 3 }).kind).toBe("llm");
    expect(span({ "gen_ai.request.model": "gpt-4o" }).kind).toBe("other");
  });
});

describe("end states and tags", () => {
  it.each([
    ["Success", "Success"],
    ["SUCCESS", "Success"],
    ["TraceState.SUCCESS", "Success"],
    ["StatusCode.OK", "Success"],
    ["Fail", "Failure"],
    ["ERROR", "Failure"],
    ["TraceState.ERROR", "Failure"],
    ["StatusCode.ERROR", "Failure"],
    ["Indeterminate", "Indeterminate"],
    ["UNSET", "Indeterminate"],
    ["TraceState.UNSET", "Indeterminate"],
    ["Shutdown", "Indeterminate"],
    ["Sucess", null],
    ["", null],
  ])("%j → %s", (value, expected) => {
    expect(parseEndState(value)).toBe(expected);
  });

  it("the legacy agentops.status.* attributes are read when agentops.session.end_state is absent", () => {
    const legacy = { "agentops.span.kind": "session", "agentops.status.end_state": "Success", "agentops.status.end_state_reason": "Finished Execution" };
    expect(span(legacy, { parentSpanId: null })).toMatchObject({ endState: "Success", endStateReason: "Finished Execution" });
    expect(
      span({ ...legacy, "agentops.session.end_state": "Fail" }, { parentSpanId: null }),
    ).toMatchObject({ endState: "Failure", endStateReason: "Finished Execution" });
  });

  it("tags come from agentops.tags, else the bare tags of early 0.4 sessions; never from other spans", () => {
    const root = { parentSpanId: null };
    expect(span({ "agentops.span.kind": "session", tags: ["x", "y"] }, root).tags).toEqual(["x", "y"]);
    expect(span({ "agentops.span.kind": "session", tags: ["x"], "agentops.tags": ["z"] }, root).tags).toEqual(["z"]);
    expect(span({ "agentops.span.kind": "tool", "agentops.tags": ["z"] }).tags).toBeNull();
  });
});

describe("the dashboard link the SDKs print (…/sessions?trace_id=<32 hex>)", () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer();
  });
  afterAll(async () => {
    await server.close();
  });

  it("redirects to the session in the dashboard, without a key", async () => {
    const response = await fetch(`${server.url}/sessions?trace_id=${ROOT.toUpperCase()}`, { redirect: "manual" });
    expect(response.status).toBe(302);
    expect(response.headers.get("location")).toBe("/#/sessions/4bf92f35-77b3-4da6-a3ce-929d0e0e4736");
  });

  it.each(["", "?trace_id=xyz", `?trace_id=${"0".repeat(32)}`, "?trace_id=a&trace_id=b"])(
    "redirects to the session list for %j",
    async (query) => {
      const response = await fetch(`${server.url}/sessions${query}`, { redirect: "manual" });
      expect(response.status).toBe(302);
      expect(response.headers.get("location")).toBe("/#/sessions");
    },
  );
});
