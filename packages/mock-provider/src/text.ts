import type { MockUsage, ScriptedResponse } from "./types";

/**
 * Deterministic stand-ins for a model: the answer is derived from the prompt, token counts from
 * text length (one token per four characters, rounded up, at least one for non-empty text).
 */

const SNIPPET_LENGTH = 60;

/** Token count of a text, roughly as a BPE tokenizer would for English. */
export function countTokens(text: string): number {
  return text.length === 0 ? 0 : Math.ceil(text.length / 4);
}

function snippet(text: string): string {
  const flat = text.replace(/\s+/g, " ").trim();
  return flat.length > SNIPPET_LENGTH ? `${flat.slice(0, SNIPPET_LENGTH)}...` : flat;
}

/** The default answer to a prompt: `Mock answer to "<prompt>".` */
export function answerTo(prompt: string): string {
  return prompt ? `Mock answer to "${snippet(prompt)}".` : "Mock answer.";
}

/** The default answer after a tool result: `The tool returned <result>.` */
export function answerToToolResult(result: string): string {
  return `The tool returned ${snippet(result)}.`;
}

/** Cuts `text` to about `maxTokens` tokens; reports whether it had to. */
export function truncateToTokens(text: string, maxTokens: number | undefined): { text: string; truncated: boolean } {
  if (typeof maxTokens !== "number" || !(maxTokens >= 0) || countTokens(text) <= maxTokens) {
    return { text, truncated: false };
  }
  return { text: text.slice(0, maxTokens * 4), truncated: true };
}

/** Splits an answer into stream deltas: one per word, each keeping its leading space. */
export function splitDeltas(text: string): string[] {
  const parts = text.match(/\s*\S+/g);
  return parts ?? (text ? [text] : []);
}

/**
 * The usage to report. Without overrides: the counted input and output. A scripted
 * `cacheReadTokens` / `cacheWriteTokens` without `inputTokens` is added on top of the counted
 * input (input tokens include cached ones); a scripted `reasoningTokens` without `outputTokens`
 * is added on top of the counted output (output tokens include reasoning).
 */
export function resolveUsage(
  scripted: ScriptedResponse | undefined,
  countedInput: number,
  countedOutput: number,
): MockUsage {
  const override = scripted?.usage ?? {};
  const cacheReadTokens = override.cacheReadTokens ?? 0;
  const cacheWriteTokens = override.cacheWriteTokens ?? 0;
  const reasoningTokens = override.reasoningTokens ?? 0;
  return {
    inputTokens: override.inputTokens ?? countedInput + cacheReadTokens + cacheWriteTokens,
    outputTokens: override.outputTokens ?? countedOutput + reasoningTokens,
    cacheReadTokens,
    cacheWriteTokens,
    reasoningTokens,
  };
}

/** A deterministic unit-length vector for a text (FNV-1a seeded, then normalised). */
export function embeddingOf(text: string, dimensions: number): number[] {
  let hash = 0x811c9dc5;
  for (let index = 0; index < text.length; index += 1) {
    hash ^= text.charCodeAt(index);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  const vector = new Array<number>(dimensions);
  let norm = 0;
  for (let index = 0; index < dimensions; index += 1) {
    // xorshift32 keeps the sequence deterministic per text
    hash ^= hash << 13;
    hash >>>= 0;
    hash ^= hash >>> 17;
    hash ^= hash << 5;
    hash >>>= 0;
    const value = hash / 0xffffffff - 0.5;
    vector[index] = value;
    norm += value * value;
  }
  const scale = norm > 0 ? 1 / Math.sqrt(norm) : 0;
  for (let index = 0; index < dimensions; index += 1) vector[index] = Math.fround(vector[index]! * scale);
  return vector;
}

/** JSON-schema-driven arguments for a tool the mock decides to call on its own. */
export function argumentsForSchema(schema: any, prompt: string): Record<string, unknown> {
  const properties = schema && typeof schema === "object" ? schema.properties : undefined;
  if (!properties || typeof properties !== "object") return {};
  const required: unknown[] = Array.isArray(schema.required) ? schema.required : Object.keys(properties);
  const result: Record<string, unknown> = {};
  for (const name of required) {
    if (typeof name !== "string") continue;
    const type = properties[name]?.type;
    if (type === "number" || type === "integer") result[name] = 1;
    else if (type === "boolean") result[name] = true;
    else if (type === "array") result[name] = [];
    else if (type === "object") result[name] = {};
    else result[name] = snippet(prompt);
  }
  return result;
}
