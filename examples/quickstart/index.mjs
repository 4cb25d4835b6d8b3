// Quickstart: one session, an LLM call traced without code, an action, the cost.
import { createRequire } from "node:module";
import * as agentops from "agentops";
import { localBackend } from "example-shared";

const backend = await localBackend(); // the server and mock LLM provider of the environment, or local ones

const session = agentops.init({ tags: ["quickstart"] }); // reads AGENTOPS_API_KEY and AGENTOPS_API_ENDPOINT
const { OpenAI } = createRequire(import.meta.url)("openai"); // loaded after init(): its calls are traced
const openai = new OpenAI({ apiKey: "mock", baseURL: `${process.env.MOCK_PROVIDER_URL}/v1` });

const reply = await openai.chat.completions.create({
  model: "gpt-4o",
  messages: [{ role: "user", content: "Say hello" }],
});
session.record(
  new agentops.ActionEvent({ actionType: "greet", returns: reply.choices[0].message.content }),
);

const cost = await session.endSession("Success");
console.log(`session ${session.id}: ${reply.choices[0].message.content} cost $${cost}`);
console.log(session.getAnalytics());
await backend.close();
