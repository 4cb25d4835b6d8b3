// An OpenAI Agents SDK run as an agentops session: a triage agent calls a function tool, then
// hands off to a booking agent. The agents, the tool, the handoff and the model calls show up
// in the session, nested as the Agents SDK ran them.
import * as agentops from "agentops";
import { agentopsTraceProcessor } from "@agentops/openai-agents";
import { localBackend } from "example-shared";

const backend = await localBackend(); // the server and mock LLM provider of the environment, or local ones

const session = agentops.init({ tags: ["openai-agents"] }); // reads AGENTOPS_API_KEY and AGENTOPS_API_ENDPOINT
// Loaded after init(), so that the openai client the Agents SDK uses is traced too.
const { Agent, run, setDefaultOpenAIClient, setTraceProcessors, tool } = await import("@openai/agents");
const { default: OpenAI } = await import("openai");
const { z } = await import("zod");

// The one line. `setTraceProcessors` replaces the SDK's exporter to OpenAI's dashboard (there is
// no OpenAI key here); `addTraceProcessor(agentopsTraceProcessor())` would keep it beside ours.
setTraceProcessors([agentopsTraceProcessor()]);
setDefaultOpenAIClient(new OpenAI({ apiKey: "mock", baseURL: `${process.env.MOCK_PROVIDER_URL}/v1` }));

const getWeather = tool({
  name: "get_weather",
  description: "The weather in a city",
  parameters: z.object({ city: z.string() }),
  execute: async ({ city }) => `Sunny in ${city}`,
});
const booking = new Agent({ name: "Booking agent", instructions: "Book the trip.", model: "gpt-4o" });
const triage = new Agent({
  name: "Triage",
  instructions: "Check the weather, then hand off to booking.",
  model: "gpt-4o",
  tools: [getWeather],
  handoffs: [booking],
});

// The mock provider calls the tools a prompt names, in turn; a real model decides for itself.
const result = await run(triage, "Oslo next week: get_weather, then transfer_to_Booking_agent.");
console.log(`${result.lastAgent.name}: ${result.finalOutput}`);

const cost = await session.endSession("Success");
const analytics = session.getAnalytics();
console.log(
  `session ${session.id}: ${analytics.llmCalls} LLM calls, ${analytics.toolCalls} tool call, ${analytics.actions} actions (agents and handoff), cost $${cost}`,
);
await backend.close();
