/** Readers for the loosely typed values LangChain hands its callbacks. */

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** A non-empty string, else `undefined`. */
export function text(value: unknown): string | undefined {
  return typeof value === "string" && value !== "" ? value : undefined;
}

/** A non-negative finite number, else `undefined`. */
export function count(value: unknown): number | undefined {
  return typeof value === "number" && Number.isFinite(value) && value >= 0 ? value : undefined;
}

/** A finite number, else `undefined`. */
export function finite(value: unknown): number | undefined {
  return typeof value === "number" && Number.isFinite(value) ? value : undefined;
}

/**
 * Longest JSON text written to one attribute: a graph's state can hold a whole conversation at
 * every step, and a span is not the place to copy it unbounded. Longer text is cut (and then no
 * longer parses as JSON; the export shows it as text).
 */
export const MAX_JSON_LENGTH = 16_384;

/** JSON text of a value, cut at {@link MAX_JSON_LENGTH}; `undefined` when there is nothing to write. */
export function toJson(value: unknown): string | undefined {
  if (value === undefined) return undefined;
  try {
    const json = typeof value === "string" ? value : JSON.stringify(value);
    if (typeof json !== "string") return undefined;
    return json.length > MAX_JSON_LENGTH ? `${json.slice(0, MAX_JSON_LENGTH)}…` : json;
  } catch {
    return undefined;
  }
}

/** Nesting deeper than this is left out of recorded inputs and outputs (a bound on odd values). */
const MAX_DEPTH = 8;

/** LangChain message types → the roles of the GenAI conventions. */
const ROLES: Record<string, string> = { human: "user", ai: "assistant", system: "system", developer: "system", tool: "tool", function: "tool", generic: "user" };

/** The role of a LangChain message (`BaseMessage` or a chunk), `undefined` when `value` is none. */
export function messageRole(value: unknown): string | undefined {
  if (!isRecord(value) || !("content" in value)) return undefined;
  let type: unknown;
  try {
    const getType = value.getType ?? value._getType;
    type = typeof getType === "function" ? getType.call(value) : value.type;
  } catch {
    return undefined;
  }
  if (typeof type !== "string") return undefined;
  const bare = type.endsWith("_chunk") ? type.slice(0, -"_chunk".length) : type;
  return Object.hasOwn(ROLES, bare) ? ROLES[bare] : text(value.role) ?? bare;
}

/**
 * A LangChain value as plain data for an event's params or returns: messages as
 * `{ role, content, tool_calls?, tool_call_id? }` (not LangChain's serialised constructor form),
 * documents as `{ page_content, metadata }`, the rest as JSON would have it.
 */
export function plain(value: unknown, depth = 0): unknown {
  if (value === null || typeof value !== "object") return typeof value === "function" ? undefined : value;
  if (depth >= MAX_DEPTH) return "…";
  if (Array.isArray(value)) return value.map((item) => plain(item, depth + 1));
  const role = messageRole(value);
  if (role !== undefined) return plainMessage(value as Record<string, unknown>, role, depth);
  const record = value as Record<string, unknown>;
  if (typeof record.pageContent === "string") {
    return { page_content: record.pageContent, metadata: plain(record.metadata, depth + 1) };
  }
  const result: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(record)) {
    const converted = plain(item, depth + 1);
    if (converted !== undefined) result[key] = converted;
  }
  return result;
}

function plainMessage(message: Record<string, unknown>, role: string, depth: number): Record<string, unknown> {
  const result: Record<string, unknown> = { role, content: plain(message.content, depth + 1) };
  if (Array.isArray(message.tool_calls) && message.tool_calls.length > 0) result.tool_calls = plain(message.tool_calls, depth + 1);
  if (typeof message.tool_call_id === "string") result.tool_call_id = message.tool_call_id;
  if (typeof message.name === "string" && message.name !== "") result.name = message.name;
  return result;
}
