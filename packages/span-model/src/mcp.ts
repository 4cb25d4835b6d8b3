import { ATTR_MCP_METHOD_NAME, McpMethodValues } from "@agentops/semconv";
import { readString } from "./attribute-values";
import type { EventKind } from "./kinds";

/**
 * MCP requests that fetch what an agent works with (listings, a resource, a prompt): each is a
 * step of the agent, counted as an action. A tool call is the one MCP request counted as a tool.
 */
const MCP_ACTIONS: ReadonlySet<string> = new Set([
  McpMethodValues.TOOLS_LIST,
  McpMethodValues.RESOURCES_LIST,
  McpMethodValues.RESOURCES_TEMPLATES_LIST,
  McpMethodValues.RESOURCES_READ,
  McpMethodValues.PROMPTS_LIST,
  McpMethodValues.PROMPTS_GET,
]);

/**
 * The kind of an MCP span (the GenAI conventions' MCP client spans, `mcp.method.name`), or null
 * for a span that is not one: `tools/call` → `tool`, the listings and reads above → `action`,
 * every other method (`initialize`, `ping`, notifications) → `other`, protocol plumbing.
 *
 * The server side of a request whose client propagated its trace says so with
 * `agentops.span.kind = mcp.server` and is classified before this rule (as `other`): the client's
 * span counts the call once.
 */
export function classifyMcpSpan(attributes: Record<string, unknown>): EventKind | null {
  const method = readString(attributes[ATTR_MCP_METHOD_NAME]);
  if (method === null) return null;
  if (method === McpMethodValues.TOOLS_CALL) return "tool";
  return MCP_ACTIONS.has(method) ? "action" : "other";
}
