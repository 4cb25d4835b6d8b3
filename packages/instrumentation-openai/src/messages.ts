/**
 * Conversion of OpenAI request and response bodies to the GenAI semantic conventions' message
 * shape: `{ role, parts: [...], finish_reason? }`. Only used when content capture is on.
 * Tool-call arguments stay the JSON text the model produced (an AnyValue the conventions allow),
 * so nothing is parsed only to be serialised again.
 */

import { field, isRecord } from "./values";

export interface TextPart {
  type: "text";
  content: string;
}
export interface ToolCallPart {
  type: "tool_call";
  id: string | undefined;
  name: string | undefined;
  arguments: unknown;
}
export interface ToolCallResponsePart {
  type: "tool_call_response";
  id: string | undefined;
  response: unknown;
}
export interface OtherPart {
  type: string;
  [key: string]: unknown;
}
export type MessagePart = TextPart | ToolCallPart | ToolCallResponsePart | OtherPart;

export interface Message {
  role: string;
  parts: MessagePart[];
  finish_reason?: string;
}

/** A tool call being assembled, from a response or from stream deltas. */
export interface ToolCallRecord {
  id: string | undefined;
  name: string | undefined;
  arguments: string;
}

function role(value: unknown): string {
  if (value === "developer") return "system";
  if (value === "function") return "tool";
  return typeof value === "string" ? value : "user";
}

function mediaPart(modality: string, url: unknown): MessagePart {
  if (typeof url === "string" && !url.startsWith("data:")) return { type: "uri", modality, uri: url };
  // inline data is not recorded, only its kind
  const mime = typeof url === "string" ? url.slice(5, url.indexOf(";") > 5 ? url.indexOf(";") : undefined) : undefined;
  return mime ? { type: "blob", modality, mime_type: mime } : { type: "blob", modality };
}

/** Parts of a message's `content`: a string, or an array of typed parts. */
export function contentParts(content: unknown, into: MessagePart[] = []): MessagePart[] {
  if (typeof content === "string") {
    into.push({ type: "text", content });
    return into;
  }
  if (!Array.isArray(content)) return into;
  for (const part of content) {
    if (!part || typeof part !== "object") continue;
    const type = part.type;
    if (typeof part.text === "string" && (type === "text" || type === "input_text" || type === "output_text")) {
      into.push({ type: "text", content: part.text });
    } else if (type === "refusal" && typeof part.refusal === "string") {
      into.push({ type: "text", content: part.refusal });
    } else if (type === "image_url") {
      into.push(mediaPart("image", part.image_url?.url));
    } else if (type === "input_image") {
      into.push(mediaPart("image", part.image_url));
    } else if (type === "input_audio") {
      into.push({ type: "blob", modality: "audio" });
    } else if (typeof type === "string") {
      into.push({ type });
    }
  }
  return into;
}

// ---------------------------------------------------------------------------------------------
// Chat completions
// ---------------------------------------------------------------------------------------------

export function chatInputMessages(messages: unknown): Message[] {
  if (!Array.isArray(messages)) return [];
  const result: Message[] = [];
  for (const message of messages) {
    if (!message || typeof message !== "object") continue;
    const messageRole = role(message.role);
    if (messageRole === "tool") {
      const response = typeof message.content === "string" ? message.content : contentParts(message.content);
      result.push({
        role: "tool",
        parts: [{ type: "tool_call_response", id: message.tool_call_id ?? message.name, response }],
      });
      continue;
    }
    const parts = contentParts(message.content);
    if (Array.isArray(message.tool_calls)) {
      for (const call of message.tool_calls) {
        parts.push({ type: "tool_call", id: call?.id, name: call?.function?.name, arguments: call?.function?.arguments });
      }
    } else if (message.function_call && typeof message.function_call === "object") {
      parts.push({
        type: "tool_call",
        id: undefined,
        name: message.function_call.name,
        arguments: message.function_call.arguments,
      });
    }
    result.push({ role: messageRole, parts });
  }
  return result;
}

export function chatOutputMessages(choices: unknown): Message[] {
  if (!Array.isArray(choices)) return [];
  const result: Message[] = [];
  for (const choice of choices) {
    const message = choice?.message;
    const parts: MessagePart[] = [];
    if (typeof message?.content === "string" && message.content.length > 0) parts.push({ type: "text", content: message.content });
    if (typeof message?.refusal === "string") parts.push({ type: "text", content: message.refusal });
    if (Array.isArray(message?.tool_calls)) {
      for (const call of message.tool_calls) {
        parts.push({ type: "tool_call", id: call?.id, name: call?.function?.name, arguments: call?.function?.arguments });
      }
    }
    result.push(outputMessage(message?.role, parts, choice?.finish_reason));
  }
  return result;
}

/** Output message built from accumulated stream deltas. */
export function streamedOutputMessage(text: string, toolCalls: ToolCallRecord[] | undefined, finishReason: unknown): Message {
  const parts: MessagePart[] = [];
  if (text.length > 0) parts.push({ type: "text", content: text });
  if (toolCalls) {
    for (const call of toolCalls) {
      if (call) parts.push({ type: "tool_call", id: call.id, name: call.name, arguments: call.arguments });
    }
  }
  return outputMessage("assistant", parts, finishReason);
}

function outputMessage(messageRole: unknown, parts: MessagePart[], finishReason: unknown): Message {
  const message: Message = { role: typeof messageRole === "string" ? messageRole : "assistant", parts };
  if (typeof finishReason === "string") message.finish_reason = finishReason;
  return message;
}

/** `gen_ai.tool.definitions`: chat tools `{ type, function: {...} }` are flattened to `{ type, name, ... }`. */
export function toolDefinitions(tools: unknown): unknown[] | undefined {
  if (!Array.isArray(tools) || tools.length === 0) return undefined;
  return tools.map((tool) =>
    tool && typeof tool === "object" && tool.function && typeof tool.function === "object"
      ? { type: tool.type ?? "function", ...tool.function }
      : tool,
  );
}

// ---------------------------------------------------------------------------------------------
// Text completions
// ---------------------------------------------------------------------------------------------

export function completionInputMessages(prompt: unknown): Message[] {
  if (typeof prompt === "string") return [{ role: "user", parts: [{ type: "text", content: prompt }] }];
  if (Array.isArray(prompt) && prompt.every((item) => typeof item === "string")) {
    return [{ role: "user", parts: prompt.map((item: string) => ({ type: "text", content: item }) as TextPart) }];
  }
  return [];
}

export function completionOutputMessages(choices: unknown): Message[] {
  if (!Array.isArray(choices)) return [];
  return choices.map((choice) =>
    outputMessage("assistant", typeof choice?.text === "string" ? [{ type: "text", content: choice.text }] : [], choice?.finish_reason),
  );
}

// ---------------------------------------------------------------------------------------------
// Responses
// ---------------------------------------------------------------------------------------------

export function responsesInputMessages(input: unknown): Message[] {
  if (typeof input === "string") return [{ role: "user", parts: [{ type: "text", content: input }] }];
  if (!Array.isArray(input)) return [];
  const result: Message[] = [];
  for (const item of input) {
    if (!item || typeof item !== "object") continue;
    if (item.type === "function_call") {
      result.push({ role: "assistant", parts: [{ type: "tool_call", id: item.call_id, name: item.name, arguments: item.arguments }] });
    } else if (item.type === "function_call_output") {
      result.push({ role: "tool", parts: [{ type: "tool_call_response", id: item.call_id, response: item.output }] });
    } else if (item.type === undefined || item.type === "message") {
      result.push({ role: role(item.role), parts: contentParts(item.content) });
    }
  }
  return result;
}

/** The finish reason of a Responses API response, in the chat vocabulary. */
export function responsesFinishReason(response: unknown): string | undefined {
  const status = field(response, "status");
  if (status === "completed") {
    const output = field(response, "output");
    if (Array.isArray(output) && output.some((item) => field(item, "type") === "function_call")) return "tool_calls";
    return "stop";
  }
  if (status === "incomplete") {
    const reason = field(field(response, "incomplete_details"), "reason");
    return reason === "max_output_tokens" ? "length" : typeof reason === "string" ? reason : "length";
  }
  if (status === "failed") return "error";
  return typeof status === "string" ? status : undefined;
}

export function responsesOutputMessages(response: unknown): Message[] {
  const output = field(response, "output");
  if (!Array.isArray(output)) return [];
  const parts: MessagePart[] = [];
  for (const item of output) {
    if (!isRecord(item)) continue;
    if (item.type === "message") contentParts(item.content, parts);
    else if (item.type === "function_call") {
      parts.push({ type: "tool_call", id: item.call_id, name: item.name, arguments: item.arguments });
    }
  }
  return [outputMessage("assistant", parts, responsesFinishReason(response))];
}
