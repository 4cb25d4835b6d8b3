import type OpenAI from "openai";

type ChatCompletions = OpenAI["chat"]["completions"];

/**
 * Where the client keeps the chat helpers `parse()` and `stream()`: `chat.completions` from
 * openai 5 on, `beta.chat.completions` in openai 4 (the version matrix runs these tests on both).
 */
export function chatHelpers(client: OpenAI): ChatCompletions {
  if (typeof client.chat.completions.parse === "function") return client.chat.completions;
  const beta = (client as unknown as { beta?: { chat?: { completions?: ChatCompletions } } }).beta;
  const completions = beta?.chat?.completions;
  if (completions === undefined) throw new Error("this openai has no chat parse()/stream() helpers");
  return completions;
}
