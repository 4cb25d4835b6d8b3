/** `node --import agentops/register app.mjs`: an app without agentops code is traced into a session. */
import * as path from "node:path";
import {
  EXAMPLES_DIR,
  runNode,
  sessionIds,
  startBackend,
  type Backend,
} from "example-shared/test-utils";

const DIR = path.join(EXAMPLES_DIR, "register");
let backend: Backend;
beforeAll(async () => {
  backend = await startBackend();
});
afterAll(async () => {
  await backend?.stop();
});

it("traces the imported openai and anthropic clients; the session ends at exit", async () => {
  const run = await runNode(["index.mjs"], { cwd: DIR, env: backend.env });
  expect(run.stderr).toBe("");
  expect(run.code).toBe(0);
  expect(run.stdout).toContain("app: Mock answer to");
  const [id] = sessionIds(run.stdout);
  const { body: exported } = await backend.get(`/v2/sessions/${id}/export`);
  expect(exported.stats).toMatchObject({ llm_calls: 2, end_state: "Indeterminate" });
  expect(exported.stats.tags[0]).toMatch(/^zero-code-\d+$/);
  expect(exported.llms.map((llm: any) => llm.provider).sort()).toEqual(["anthropic", "openai"]);
  expect(run.stdout).toContain(`cost $${exported.stats.cost}, ended Indeterminate`);
});
