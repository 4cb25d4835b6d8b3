/** Streams of both clients become LLM events with the usage reported at their end. */
import * as path from "node:path";
import {
  EXAMPLES_DIR,
  runNode,
  sessionIds,
  startBackend,
  type Backend,
} from "example-shared/test-utils";

let backend: Backend;
beforeAll(async () => {
  backend = await startBackend();
});
afterAll(async () => {
  await backend?.stop();
});

it("prints both streams and records each as an LLM event with its tokens", async () => {
  const run = await runNode(["index.mjs"], {
    cwd: path.join(EXAMPLES_DIR, "streaming"),
    env: backend.env,
  });
  expect(run.stderr).toBe("");
  expect(run.code).toBe(0);
  expect(run.stdout).toContain(
    'openai:    Mock answer to "Tell me a short story about a lighthouse".',
  );
  expect(run.stdout).toContain(
    'anthropic: Mock answer to "Tell me a short story about a harbour".',
  );
  const [id] = sessionIds(run.stdout);

  const { body: exported } = await backend.get(`/v2/sessions/${id}/export`);
  expect(exported.stats).toMatchObject({ end_state: "Success", llm_calls: 3, errors: 0 });
  const byModel = Object.fromEntries(exported.llms.map((llm: any) => [llm.model, llm]));
  // usage from the last chunk (include_usage) and from Anthropic's message_start / message_delta
  expect(byModel["gpt-4o"]).toMatchObject({ provider: "openai", completion: expect.anything() });
  expect(byModel["gpt-4o"].completion_tokens).toBeGreaterThan(0);
  expect(byModel["claude-haiku-4-5"].prompt_tokens).toBeGreaterThan(0);
  expect(run.stdout).toContain(
    `${byModel["claude-haiku-4-5"].completion_tokens} output tokens from anthropic`,
  );
  // the stream left early still ended, inside the session
  expect(byModel["gpt-4o-mini"]).toBeDefined();
  expect(run.stdout).toContain(`cost $${exported.stats.cost}`);
});
