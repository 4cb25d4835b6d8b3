import { isRecord, messageRole, text } from "./values";

/** A message part in the GenAI conventions (what `@agentops/span-model` reads back). */
type Part = Record<string, unknown> & { type: string };

/** A message in the GenAI conventions' `gen_ai.input.messages` / `gen_ai.output.messages` form. */
export interface GenAiMessage {
  role: string;
  parts: Part[];
  finish_reason?: string;
}

/** A LangChain message (`BaseMessage`) → a GenAI message; `undefined` when `value` is not one. */
export function toGenAiMessage(value: unknown, finishReason?: string): GenAiMessage | undefined {
  const role = messageRole(value);
  if (role === undefined || !isRecord(value)) return undefined;
  const parts: Part[] = role === "tool"
    ? [{ type: "tool_call_response", id: text(value.tool_call_id) ?? null, response: contentText(value.content) }]
    : contentParts(value.content);
  if (Array.isArray(value.tool_calls)) {
    for (const call of value.tool_calls) {
      if (!isRecord(call)) continue;
      parts.push({ type: "tool_call", id: text(call.id) ?? null, name: text(call.name) ?? "", arguments: call.args ?? null });
    }
  }
  return { role, parts, ...(finishReason ? { finish_reason: finishReason } : {}) };
}

/** A prompt string (of a text-completion model) as a user message. */
export function promptMessage(prompt: string): GenAiMessage {
  return { role: "user", parts: [{ type: "text", content: prompt }] };
}

/** Message content: a string, or a list of content blocks (text blocks become text parts). */
function contentParts(content: unknown): Part[] {
  if (typeof content === "string") return content === "" ? [] : [{ type: "text", content }];
  if (!Array.isArray(content)) return [];
  const parts: Part[] = [];
  for (const block of content) {
    if (typeof block === "string") parts.push({ type: "text", content: block });
    else if (isRecord(block) && block.type === "text" && typeof block.text === "string") parts.push({ type: "text", content: block.text });
    else if (isRecord(block)) parts.push({ ...block, type: text(block.type) ?? "other" });
  }
  return parts;
}

function contentText(content: unknown): unknown {
  if (typeof content === "string" || !Array.isArray(content)) return content;
  return content.map((block) => (isRecord(block) && typeof block.text === "string" ? block.text : block)).join("");
}
