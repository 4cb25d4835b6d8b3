import { describeSpan, FRAMEWORK_NAMES } from "@agentops/span-model";

const agents = (type: string, extra: Record<string, unknown> = {}) => ({ "openai_agents.span_type": type, ...extra });

describe("describeSpan", () => {
  it("names the OpenAI Agents SDK's agents, handoff edges, guardrails and MCP listings", () => {
    expect(describeSpan(agents("agent", { "gen_ai.agent.name": "Triage" }))).toMatchObject({ framework: FRAMEWORK_NAMES.OPENAI_AGENTS, role: "agent", agent: "Triage" });
    expect(describeSpan(agents("handoff", { "openai_agents.handoff.from_agent": "Triage", "openai_agents.handoff.to_agent": "Billing" }))).toMatchObject({
      role: "handoff",
      handoff: { from: "Triage", to: "Billing" },
    });
    expect(describeSpan(agents("guardrail", { "openai_agents.guardrail.name": "no_pii", "openai_agents.guardrail.triggered": true }))).toMatchObject({
      role: "guardrail",
      guardrail: { name: "no_pii", triggered: true },
    });
    expect(describeSpan(agents("mcp_tools", { "openai_agents.mcp.server": "files" }))).toMatchObject({ role: "mcp", mcpServer: "files" });
    expect(describeSpan(agents("custom")).role).toBeNull();
  });

  it("names the Vercel AI SDK's operations, OpenInference's and OpenLLMetry's spans", () => {
    expect(describeSpan({ "ai.operationId": "ai.generateText" })).toMatchObject({ framework: FRAMEWORK_NAMES.AI_SDK, role: "agent" });
    expect(describeSpan({ "ai.operationId": "ai.streamText.doStream" })).toMatchObject({ role: "model" });
    expect(describeSpan({ "ai.operationId": "ai.toolCall" })).toMatchObject({ role: "tool" });
    expect(describeSpan({ "langchain.run_type": "chain", "langchain.run_id": "r1" })).toMatchObject({ framework: FRAMEWORK_NAMES.LANGCHAIN, role: "agent" });
    expect(describeSpan({ "langchain.run_type": "chain", "langchain.parent_run_id": "r1", "langchain.langgraph_node": "tools", "agentops.action.type": "graph_node" })).toMatchObject({ role: "step" });
    // A chain inside a node carries the node's name, but it is not the node.
    expect(describeSpan({ "langchain.run_type": "chain", "langchain.parent_run_id": "r2", "langchain.langgraph_node": "tools", "agentops.action.type": "chain" })).toMatchObject({ role: null });
    expect(describeSpan({ "langchain.run_type": "tool", "langchain.parent_run_id": "r1" })).toMatchObject({ role: "tool" });
    expect(describeSpan({ "mcp.method.name": "tools/call", "mcp.server.name": "weather", "gen_ai.operation.name": "execute_tool" })).toMatchObject({
      framework: FRAMEWORK_NAMES.MCP,
      role: "mcp",
      mcpServer: "weather",
    });
    expect(describeSpan({ "openinference.span.kind": "AGENT" })).toMatchObject({ framework: FRAMEWORK_NAMES.OPENINFERENCE, role: "agent" });
    expect(describeSpan({ "llm.request.type": "chat" })).toMatchObject({ framework: FRAMEWORK_NAMES.OPENLLMETRY });
    expect(describeSpan({ "traceloop.span.kind": "workflow" })).toMatchObject({ framework: FRAMEWORK_NAMES.OPENLLMETRY });
  });

  it("reads the standard GenAI agent and tool spans and the conversation id", () => {
    expect(describeSpan({ "gen_ai.operation.name": "invoke_agent", "gen_ai.agent.name": "planner", "gen_ai.conversation.id": "conv_1" })).toEqual({
      framework: FRAMEWORK_NAMES.GENAI,
      role: "agent",
      agent: "planner",
      handoff: null,
      mcpServer: null,
      guardrail: null,
      conversationId: "conv_1",
    });
    // agentops' own tool spans use the same names; they are not a framework's.
    expect(describeSpan({ "gen_ai.operation.name": "execute_tool", "agentops.event.params": "{}" })).toMatchObject({ framework: null, role: "tool" });
    expect(describeSpan({ "gen_ai.operation.name": "chat" })).toMatchObject({ framework: null, role: null });
  });

  it("never throws on odd values", () => {
    expect(describeSpan({ "openai_agents.span_type": 42, "gen_ai.agent.name": { a: 1 }, "gen_ai.conversation.id": [] })).toMatchObject({ framework: null, agent: null, conversationId: null });
  });
});
