import { SpanStatusCode, type Attributes, type Span } from "@opentelemetry/api";
import {
  ATTR_ERROR_TYPE,
  ATTR_GEN_AI_OPERATION_NAME,
  ATTR_GEN_AI_PROMPT_NAME,
  ATTR_GEN_AI_TOOL_CALL_ARGUMENTS,
  ATTR_GEN_AI_TOOL_CALL_RESULT,
  ATTR_GEN_AI_TOOL_NAME,
  ATTR_MCP_METHOD_NAME,
  ATTR_MCP_RESOURCE_URI,
  ATTR_RPC_RESPONSE_STATUS_CODE,
  GenAiOperationValues,
  McpMethodValues,
} from "@agentops/semconv";
import { isRecord, member, stringField, toJson } from "./values";

/** `error.type` of a tool call whose result says it failed (`isError: true`), as the conventions name it. */
export const TOOL_ERROR = "tool_error";

/** The low-cardinality target of a request, for span names: the tool or prompt it names. */
function targetOf(method: string, params: unknown): string | undefined {
  return method === McpMethodValues.TOOLS_CALL || method === McpMethodValues.PROMPTS_GET
    ? stringField(params, "name")
    : undefined;
}

/** `{method} {target}` (the MCP conventions' span name), `{method}` without a target. */
export function methodSpanName(method: string, params: unknown): string {
  const target = targetOf(method, params);
  return target === undefined ? method : `${method} ${target}`;
}

/**
 * A client's span name: `execute_tool {tool}` for a tool call (the GenAI conventions' tool span,
 * which the MCP conventions say an MCP tool call is), else the MCP name.
 */
export function clientSpanName(method: string, params: unknown): string {
  if (method !== McpMethodValues.TOOLS_CALL) return methodSpanName(method, params);
  const tool = stringField(params, "name");
  return tool === undefined ? GenAiOperationValues.EXECUTE_TOOL : `${GenAiOperationValues.EXECUTE_TOOL} ${tool}`;
}

/**
 * What a request says about itself, on both sides: its method, the tool (with the GenAI
 * operation), prompt or resource it names and, with `captureContent`, a tool call's arguments.
 */
export function requestAttributes(method: string, params: unknown, captureContent: boolean): Attributes {
  const attributes: Attributes = { [ATTR_MCP_METHOD_NAME]: method };
  switch (method) {
    case McpMethodValues.TOOLS_CALL: {
      attributes[ATTR_GEN_AI_OPERATION_NAME] = GenAiOperationValues.EXECUTE_TOOL;
      const tool = stringField(params, "name");
      if (tool !== undefined) attributes[ATTR_GEN_AI_TOOL_NAME] = tool;
      if (captureContent) {
        const text = toJson(member(params, "arguments") ?? {});
        if (text !== undefined) attributes[ATTR_GEN_AI_TOOL_CALL_ARGUMENTS] = text;
      }
      break;
    }
    case McpMethodValues.PROMPTS_GET: {
      const prompt = stringField(params, "name");
      if (prompt !== undefined) attributes[ATTR_GEN_AI_PROMPT_NAME] = prompt;
      break;
    }
    case McpMethodValues.RESOURCES_READ: {
      const uri = stringField(params, "uri");
      if (uri !== undefined) attributes[ATTR_MCP_RESOURCE_URI] = uri;
      break;
    }
  }
  return attributes;
}

/** The first text part of a tool result's content: what a failed tool says went wrong. */
function firstText(result: Record<string, unknown>): string | undefined {
  const content = result.content;
  if (!Array.isArray(content)) return undefined;
  for (const part of content) {
    if (member(part, "type") === "text") return stringField(part, "text");
  }
  return undefined;
}

/**
 * Records a request's result. A tool result with `isError: true` (the tool ran and failed, which
 * MCP reports as a result rather than an error) sets the span's status to ERROR with the
 * tool's message; a successful one's content (`structuredContent` when the tool gives it,
 * else `content`) is recorded with `captureContent`.
 */
export function recordResult(span: Span, method: string, result: unknown, captureContent: boolean): void {
  if (method !== McpMethodValues.TOOLS_CALL || !isRecord(result)) return;
  if (result.isError === true) {
    span.setAttribute(ATTR_ERROR_TYPE, TOOL_ERROR);
    span.setStatus({ code: SpanStatusCode.ERROR, message: firstText(result) ?? TOOL_ERROR });
    return;
  }
  if (!captureContent) return;
  const text = toJson(result.structuredContent ?? result.content);
  if (text !== undefined) span.setAttribute(ATTR_GEN_AI_TOOL_CALL_RESULT, text);
}

/**
 * Records a request that failed: a JSON-RPC error from the peer (the SDK's `McpError`, with its
 * numeric `code`) as that code, anything else (a timeout, a closed connection, a handler that
 * threw) by its class name.
 */
export function recordError(span: Span, error: unknown): void {
  const code = member(error, "code");
  const numeric = typeof code === "number" && Number.isInteger(code);
  if (numeric) span.setAttribute(ATTR_RPC_RESPONSE_STATUS_CODE, String(code));
  const name = stringField(error, "name") ?? stringField(member(error, "constructor"), "name");
  span.setAttribute(ATTR_ERROR_TYPE, numeric ? String(code) : (name ?? "Error"));
  if (error instanceof Error) span.recordException(error);
  const message = error instanceof Error ? error.message : String(error);
  span.setStatus({ code: SpanStatusCode.ERROR, message });
}
