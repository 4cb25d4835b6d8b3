import { field, isRecord } from "./values";
import type { Attributes, Span } from "@opentelemetry/api";
import {
  ATTR_GEN_AI_INPUT_MESSAGES,
  ATTR_GEN_AI_OUTPUT_MESSAGES,
  ATTR_GEN_AI_SYSTEM_INSTRUCTIONS,
  ATTR_GEN_AI_TOOL_DEFINITIONS,
} from "@agentops/semconv";
import {
  chatInputMessages,
  chatOutputMessages,
  completionInputMessages,
  completionOutputMessages,
  type Message,
  responsesInputMessages,
  responsesOutputMessages,
  toolDefinitions,
} from "./messages";
import type { Operation } from "./operations";

/** Adds the request's messages, instructions and tool definitions (as JSON) to the start attributes. */
export function addInputContent(attributes: Attributes, operation: Operation, request: unknown): void {
  if (!isRecord(request)) return;
  let messages: Message[] | undefined;
  let tools: unknown[] | undefined;
  switch (operation.api) {
    case "chat":
      messages = chatInputMessages(request.messages);
      tools = toolDefinitions(request.tools);
      break;
    case "completions":
      messages = completionInputMessages(request.prompt);
      break;
    case "responses":
      messages = responsesInputMessages(request.input);
      tools = toolDefinitions(request.tools);
      if (typeof request.instructions === "string") {
        attributes[ATTR_GEN_AI_SYSTEM_INSTRUCTIONS] = JSON.stringify([{ type: "text", content: request.instructions }]);
      }
      break;
    default:
      return;
  }
  if (messages.length > 0) attributes[ATTR_GEN_AI_INPUT_MESSAGES] = JSON.stringify(messages);
  if (tools) attributes[ATTR_GEN_AI_TOOL_DEFINITIONS] = JSON.stringify(tools);
}

/** Sets `gen_ai.output.messages` from a complete response body. */
export function setOutputContent(span: Span, operation: Operation, body: unknown): void {
  let messages: Message[];
  switch (operation.api) {
    case "chat":
      messages = chatOutputMessages(field(body, "choices"));
      break;
    case "completions":
      messages = completionOutputMessages(field(body, "choices"));
      break;
    case "responses":
      messages = responsesOutputMessages(body);
      break;
    default:
      return;
  }
  setOutputMessages(span, messages);
}

export function setOutputMessages(span: Span, messages: Message[]): void {
  if (messages.length > 0) span.setAttribute(ATTR_GEN_AI_OUTPUT_MESSAGES, JSON.stringify(messages));
}
