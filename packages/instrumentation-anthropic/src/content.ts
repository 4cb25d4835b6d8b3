/**
 * Anthropic messages and content blocks → the GenAI semantic conventions' message shape:
 * `{ role, parts: [{ type: "text", content } | { type: "tool_call", id, name, arguments } |
 * { type: "tool_call_response", id, response } | …], finish_reason? }`, serialised as JSON.
 * Only called when content capture is on.
 */

type Part = Record<string, unknown>;

interface Message {
  role: string;
  parts: Part[];
  finish_reason?: string;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null;
}

/** A tool result's content: its text when it is only text blocks, else its blocks as parts. */
function toolResponse(content: unknown): unknown {
  if (!Array.isArray(content)) return content ?? "";
  let text = "";
  for (const block of content) {
    if (!isObject(block) || block.type !== "text") return content.map(toPart);
    text += block.text;
  }
  return text;
}

/** One content block as a part. Binary sources are described, not copied. */
export function toPart(block: unknown): Part {
  if (typeof block === "string") return { type: "text", content: block };
  if (!isObject(block)) return { type: "unknown" };
  switch (block.type) {
    case "text":
      return { type: "text", content: block.text };
    case "tool_use":
    case "server_tool_use":
    case "mcp_tool_use":
      return { type: "tool_call", id: block.id, name: block.name, arguments: block.input };
    case "tool_result":
    case "mcp_tool_result":
      return {
        type: "tool_call_response",
        id: block.tool_use_id,
        response: toolResponse(block.content),
      };
    case "thinking":
      return { type: "reasoning", content: block.thinking };
    case "redacted_thinking":
      return { type: "reasoning" };
    case "image":
    case "document": {
      const source = block.source;
      if (isObject(source) && source.type === "url")
        return { type: "uri", modality: block.type, uri: source.url };
      return {
        type: "blob",
        modality: block.type,
        mime_type: isObject(source) ? source.media_type : undefined,
      };
    }
    default:
      if (typeof block.type === "string" && block.type.endsWith("_tool_result")) {
        return { type: "tool_call_response", id: block.tool_use_id, response: block.content };
      }
      return { type: typeof block.type === "string" ? block.type : "unknown" };
  }
}

function toParts(content: unknown): Part[] {
  if (typeof content === "string") return [{ type: "text", content }];
  if (!Array.isArray(content)) return [];
  const parts = new Array<Part>(content.length);
  for (let index = 0; index < content.length; index += 1) parts[index] = toPart(content[index]);
  return parts;
}

/** `gen_ai.input.messages` from the request's `messages`. */
export function inputMessagesJson(messages: unknown): string | undefined {
  if (!Array.isArray(messages)) return undefined;
  const result: Message[] = [];
  for (const message of messages) {
    if (!isObject(message)) continue;
    result.push({
      role: typeof message.role === "string" ? message.role : "user",
      parts: toParts(message.content),
    });
  }
  return JSON.stringify(result);
}

/** `gen_ai.system_instructions` from the request's `system` (a string or text blocks). */
export function systemInstructionsJson(system: unknown): string | undefined {
  if (system === undefined || system === null) return undefined;
  const parts = toParts(system);
  return parts.length > 0 ? JSON.stringify(parts) : undefined;
}

/** `gen_ai.tool.definitions` from the request's `tools`. */
export function toolDefinitionsJson(tools: unknown): string | undefined {
  if (!Array.isArray(tools) || tools.length === 0) return undefined;
  const result: Record<string, unknown>[] = [];
  for (const tool of tools) {
    if (!isObject(tool)) continue;
    if (tool.input_schema !== undefined || tool.type === undefined || tool.type === "custom") {
      result.push({
        type: "function",
        name: tool.name,
        description: tool.description,
        parameters: tool.input_schema,
      });
    } else {
      result.push({ type: tool.type, name: tool.name });
    }
  }
  return JSON.stringify(result);
}

/** `gen_ai.output.messages`: the assistant's content blocks and its stop reason. */
export function outputMessagesJson(content: unknown, finishReason: string | undefined): string {
  const message: Message = { role: "assistant", parts: toParts(content) };
  if (finishReason) message.finish_reason = finishReason;
  return JSON.stringify([message]);
}
