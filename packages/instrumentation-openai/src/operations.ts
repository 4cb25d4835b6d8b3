import { GenAiOperationValues } from "@agentops/semconv";
import type { OpenAIMethod } from "./types";

/** One traced client method. */
export interface Operation {
  /** Which wire format the method speaks. */
  readonly api: "chat" | "completions" | "embeddings" | "responses";
  /** `gen_ai.operation.name`. */
  readonly name: string;
  readonly method: OpenAIMethod;
}

export const CHAT: Operation = { api: "chat", name: GenAiOperationValues.CHAT, method: "chat.completions.create" };
export const COMPLETIONS: Operation = {
  api: "completions",
  name: GenAiOperationValues.TEXT_COMPLETION,
  method: "completions.create",
};
export const EMBEDDINGS: Operation = { api: "embeddings", name: GenAiOperationValues.EMBEDDINGS, method: "embeddings.create" };
export const RESPONSES: Operation = { api: "responses", name: GenAiOperationValues.CHAT, method: "responses.create" };

/** A resource prototype to patch, with the operation its `create` performs. */
export interface PatchTarget {
  prototype: object;
  operation: Operation;
}

function prototypeOf(value: unknown): object | undefined {
  return typeof value === "function" && value.prototype && typeof value.prototype.create === "function"
    ? (value.prototype as object)
    : undefined;
}

function instancePrototype(value: unknown): object | undefined {
  if (!value || typeof value !== "object" || typeof (value as any).create !== "function") return undefined;
  const prototype = Object.getPrototypeOf(value);
  return prototype && typeof prototype.create === "function" ? (prototype as object) : undefined;
}

/**
 * Finds the resource classes' prototypes in what the caller hands over: the `openai` module
 * (CommonJS exports or ESM namespace), the `OpenAI` class, or a client instance.
 */
export function findPatchTargets(moduleOrClient: unknown): PatchTarget[] {
  const targets: PatchTarget[] = [];
  if (!moduleOrClient || (typeof moduleOrClient !== "object" && typeof moduleOrClient !== "function")) return targets;
  const candidate = moduleOrClient as any;
  const push = (prototype: object | undefined, operation: Operation) => {
    if (prototype) targets.push({ prototype, operation });
  };

  let clientClass: any;
  if (typeof candidate.OpenAI === "function") clientClass = candidate.OpenAI;
  else if (typeof candidate === "function" && candidate.Chat) clientClass = candidate;
  else if (typeof candidate.default === "function" && candidate.default.Chat) clientClass = candidate.default;

  if (clientClass) {
    push(prototypeOf(clientClass.Chat?.Completions), CHAT);
    push(prototypeOf(clientClass.Completions), COMPLETIONS);
    push(prototypeOf(clientClass.Embeddings), EMBEDDINGS);
    push(prototypeOf(clientClass.Responses), RESPONSES);
  } else if (typeof candidate === "object") {
    push(instancePrototype(candidate.chat?.completions), CHAT);
    push(instancePrototype(candidate.completions), COMPLETIONS);
    push(instancePrototype(candidate.embeddings), EMBEDDINGS);
    push(instancePrototype(candidate.responses), RESPONSES);
  }
  return targets;
}
