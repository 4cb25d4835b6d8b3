import {
  ATTR_GEN_AI_INPUT_MESSAGES,
  ATTR_GEN_AI_OUTPUT_MESSAGES,
  ATTR_GEN_AI_SYSTEM_INSTRUCTIONS,
  ATTR_LEGACY_GEN_AI_COMPLETION,
  ATTR_LEGACY_GEN_AI_PROMPT,
  ATTR_OPENINFERENCE_INPUT_MESSAGES,
  ATTR_OPENINFERENCE_OUTPUT_MESSAGES,
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
 * Where each direction's messages are found, in order of preference. `aiSdk`: the Vercel AI SDK's
 * own names (`ai.prompt.messages` on a provider call, `ai.prompt` on the operation around it; the
 * answer's text, object or tool calls).
 */
const SOURCES = {
  input: {
    current: ATTR_GEN_AI_INPUT_MESSAGES,
    legacy: ATTR_LEGACY_GEN_AI_PROMPT,
    openInference: ATTR_OPENINFERENCE_INPUT_MESSAGES,
    aiSdk: ["ai.prompt.messages", "ai.prompt"],
  },
  output: {
    current: ATTR_GEN_AI_OUTPUT_MESSAGES,
    legacy: ATTR_LEGACY_GEN_AI_COMPLETION,
    openInference: ATTR_OPENINFERENCE_OUTPUT_MESSAGES,
    aiSdk: ["ai.response.text", "ai.response.object", "ai.response.toolCalls"],
  },
} as const;

/** Indexed messages past this index are ignored (a bound on hostile input). */
const MAX_INDEX = 10_000;

/**
 * The messages of an LLM span as they were sent, for the export's `prompt` / `completion`: the
 * current `gen_ai.input.messages` / `gen_ai.output.messages` (JSON), else the legacy
 * `gen_ai.prompt` / `gen_ai.completion` (JSON or text), else their indexed form
 * (`gen_ai.prompt.<n>.<field>`), else OpenInference's (`llm.input_messages.<n>.message.<field>`),
 * else the Vercel AI SDK's (`ai.prompt.messages`, `ai.response.text`, …); null when the span has
 * none (content capture off).
 */
export function readRawMessages(attributes: Record<string, unknown>, direction: "input" | "output"): unknown {
  const source = SOURCES[direction];
  const value = attributes[source.current] ?? attributes[source.legacy];
  if (value !== undefined && value !== null) return parseJsonText(value);
  const fromIndexes = indexed(attributes, source.legacy, "") ?? indexed(attributes, source.openInference, "message.");
  if (fromIndexes !== null) return fromIndexes;
  for (const name of source.aiSdk) {
    const aiSdkValue = attributes[name];
    if (aiSdkValue !== undefined && aiSdkValue !== null && aiSdkValue !== "") return parseJsonText(aiSdkValue);
  }
  return null;
}

/** `prefix.<n>.<field>` attributes → `[{ field: value }, …]` (`strip` removed from field names). */
function indexed(attributes: Record<string, unknown>, prefix: string, strip: string): Array<Record<string, unknown>> | null {
  const start = `${prefix}.`;
  const messages: Array<Record<string, unknown>> = [];
  for (const key in attributes) {
    if (!key.startsWith(start)) continue;
    const rest = key.slice(start.length);
    const dot = rest.indexOf(".");
    if (dot === -1) continue;
    const index = Number(rest.slice(0, dot));
    if (!Number.isInteger(index) || index < 0 || index > MAX_INDEX) continue;
    let field = rest.slice(dot + 1);
    if (strip !== "" && field.startsWith(strip)) field = field.slice(strip.length);
    (messages[index] ??= {})[field] = attributes[key];
  }
  return messages.length === 0 ? null : messages.filter((message) => message !== undefined);
}

/**
 * The chat of an LLM span, normalised for display: system instructions, then the input messages,
 * and the output messages (every source {@link readRawMessages} reads), each as role + parts.
 */
export function readConversation(attributes: Record<string, unknown>): Conversation {
  const input: ChatMessage[] = [];
  const system = parseJson(attributes[ATTR_GEN_AI_SYSTEM_INSTRUCTIONS]);
  if (system !== undefined) {
    const parts = Array.isArray(system) ? system.map(readPart) : [readPart(system)];
    if (parts.length > 0) input.push({ role: "system", parts });
  }
  input.push(...toMessages(readRawMessages(attributes, "input"), "user"));
  return { input, output: toMessages(readRawMessages(attributes, "output"), "assistant") };
}

function toMessages(raw: unknown, defaultRole: string): ChatMessage[] {
  if (raw === null || raw === undefined || raw === "") return [];
  if (typeof raw === "string") return [{ role: defaultRole, parts: [{ type: "text", content: raw }] }];
  const list = Array.isArray(raw) ? raw : [raw];
  return list.map((item) => readMessage(item, defaultRole));
}

function readMessage(item: unknown, defaultRole: string): ChatMessage {
  if (typeof item === "string") return { role: defaultRole, parts: [{ type: "text", content: item }] };
  if (!isRecord(item)) return { role: defaultRole, parts: [{ type: "other", data: item }] };
  const role = typeof item.role === "string" ? item.role : defaultRole;
  const finishReason = typeof item.finish_reason === "string" ? item.finish_reason : undefined;
  const parts: ChatPart[] = [];
  const content = parseJson(item.content);
  if (Array.isArray(item.parts)) parts.push(...item.parts.map(readPart));
  else if (typeof content === "string") parts.push({ type: "text", content });
  else if (Array.isArray(content)) parts.push(...content.map(readPart));
  else if (content !== undefined) parts.push({ type: "other", data: content });
  // Chat-completions style tool calls beside the content.
  if (Array.isArray(item.tool_calls)) {
    for (const call of item.tool_calls) {
      const record = isRecord(call) ? call : {};
      const fn = isRecord(record.function) ? record.function : {};
      parts.push({
        type: "tool_call",
        id: typeof record.id === "string" ? record.id : null,
        name: String(fn.name ?? record.name ?? "tool"),
        arguments: parseJson(fn.arguments ?? record.arguments) ?? null,
      });
    }
  }
  const only = parts.length === 1 ? parts[0] : undefined;
  if (role === "tool" && typeof item.tool_call_id === "string" && only?.type === "text") {
    parts[0] = { type: "tool_call_response", id: item.tool_call_id, response: only.content };
  }
  return finishReason ? { role, parts, finishReason } : { role, parts };
}

function readPart(item: unknown): ChatPart {
  if (typeof item === "string") return { type: "text", content: item };
  if (!isRecord(item)) return { type: "other", data: item };
  switch (item.type) {
    case "text":
    case "reasoning":
      if (typeof item.content === "string") return { type: "text", content: item.content };
      if (typeof item.text === "string") return { type: "text", content: item.text };
      break;
    case "tool_call":
    case "tool_use":
    case "tool-call": // the Vercel AI SDK's
      return {
        type: "tool_call",
        id: firstText(item.id, item.toolCallId),
        name: String(item.name ?? item.toolName ?? "tool"),
        arguments: parseJson(item.arguments ?? item.input ?? item.args) ?? null,
      };
    case "tool_call_response":
    case "tool_result":
    case "tool-result":
      return {
        type: "tool_call_response",
        id: firstText(item.id, item.tool_use_id, item.toolCallId),
        response: item.response ?? item.content ?? item.output ?? item.result ?? null,
      };
  }
  return { type: "other", data: item };
}

/**
 * Attributes carry structured values as JSON text: a string that starts like JSON (`{`, `[`, `"`)
 * and parses → its value; any other value as it is.
 */
export function parseJsonText(value: unknown): unknown {
  if (typeof value !== "string") return value;
  const first = value.trimStart()[0];
  if (first !== "{" && first !== "[" && first !== '"') return value;
  try {
    return JSON.parse(value) as unknown;
  } catch {
    return value;
  }
}

/** {@link parseJsonText}, with absent values (undefined, null, blank text) as `undefined`. */
export function parseJson(value: unknown): unknown {
  if (value === undefined || value === null) return undefined;
  if (typeof value === "string" && value.trim() === "") return undefined;
  return parseJsonText(value);
}

function firstText(...values: unknown[]): string | null {
  for (const value of values) if (typeof value === "string") return value;
  return null;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
