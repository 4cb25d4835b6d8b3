// An ordinary app: it imports its LLM clients and uses them. No agentops code at all.
import Anthropic from "@anthropic-ai/sdk";
import OpenAI from "openai";

const openai = new OpenAI({ apiKey: "mock", baseURL: `${process.env.MOCK_PROVIDER_URL}/v1` });
const anthropic = new Anthropic({ apiKey: "mock", baseURL: process.env.MOCK_PROVIDER_URL });

const idea = await openai.chat.completions.create({
  model: "gpt-4o",
  messages: [{ role: "user", content: "Name a mountain" }],
});
const poem = await anthropic.messages.create({
  model: "claude-haiku-4-5",
  max_tokens: 100,
  messages: [{ role: "user", content: `Write a haiku about ${idea.choices[0].message.content}` }],
});
console.log(`app: ${poem.content[0].text}`);
