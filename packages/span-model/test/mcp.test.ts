import {
  ATTR_AGENTOPS_SPAN_KIND,
  ATTR_GEN_AI_OPERATION_NAME,
  ATTR_GEN_AI_TOOL_CALL_ARGUMENTS,
  ATTR_GEN_AI_TOOL_CALL_RESULT,
  ATTR_GEN_AI_TOOL_NAME,
  ATTR_MCP_METHOD_NAME,
  ATTR_MCP_RESOURCE_URI,
  ATTR_MCP_SERVER_NAME,
  McpMethodValues,
  SpanKindValues,
} from "@agentops/semconv";
import { countsAsAction, interpretSpan, readToolCall } from "@agentops/span-model";

const PARENT = "a1b2c3d4e5f60718";
const ERROR = 2;

/** A client's `tools/call` span, in the GenAI conventions' MCP names. */
const toolCall = {
  [ATTR_GEN_AI_OPERATION_NAME]: "execute_tool",
  [ATTR_GEN_AI_TOOL_NAME]: "get_weather",
  [ATTR_MCP_METHOD_NAME]: McpMethodValues.TOOLS_CALL,
  [ATTR_MCP_SERVER_NAME]: "weather",
  [ATTR_GEN_AI_TOOL_CALL_ARGUMENTS]: '{"city":"Oslo"}',
  [ATTR_GEN_AI_TOOL_CALL_RESULT]: '[{"type":"text","text":"Sunny"}]',
};

describe("MCP spans", () => {
  it("counts a client's tool call as a tool call, failed ones as errors too", () => {
    expect(interpretSpan("execute_tool get_weather", PARENT, toolCall, 0)).toMatchObject({ kind: "tool", isError: false, cost: 0 });
    expect(interpretSpan("execute_tool get_weather", PARENT, toolCall, ERROR)).toMatchObject({ kind: "tool", isError: true });
    // An instrumentation that writes only the MCP method is read the same way.
    expect(interpretSpan("tools/call get_weather", PARENT, { [ATTR_MCP_METHOD_NAME]: "tools/call" }, 0).kind).toBe("tool");
  });

  it("reads the tool, its server, arguments and result", () => {
    expect(readToolCall(toolCall)).toEqual({ name: "get_weather", server: "weather", arguments: { city: "Oslo" }, result: [{ type: "text", text: "Sunny" }] });
    expect(readToolCall({ [ATTR_GEN_AI_TOOL_NAME]: "search" }).server).toBeNull();
  });

  it("counts listings, resource reads and prompt fetches as actions, never as errors", () => {
    for (const method of ["tools/list", "resources/list", "resources/templates/list", "resources/read", "prompts/list", "prompts/get"]) {
      const meaning = interpretSpan(method, PARENT, { [ATTR_MCP_METHOD_NAME]: method, [ATTR_MCP_RESOURCE_URI]: "file:///a" }, ERROR);
      expect([method, meaning.kind, countsAsAction(meaning.kind), meaning.isError]).toEqual([method, "action", true, false]);
    }
  });

  it("leaves protocol plumbing uncounted", () => {
    for (const method of ["initialize", "ping", "notifications/initialized", "logging/setLevel", "constructor"]) {
      expect(interpretSpan(method, PARENT, { [ATTR_MCP_METHOD_NAME]: method }, 0).kind).toBe("other");
    }
  });

  it("does not count the server side of a call its client traced: one call, one tool call", () => {
    const server = { ...toolCall, [ATTR_AGENTOPS_SPAN_KIND]: SpanKindValues.MCP_SERVER };
    const failed = interpretSpan("tools/call get_weather", PARENT, server, ERROR);
    expect(failed).toMatchObject({ kind: "other", isError: false });
    const read = { [ATTR_MCP_METHOD_NAME]: "resources/read", [ATTR_AGENTOPS_SPAN_KIND]: SpanKindValues.MCP_SERVER };
    expect(interpretSpan("resources/read", PARENT, read, 0).kind).toBe("other");

    const spans = [
      interpretSpan("execute_tool get_weather", null, toolCall, 0),
      interpretSpan("tools/call get_weather", PARENT, server, 0),
    ];
    expect(spans.filter((meaning) => meaning.kind === "tool")).toHaveLength(1);
  });

  it("counts the server's span when no client span was propagated (its only record)", () => {
    expect(interpretSpan("tools/call get_weather", null, toolCall, 0).kind).toBe("tool");
  });
});
