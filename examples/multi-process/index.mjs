// One session, three processes: the workers are started with session.childEnv(), so their
// agentops.init() joins this session, and the server files their LLM calls under it.
import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import * as agentops from "agentops";
import { localBackend } from "example-shared";

const backend = await localBackend(); // the server and mock LLM provider of the environment, or local ones
const session = agentops.init({ tags: ["multi-process"] });

const worker = fileURLToPath(new URL("./worker.mjs", import.meta.url));
const runWorker = (topic) =>
  new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [worker, topic], {
      env: { ...process.env, ...session.childEnv() },
      stdio: "inherit",
    });
    child.on("exit", (code) =>
      code === 0 ? resolve() : reject(new Error(`worker ${topic} exited with ${code}`)),
    );
  });
await Promise.all([runWorker("fjords"), runWorker("glaciers")]);
session.record(new agentops.ActionEvent({ actionType: "merge", params: { reports: 2 } }));

// endSession returns the server's cost of the session: it includes the workers' calls.
const cost = await session.endSession("Success");
const response = await fetch(
  `${process.env.AGENTOPS_API_ENDPOINT}/v2/sessions/${session.id}/stats`,
  {
    headers: { "X-Agentops-Api-Key": process.env.AGENTOPS_API_KEY },
  },
);
const stats = await response.json();
console.log(`session ${session.id}: cost $${cost}`);
console.log(
  `  this process: ${session.getAnalytics().llmCalls} LLM calls, ${session.getAnalytics().actions} action`,
);
console.log(
  `  the server:   ${stats.llm_calls} LLM calls, ${stats.actions} action, ${stats.total_tokens} tokens, cost $${stats.cost}`,
);
await backend.close();
