import {
  ATTR_GEN_AI_INPUT_MESSAGES,
  ATTR_GEN_AI_OUTPUT_MESSAGES,
  ATTR_GEN_AI_SYSTEM_INSTRUCTIONS,
  ATTR_LEGACY_GEN_AI_COMPLETION,
  ATTR_LEGACY_GEN_AI_PROMPT,
} from "@agentops/semconv";

/** A part of a chat message, as the GenAI conventions define them (unknown types kept as data). */
export type ChatPart =
  | { type: "text"; content: string }
  | { type: "tool_call"; id: string | null; name: string; arguments: unknown }
  | { type: "tool_call_response"; id: string | null; response: unknown }
  | { type: "other"; data: unknown };

export interface ChatMessage {
  role: string;
  parts: ChatPart[];
  /** Output messages carry why the model stopped. */
  finishReason?: string;
}

export interface Conversation {
  /** System instructions and the input messages, in order. */
  input: ChatMessage[];
  /** The model's answer(s). */
  output: ChatMessage[];
}

/**
 * The chat of an LLM span: `gen_ai.system_instructions` + `gen_ai.input.messages` +
 * `gen_ai.output.messages` (JSON strings or arrays), falling back to the legacy `gen_ai.prompt` /
 * `gen_ai.completion` (JSON, plain text, or indexed `gen_ai.prompt.0.role` attributes).
 */
export function readConversation(attributes: Record<string, unknown>): Conversation {
  const input: ChatMessage[] = [];
  const system = parseJson(attributes[ATTR_GEN_AI_SYSTEM_INSTRUCTIONS]);
  if (system !== undefined) {
    const parts = Array.isArray(system) ? system.map(readPart) : [readPart(system)];
    if (parts.length > 0) input.push({ role: "system", parts });
  }
  const messages = readMessages(attributes[ATTR_GEN_AI_INPUT_MESSAGES]);
  input.push(...(messages ?? readLegacy(attributes, ATTR_LEGACY_GEN_AI_PROMPT, "user")));
  const output =
    readMessages(attributes[ATTR_GEN_AI_OUTPUT_MESSAGES]) ??
    readLegacy(attributes, ATTR_LEGACY_GEN_AI_COMPLETION, "assistant");
  return { input, output };
}

function readMessages(value: unknown): ChatMessage[] | undefined {
  const parsed = parseJson(value);
  if (parsed === undefined) return undefined;
  if (typeof parsed === "string") return [{ role: "user", parts: [{ type: "text", content: parsed }] }];
  const list = Array.isArray(parsed) ? parsed : [parsed];
  return list.map((item) => readMessage(item, "user"));
}

function readMessage(item: unknown, defaultRole: string): ChatMessage {
  if (typeof item === "string") return { role: defaultRole, parts: [{ type: "text", content: item }] };
  if (!item || typeof item !== "object") return { role: defaultRole, parts: [{ type: "other", data: item }] };
  const message = item as Record<string, unknown>;
  const role = typeof message.role === "string" ? message.role : defaultRole;
  const finishReason = typeof message.finish_reason === "string" ? message.finish_reason : undefined;
  const parts: ChatPart[] = [];
  if (Array.isArray(message.parts)) parts.push(...message.parts.map(readPart));
  else if (typeof message.content === "string") parts.push({ type: "text", content: message.content });
  else if (Array.isArray(message.content)) parts.push(...message.content.map(readPart));
  else if (message.content !== undefined && message.content !== null) parts.push({ type: "other", data: message.content });
  // Chat-completions style tool calls beside the content.
  if (Array.isArray(message.tool_calls)) {
    for (const call of message.tool_calls as Array<Record<string, unknown>>) {
      const fn = (call?.function ?? {}) as Record<string, unknown>;
      parts.push({
        type: "tool_call",
        id: typeof call?.id === "string" ? call.id : null,
        name: String(fn.name ?? call?.name ?? "tool"),
        arguments: parseJson(fn.arguments ?? call?.arguments) ?? null,
      });
    }
  }
  if (role === "tool" && typeof message.tool_call_id === "string" && parts.length === 1 && parts[0]!.type === "text") {
    parts[0] = { type: "tool_call_response", id: message.tool_call_id, response: parts[0]!.content };
  }
  return finishReason ? { role, parts, finishReason } : { role, parts };
}

function readPart(item: unknown): ChatPart {
  if (typeof item === "string") return { type: "text", content: item };
  if (!item || typeof item !== "object") return { type: "other", data: item };
  const part = item as Record<string, unknown>;
  switch (part.type) {
    case "text":
    case "reasoning":
      if (typeof part.content === "string") return { type: "text", content: part.content };
      if (typeof part.text === "string") return { type: "text", content: part.text };
      break;
    case "tool_call":
    case "tool_use":
      return {
        type: "tool_call",
        id: typeof part.id === "string" ? part.id : null,
        name: String(part.name ?? "tool"),
        arguments: parseJson(part.arguments ?? part.input) ?? null,
      };
    case "tool_call_response":
    case "tool_result":
      return {
        type: "tool_call_response",
        id: typeof part.id === "string" ? part.id : typeof part.tool_use_id === "string" ? part.tool_use_id : null,
        response: part.response ?? part.content ?? null,
      };
  }
  return { type: "other", data: item };
}

function readLegacy(attributes: Record<string, unknown>, prefix: string, defaultRole: string): ChatMessage[] {
  const whole = attributes[prefix];
  if (whole !== undefined) {
    const parsed = parseJson(whole);
    if (typeof parsed === "string") return [{ role: defaultRole, parts: [{ type: "text", content: parsed }] }];
    const list = Array.isArray(parsed) ? parsed : [parsed];
    return list.map((item) => readMessage(item, defaultRole));
  }
  // Indexed attributes: gen_ai.prompt.0.role, gen_ai.prompt.0.content, …
  const messages: ChatMessage[] = [];
  for (let i = 0; i < 1000; i++) {
    const role = attributes[`${prefix}.${i}.role`];
    const content = attributes[`${prefix}.${i}.content`];
    if (role === undefined && content === undefined) break;
    messages.push({
      role: typeof role === "string" ? role : defaultRole,
      parts: [typeof content === "string" ? { type: "text", content } : { type: "other", data: content }],
    });
  }
  return messages;
}

/** A JSON string → its value; other strings stay strings; non-strings pass through. */
export function parseJson(value: unknown): unknown {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== "string") return value;
  const text = value.trim();
  if (text === "") return undefined;
  if (text[0] === "{" || text[0] === "[" || text[0] === '"') {
    try {
      return JSON.parse(text) as unknown;
    } catch {
      return value;
    }
  }
  return value;
}

/** Pretty text for any value: strings as they are, everything else as indented JSON. */
export function prettyValue(value: unknown): string {
  if (typeof value === "string") return value;
  if (value === undefined) return "";
  try {
    return JSON.stringify(value, null, 2) ?? String(value);
  } catch {
    return String(value);
  }
}
