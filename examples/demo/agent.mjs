// The demo's agent. Real `openai` and `@anthropic-ai/sdk` clients (pointed at the mock provider),
// a tool, an action, a handled error and a worker process, all in one agentops session.
// Run by run.mjs with AGENTOPS_API_KEY, AGENTOPS_API_ENDPOINT and MOCK_PROVIDER_URL set.
import { spawn } from "node:child_process";
import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";
import * as agentops from "agentops";

const session = agentops.init({ tags: ["demo", "travel-agent"] });
// Required after init(), so their calls are traced. (An ES `import` of a client is traced when
// node starts with `--import agentops/register`: see examples/register.)
const require = createRequire(import.meta.url);
const { OpenAI } = require("openai");
const { Anthropic } = require("@anthropic-ai/sdk");

const provider = process.env.MOCK_PROVIDER_URL;
const openai = new OpenAI({ apiKey: "mock", baseURL: `${provider}/v1`, maxRetries: 0 });
const anthropic = new Anthropic({ apiKey: "mock", baseURL: provider, maxRetries: 0 });
const show = (what, text) => console.log(`  ${what.padEnd(8)} ${text}`);

console.log(`session ${session.id} started`);

// 1. A chat.
const chat = await openai.chat.completions.create({
  model: "gpt-4o",
  messages: [{ role: "user", content: "Suggest a day trip from Oslo" }],
});
show("chat", `openai gpt-4o → ${chat.choices[0].message.content}`);

// 2. A streamed answer, printed as it arrives.
process.stdout.write(`  ${"stream".padEnd(8)} openai gpt-4o → `);
const stream = await openai.chat.completions.create({
  model: "gpt-4o",
  messages: [{ role: "user", content: "Describe the Oslofjord in a few words" }],
  stream: true,
  stream_options: { include_usage: true },
});
for await (const chunk of stream) process.stdout.write(chunk.choices[0]?.delta?.content ?? "");
process.stdout.write("\n");

// 3. The other client.
const message = await anthropic.messages.create({
  model: "claude-sonnet-4-6",
  max_tokens: 200,
  messages: [{ role: "user", content: "Pack a bag for a rainy day" }],
});
show("chat", `anthropic claude-sonnet-4-6 → ${message.content[0].text}`);

// 4. An action wrapping a tool call: the model asks for get_weather, the agent runs it, the model answers.
const getWeather = agentops.recordTool("get_weather", async ({ city }) => ({
  city,
  forecast: "light rain",
  celsius: 14,
}));
const planTrip = agentops.recordAction("plan_trip", async (city) => {
  const tools = [
    {
      type: "function",
      function: {
        name: "get_weather",
        description: "The forecast for a city",
        parameters: {
          type: "object",
          properties: { city: { type: "string" } },
          required: ["city"],
        },
      },
    },
  ];
  const messages = [
    { role: "system", content: "The user names a city. Call get_weather for it, then advise." },
    { role: "user", content: city },
  ];
  const ask = await openai.chat.completions.create({
    model: "gpt-4o-mini",
    messages,
    tools,
    tool_choice: "required",
  });
  const call = ask.choices[0].message.tool_calls[0];
  const weather = await getWeather(JSON.parse(call.function.arguments));
  show("tool", `${call.function.name}(${call.function.arguments}) → ${JSON.stringify(weather)}`);
  messages.push(ask.choices[0].message, {
    role: "tool",
    tool_call_id: call.id,
    content: JSON.stringify(weather),
  });
  const answer = await openai.chat.completions.create({ model: "gpt-4o-mini", messages, tools });
  return answer.choices[0].message.content;
});
show("action", `plan_trip("Oslo") → ${await planTrip("Oslo")}`);

// 5. A handled error: the wrapped tool's failure is recorded as an ErrorEvent and rethrown.
const bookHotel = agentops.recordTool("book_hotel", async (city) => {
  throw new Error(`No rooms left in ${city}`);
});
try {
  await bookHotel("Oslo");
} catch (error) {
  show("error", `book_hotel failed: ${error.message} (handled; recorded as an ErrorEvent)`);
}

// 6. A worker process joins the session through its environment and makes its own LLM call.
const worker = spawn(process.execPath, [fileURLToPath(new URL("./worker.mjs", import.meta.url))], {
  env: { ...process.env, ...session.childEnv(), OTEL_SERVICE_NAME: "travel-agent-worker" },
  stdio: ["ignore", "pipe", "inherit"],
});
let workerOutput = "";
worker.stdout.on("data", (chunk) => (workerOutput += chunk));
const workerCode = await new Promise((resolve) => worker.on("close", resolve));
if (workerCode !== 0) throw new Error(`the worker exited with ${workerCode}`);
const fromWorker = JSON.parse(workerOutput.trim().split("\n").pop());
show(
  "worker",
  `pid ${fromWorker.pid} joined session ${fromWorker.sessionId} → ${fromWorker.answer}`,
);

// The end: the cost comes from the server, so it includes the worker's call.
const analytics = session.getAnalytics();
const cost = await session.endSession("Success");
show("end", `Success, cost $${cost}`);

const result = {
  sessionId: session.id,
  analytics,
  cost,
  pid: process.pid,
  workerPid: fromWorker.pid,
  workerAnalytics: fromWorker.analytics,
};
if (process.send) process.send(result);
else console.log(JSON.stringify(result));
