// Runs app.mjs the zero-code way:
//
//   AGENTOPS_API_KEY=… AGENTOPS_API_ENDPOINT=… node --import agentops/register app.mjs
//
// `agentops/register` calls agentops.init() from the environment before the app is loaded and
// traces the LLM clients it imports. The session ends when the process exits (Indeterminate:
// nobody said how it went), and its events are on the server.
import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { localBackend } from "example-shared";

const backend = await localBackend(); // the server and mock LLM provider of the environment, or local ones
const tag = `zero-code-${process.pid}`;
const app = spawn(process.execPath, ["--import", "agentops/register", "app.mjs"], {
  cwd: fileURLToPath(new URL(".", import.meta.url)),
  env: { ...process.env, AGENTOPS_DEFAULT_TAGS: tag },
  stdio: "inherit",
});
const code = await new Promise((resolve) => app.on("exit", resolve));

// The session, as the server has it: the newest one with our tag.
const response = await fetch(
  `${process.env.AGENTOPS_API_ENDPOINT}/v2/sessions?tag=${tag}&limit=1`,
  {
    headers: { "X-Agentops-Api-Key": process.env.AGENTOPS_API_KEY },
  },
);
const [stats] = (await response.json()).sessions;
console.log(
  `session ${stats.session_id}: ${stats.llm_calls} LLM calls, ${stats.total_tokens} tokens, cost $${stats.cost}, ended ${stats.end_state} (${stats.end_state_reason})`,
);
await backend.close();
process.exitCode = code;
