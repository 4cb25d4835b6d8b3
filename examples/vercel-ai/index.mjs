// A Vercel AI SDK agent with its telemetry on: every model call becomes an LLM event, every tool
// execution a tool event, and each generateText / streamText an agent run grouping them.
import * as agentops from "agentops";
import { createOpenAI } from "@ai-sdk/openai";
import { generateText, stepCountIs, streamText, tool } from "ai";
import { z } from "zod";
import { localBackend } from "example-shared";

const backend = await localBackend(); // the server and mock LLM provider of the environment, or local ones
const session = agentops.init({ tags: ["vercel-ai"] });
const openai = createOpenAI({ apiKey: "mock", baseURL: `${process.env.MOCK_PROVIDER_URL}/v1` });
const telemetry = { isEnabled: true, functionId: "weather-agent" };

const getWeather = tool({
  description: "The weather in a city",
  inputSchema: z.object({ city: z.string() }),
  execute: async ({ city }) => ({ city, temperature: 21, sky: "clear" }),
});

// Called at the top level: the AI SDK's spans start under the session init() began.
// Two steps: the model asks for get_weather, then answers with its result.
const answer = await generateText({
  model: openai("gpt-4o-mini"),
  prompt: "Use get_weather for Lisbon",
  tools: { get_weather: getWeather },
  stopWhen: stepCountIs(3),
  experimental_telemetry: telemetry,
});
console.log(`agent:  ${answer.text} (${answer.steps.length} steps, ${answer.totalUsage.totalTokens} tokens)`);

const stream = streamText({ model: openai.chat("gpt-4o-mini"), prompt: "Say goodbye", experimental_telemetry: telemetry });
process.stdout.write("stream: ");
for await (const delta of stream.textStream) process.stdout.write(delta);
process.stdout.write("\n");

const cost = await session.endSession("Success");
console.log(`\nsession ${session.id}: cost $${cost}`);
console.log(session.getAnalytics());
await backend.close();
