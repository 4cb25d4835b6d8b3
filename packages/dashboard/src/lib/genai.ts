/**
 * The chat of an LLM span is read by the span model (`readConversation`), as the server's export
 * reads its messages; what is here is the dashboard's own presentation.
 */
export { parseJson, readConversation } from "@agentops/span-model/messages";
export type { ChatMessage, ChatPart, Conversation } from "@agentops/span-model/messages";

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
