import { classifyOpenAIAgentsSpan, classifySpan, interpretSpan } from "@agentops/span-model";

const agents = (type: string, extra: Record<string, unknown> = {}) => ({ "openai_agents.span_type": type, "openai_agents.span_id": "span_1", ...extra });

describe("OpenAI Agents spans as @agentops/openai-agents writes them", () => {
  it("gives each span type its kind: agents are agent runs, handoffs, guardrails and MCP listings actions, functions tools", () => {
    const kinds = Object.fromEntries(
      ["agent", "handoff", "guardrail", "mcp_tools", "function", "generation", "response", "transcription", "speech", "task", "turn", "custom", "speech_group", "unheard_of"].map((type) => [type, classifySpan("x", "p", agents(type))]),
    );
    expect(kinds).toEqual({
      agent: "agent", handoff: "action", guardrail: "action", mcp_tools: "action", function: "tool",
      generation: "llm", response: "llm", transcription: "llm", speech: "llm",
      task: "other", turn: "other", custom: "other", speech_group: "other", unheard_of: "other",
    });
    expect(classifyOpenAIAgentsSpan({ "gen_ai.operation.name": "chat" })).toBeNull();
  });

  it("wins over the GenAI names the spans also carry for other backends", () => {
    expect(classifySpan("invoke_agent Triage", "p", agents("agent", { "gen_ai.operation.name": "invoke_agent" }))).toBe("agent");
    // Not even the usage a GenAI agent span may repeat makes it an LLM call.
    expect(classifySpan("agent", "p", agents("agent", { "gen_ai.request.model": "gpt-4o", "gen_ai.usage.input_tokens": 10 }))).toBe("agent");
    // A task span's usage is the sum of its model calls: never an LLM call of its own.
    expect(classifySpan("task", "p", agents("task", { "gen_ai.request.model": "gpt-4o", "gen_ai.usage.input_tokens": 10 }))).toBe("other");
  });

  it("counts a model span only when no client span under it recorded the call", () => {
    const usage = { "gen_ai.operation.name": "chat", "gen_ai.provider.name": "openai", "gen_ai.request.model": "gpt-4o", "gen_ai.usage.input_tokens": 1000, "gen_ai.usage.output_tokens": 500 };
    const alone = interpretSpan("chat gpt-4o", "p", agents("response", { ...usage, "openai_agents.client_calls": 0 }), 0);
    expect(alone).toMatchObject({ kind: "llm", model: "gpt-4o", promptTokens: 1000, completionTokens: 500 });
    expect(alone.cost).toBeCloseTo(0.0075, 9);
    const carried = interpretSpan("chat gpt-4o", "p", agents("generation", { ...usage, "openai_agents.client_calls": 1 }), 0);
    expect(carried).toMatchObject({ kind: "other", promptTokens: 0, completionTokens: 0, cost: 0 });
  });

  it("counts a failed function as a failed tool call, a failed agent not as an error", () => {
    expect(interpretSpan("execute_tool book", "p", agents("function"), 2)).toMatchObject({ kind: "tool", isError: true });
    expect(interpretSpan("invoke_agent Triage", "p", agents("agent"), 2)).toMatchObject({ kind: "agent", isError: false, promptTokens: 0 });
  });

  it("keeps reading spans re-emitted by AgentOps' npm SDK (no span type) as before", () => {
    expect(classifySpan("generation", "p", { "openai_agents.span_id": "s", "gen_ai.usage.input_tokens": 5 })).toBe("llm");
    expect(classifySpan("function", "p", { "openai_agents.span_id": "s", "function.name": "f" })).toBe("tool");
    expect(classifySpan("agent", "p", { "openai_agents.span_id": "s", "agent.name": "A" })).toBe("other");
  });
});
