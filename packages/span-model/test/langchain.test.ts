import { classifyLangChainSpan, classifySpan, interpretSpan } from "@agentops/span-model";

const run = (type: string, extra: Record<string, unknown> = {}) => ({ "langchain.run_type": type, "langchain.run_id": "r2", "langchain.parent_run_id": "r1", ...extra });

describe("LangChain runs as @agentops/langchain writes them", () => {
  it("gives each run type its kind: chains and retrievers are actions, tools tools, model runs LLM calls", () => {
    const kinds = Object.fromEntries(["chain", "retriever", "tool", "llm", "chat_model", "parser", "constructor"].map((type) => [type, classifySpan("x", "p", run(type))]));
    expect(kinds).toEqual({ chain: "action", retriever: "action", tool: "tool", llm: "llm", chat_model: "llm", parser: "other", constructor: "other" });
    expect(classifyLangChainSpan({ "gen_ai.operation.name": "chat" })).toBeNull();
  });

  it("makes the outermost chain the agent run, counted among the actions without tokens", () => {
    const root = { "langchain.run_type": "chain", "langchain.run_id": "r1", "gen_ai.operation.name": "invoke_agent", "gen_ai.request.model": "gpt-4o", "gen_ai.usage.input_tokens": 10 };
    expect(interpretSpan("invoke_agent LangGraph", "p", root, 0)).toMatchObject({ kind: "agent", promptTokens: 0, cost: 0 });
    // A root tool or model run stays what it is.
    expect(classifySpan("execute_tool t", "p", { "langchain.run_type": "tool" })).toBe("tool");
  });

  it("counts a model run only when no client span under it recorded the call", () => {
    const usage = { "gen_ai.operation.name": "chat", "gen_ai.provider.name": "openai", "gen_ai.request.model": "gpt-4o", "gen_ai.usage.input_tokens": 1000, "gen_ai.usage.output_tokens": 500 };
    const alone = interpretSpan("chat gpt-4o", "p", run("chat_model", { ...usage, "langchain.client_calls": 0 }), 0);
    expect(alone).toMatchObject({ kind: "llm", model: "gpt-4o", provider: "openai", promptTokens: 1000, completionTokens: 500 });
    expect(alone.cost).toBeCloseTo(0.0075, 9);
    const carried = interpretSpan("chat gpt-4o", "p", run("chat_model", { ...usage, "langchain.client_calls": 2 }), 0);
    expect(carried).toMatchObject({ kind: "other", promptTokens: 0, completionTokens: 0, cost: 0 });
    // A garbage count is no count: the run is the call.
    expect(classifySpan("chat", "p", run("llm", { "langchain.client_calls": "many" }))).toBe("llm");
  });

  it("counts a failed tool or model run as an error, a failed chain not", () => {
    expect(interpretSpan("execute_tool t", "p", run("tool"), 2)).toMatchObject({ kind: "tool", isError: true });
    expect(interpretSpan("chat gpt-4o", "p", run("chat_model"), 2)).toMatchObject({ kind: "llm", isError: true });
    expect(interpretSpan("chain", "p", run("chain"), 2)).toMatchObject({ kind: "action", isError: false });
  });

  it("wins over the GenAI names the spans also carry, but not over agentops.span.kind", () => {
    expect(classifySpan("x", "p", run("chain", { "gen_ai.operation.name": "chat" }))).toBe("action");
    expect(classifySpan("x", "p", run("chain", { "agentops.span.kind": "tool" }))).toBe("tool");
  });
});
