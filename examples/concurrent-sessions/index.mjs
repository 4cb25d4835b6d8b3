// Module-level functions (agentops.record, agentops.endSession, …) act on the single active
// session. With several sessions open they would be ambiguous, so they log which session method
// to call instead and do nothing: use the Session objects.
import { createRequire } from "node:module";
import * as agentops from "agentops";
import { localBackend } from "example-shared";

const backend = await localBackend(); // the server and mock LLM provider of the environment, or local ones
agentops.init({ autoStartSession: false });
const { OpenAI } = createRequire(import.meta.url)("openai"); // loaded after init(): traced
const openai = new OpenAI({ apiKey: "mock", baseURL: `${process.env.MOCK_PROVIDER_URL}/v1` });
const ask = (content) =>
  openai.chat.completions.create({ model: "gpt-4o-mini", messages: [{ role: "user", content }] });

// 1. One session: the module-level functions are enough.
const single = agentops.startSession({ tags: ["single"] });
await ask("Hello");
agentops.record(new agentops.ActionEvent({ actionType: "greet" }));
const singleCost = await agentops.endSession("Success");
const line = (name, session, cost) =>
  `${name.padEnd(9)} ${session.id}  LLM calls: ${session.getAnalytics().llmCalls}  actions: ${session.getAnalytics().actions}  cost: $${cost}`;
console.log(line("single", single, singleCost));

// 2. Two sessions at once, one per task. An LLM call belongs to the session started in the same
//    async task (or the one whose session.run(fn) it runs in), so each task's calls stay apart.
async function research(topic, questions) {
  const session = agentops.startSession({ tags: ["concurrent", topic] });
  for (const question of questions) await ask(`${topic}: ${question}`);
  session.record(new agentops.ActionEvent({ actionType: "report", params: { topic } }));
  return session;
}
const [fjords, glaciers] = await Promise.all([
  research("fjords", ["depth?", "age?", "longest?"]),
  research("glaciers", ["speed?"]),
]);

console.log("agentops.record() with two sessions open:");
agentops.record(new agentops.ActionEvent({ actionType: "ambiguous" })); // logs a warning, records nothing
for (const session of [fjords, glaciers])
  console.log(line(session.tags[1], session, await session.endSession("Success")));
await backend.close();
