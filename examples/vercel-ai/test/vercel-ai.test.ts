/** The Vercel AI SDK example: its calls, tool and runs counted once each, with the provider's tokens. */
import * as path from "node:path";
import { EXAMPLES_DIR, runNode, sessionIds, startBackend, type Backend } from "example-shared/test-utils";

let backend: Backend;
beforeAll(async () => {
  backend = await startBackend();
});
afterAll(async () => {
  await backend?.stop();
});

it("records three LLM calls, one tool call and two agent runs, with the tokens the AI SDK reported", async () => {
  const run = await runNode(["index.mjs"], { cwd: path.join(EXAMPLES_DIR, "vercel-ai"), env: { ...backend.env, AI_SDK_LOG_WARNINGS: "false" } });
  expect(run.stderr).toBe("");
  expect(run.code).toBe(0);
  expect(run.stdout).toContain('stream: Mock answer to "Say goodbye".');
  const agentLine = /agent: {2}The tool returned .*\((\d+) steps, (\d+) tokens\)/.exec(run.stdout);
  expect(agentLine).not.toBeNull();
  expect(Number(agentLine![1])).toBe(2);
  const [id] = sessionIds(run.stdout);

  const { body: exported } = await backend.get(`/v2/sessions/${id}/export`);
  expect(exported.stats).toMatchObject({ end_state: "Success", llm_calls: 3, tool_calls: 1, actions: 2, errors: 0 });
  // The agent's two calls add up to the total the AI SDK reported; the stream's call comes on top.
  const agentCalls = exported.llms.filter((llm: any) => llm.prompt !== null && JSON.stringify(llm.prompt).includes("get_weather for Lisbon"));
  expect(agentCalls).toHaveLength(2);
  const agentTokens = agentCalls.reduce((sum: number, llm: any) => sum + llm.prompt_tokens + llm.completion_tokens, 0);
  expect(agentTokens).toBe(Number(agentLine![2]));
  expect(exported.tools).toEqual([expect.objectContaining({ name: "get_weather", params: { city: expect.any(String) }, returns: expect.objectContaining({ temperature: 21 }) })]);
  expect(Number(exported.stats.cost)).toBeGreaterThan(0);
  expect(run.stdout).toContain(`cost $${exported.stats.cost}`);
});
