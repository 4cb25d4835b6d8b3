import { GenAiOperationValues } from "@agentops/semconv";
import type { OpenAIMethod } from "./types";
import { member } from "./values";

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
  const prototype = typeof value === "function" ? member(value, "prototype") : undefined;
  return typeof member(prototype, "create") === "function" ? (prototype as object) : undefined;
}

function instancePrototype(value: unknown): object | undefined {
  if (typeof value !== "object" || value === null || typeof member(value, "create") !== "function") return undefined;
  const prototype: unknown = Object.getPrototypeOf(value);
  return typeof member(prototype, "create") === "function" ? (prototype as object) : undefined;
}

/**
 * Finds the resource classes' prototypes in what the caller hands over: the `openai` module
 * (CommonJS exports or ESM namespace), the `OpenAI` class, or a client instance.
 */
export function findPatchTargets(moduleOrClient: unknown): PatchTarget[] {
  const targets: PatchTarget[] = [];
  if (!moduleOrClient || (typeof moduleOrClient !== "object" && typeof moduleOrClient !== "function")) return targets;
  const candidate = moduleOrClient;
  const push = (prototype: object | undefined, operation: Operation) => {
    if (prototype) targets.push({ prototype, operation });
  };

  let clientClass: unknown;
  const defaultExport = member(candidate, "default");
  if (typeof member(candidate, "OpenAI") === "function") clientClass = member(candidate, "OpenAI");
  else if (typeof candidate === "function" && member(candidate, "Chat")) clientClass = candidate;
  else if (typeof defaultExport === "function" && member(defaultExport, "Chat")) clientClass = defaultExport;

  if (clientClass) {
    push(prototypeOf(member(member(clientClass, "Chat"), "Completions")), CHAT);
    push(prototypeOf(member(clientClass, "Completions")), COMPLETIONS);
    push(prototypeOf(member(clientClass, "Embeddings")), EMBEDDINGS);
    push(prototypeOf(member(clientClass, "Responses")), RESPONSES);
  } else if (typeof candidate === "object") {
    push(instancePrototype(member(member(candidate, "chat"), "completions")), CHAT);
    push(instancePrototype(member(candidate, "completions")), COMPLETIONS);
    push(instancePrototype(member(candidate, "embeddings")), EMBEDDINGS);
    push(instancePrototype(member(candidate, "responses")), RESPONSES);
  }
  return targets;
}
