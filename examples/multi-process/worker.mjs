// A worker process. Its environment (from session.childEnv()) names the session to join:
// AGENTOPS_INHERITED_SESSION_ID, TRACEPARENT, AGENTOPS_API_ENDPOINT and AGENTOPS_API_KEY.
import { createRequire } from "node:module";
import * as agentops from "agentops";

const session = agentops.init(); // joins; a joined session is never ended by this process
const { OpenAI } = createRequire(import.meta.url)("openai"); // loaded after init(): traced
const openai = new OpenAI({ apiKey: "mock", baseURL: `${process.env.MOCK_PROVIDER_URL}/v1` });

const topic = process.argv[2];
const reply = await openai.chat.completions.create({
  model: "gpt-4o-mini",
  messages: [{ role: "user", content: `Research ${topic}` }],
});
console.log(`  worker ${process.pid} (session ${session.id}): ${reply.choices[0].message.content}`);
// Exiting flushes this process's spans.
