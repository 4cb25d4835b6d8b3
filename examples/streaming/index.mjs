// Streamed answers: each stream is one LLM event, with the usage the provider reports at its end.
import { createRequire } from "node:module";
import * as agentops from "agentops";
import { localBackend } from "example-shared";

const backend = await localBackend(); // the server and mock LLM provider of the environment, or local ones
const session = agentops.init({ tags: ["streaming"] });
const require = createRequire(import.meta.url); // clients loaded after init() are traced
const { OpenAI } = require("openai");
const { Anthropic } = require("@anthropic-ai/sdk");
const openai = new OpenAI({ apiKey: "mock", baseURL: `${process.env.MOCK_PROVIDER_URL}/v1` });
const anthropic = new Anthropic({ apiKey: "mock", baseURL: process.env.MOCK_PROVIDER_URL });

// OpenAI sends token usage in a last chunk only when asked (stream_options.include_usage).
process.stdout.write("openai:    ");
const stream = await openai.chat.completions.create({
  model: "gpt-4o",
  messages: [{ role: "user", content: "Tell me a short story about a lighthouse" }],
  stream: true,
  stream_options: { include_usage: true },
});
for await (const chunk of stream) process.stdout.write(chunk.choices[0]?.delta?.content ?? "");

// Anthropic's helper: text events as they arrive, then the final message with its usage.
process.stdout.write("\nanthropic: ");
const story = anthropic.messages.stream({
  model: "claude-haiku-4-5",
  max_tokens: 300,
  messages: [{ role: "user", content: "Tell me a short story about a harbour" }],
});
story.on("text", (text) => process.stdout.write(text));
const final = await story.finalMessage();

// A stream left early still ends its span (with what was read so far).
const early = await openai.chat.completions.create({
  model: "gpt-4o-mini",
  messages: [{ role: "user", content: "Count to one hundred" }],
  stream: true,
});
for await (const _chunk of early) break;

const cost = await session.endSession("Success");
console.log(
  `\n\nsession ${session.id}: ${final.usage.output_tokens} output tokens from anthropic, cost $${cost}`,
);
console.log(session.getAnalytics());
await backend.close();
