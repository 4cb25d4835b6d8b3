/** The OpenAI Agents example, as a user runs it: `node index.mjs` against the server and the mock provider. */
import * as path from "node:path";
import { EXAMPLES_DIR, runNode, sessionIds, startBackend, type Backend } from "example-shared/test-utils";

const DIR = path.join(EXAMPLES_DIR, "openai-agents");
let backend: Backend;

beforeAll(async () => {
  backend = await startBackend();
});
afterAll(async () => {
  await backend?.stop();
});

it("records the agents, the tool, the handoff and each model call once", async () => {
  // The Agents SDK keeps tracing off when NODE_ENV is "test", as it is under jest.
  const run = await runNode(["index.mjs"], { cwd: DIR, env: { ...backend.env, NODE_ENV: "development" }, timeoutMs: 150_000 });
  expect(run.stderr).toBe("");
  expect(run.code).toBe(0);
  expect(run.stdout).toContain("Booking agent: The tool returned {");
  const [id] = sessionIds(run.stdout);
  const requests = backend.provider.requests.filter((request) => request.path === "/v1/responses");
  expect(requests).toHaveLength(3);

  const { body: exported } = await backend.get(`/v2/sessions/${id}/export`);
  expect(exported.stats).toMatchObject({ end_state: "Success", tags: ["openai-agents"], llm_calls: 3, tool_calls: 1, actions: 3, errors: 0 });
  // As a set: the SDK calls its processors one after another, each awaited, so the handoff's span
  // and the next agent's can start in either order within the same moment.
  const actions = exported.actions.map((action: any) => `${action.action_type} ${action.params.name ?? action.params.to_agent}`);
  expect(actions.sort()).toEqual(["agent Booking agent", "agent Triage", "handoff Booking agent"]);
  expect(exported.tools[0]).toMatchObject({ name: "get_weather", returns: "Sunny in Oslo next week: get_weather, then transfer_to_Booking_agent." });
  // The LLM calls' tokens are the mock's, counted once.
  const promptTokens = exported.llms.reduce((sum: number, llm: any) => sum + llm.prompt_tokens, 0);
  expect(exported.stats.prompt_tokens).toBe(promptTokens);
  expect(exported.llms).toHaveLength(3);
  expect(run.stdout).toContain(`cost $${exported.stats.cost}`);
  expect(Number(exported.stats.cost)).toBeGreaterThan(0);
}, 180_000);
