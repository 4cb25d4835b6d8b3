import {
  ATTR_GEN_AI_TOOL_CALL_ARGUMENTS,
  ATTR_GEN_AI_TOOL_CALL_RESULT,
  ATTR_GEN_AI_TOOL_NAME,
  ATTR_MCP_SERVER_NAME,
} from "@agentops/semconv";
import { ATTR_AI_TOOL_CALL_ARGS, ATTR_AI_TOOL_CALL_NAME, ATTR_AI_TOOL_CALL_RESULT } from "./ai-sdk";
import { readString } from "./attribute-values";
import { parseJsonText } from "./messages";

/** A tool call as its span tells it: name, arguments and result (parsed when JSON), null when absent. */
export interface ToolCall {
  name: string | null;
  arguments: unknown;
  result: unknown;
  /** The MCP server that ran the tool (`mcp.server.name`), for a tool called over MCP. */
  server: string | null;
}

/**
 * The tool call a tool span records, in the GenAI conventions (`gen_ai.tool.name`,
 * `gen_ai.tool.call.arguments`, `gen_ai.tool.call.result`, and an MCP tool's `mcp.server.name`)
 * or the Vercel AI SDK's `ai.toolCall` (`ai.toolCall.name`, `.args`, `.result`).
 */
export function readToolCall(attributes: Record<string, unknown>): ToolCall {
  return {
    name: readString(attributes[ATTR_GEN_AI_TOOL_NAME]) ?? readString(attributes[ATTR_AI_TOOL_CALL_NAME]),
    arguments: present(attributes[ATTR_GEN_AI_TOOL_CALL_ARGUMENTS] ?? attributes[ATTR_AI_TOOL_CALL_ARGS]),
    result: present(attributes[ATTR_GEN_AI_TOOL_CALL_RESULT] ?? attributes[ATTR_AI_TOOL_CALL_RESULT]),
    server: readString(attributes[ATTR_MCP_SERVER_NAME]),
  };
}

function present(value: unknown): unknown {
  return value === undefined || value === null ? null : parseJsonText(value);
}
