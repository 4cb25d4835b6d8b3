/** The quickstart, as a user runs it: `node index.mjs`, with a server and provider given or not. */
import * as path from "node:path";
import {
  EXAMPLES_DIR,
  runNode,
  sessionIds,
  startBackend,
  type Backend,
} from "example-shared/test-utils";

const DIR = path.join(EXAMPLES_DIR, "quickstart");
let backend: Backend;

beforeAll(async () => {
  backend = await startBackend();
});
afterAll(async () => {
  await backend?.stop();
});

it("records a traced LLM call and an action in a session the server prices like the SDK", async () => {
  const run = await runNode(["index.mjs"], { cwd: DIR, env: backend.env });
  expect(run.stderr).toBe("");
  expect(run.code).toBe(0);
  expect(run.stdout).toContain('Mock answer to "Say hello".');
  const [id] = sessionIds(run.stdout);
  const cost = /cost \$(\d+\.\d{6})/.exec(run.stdout)?.[1];
  expect(Number(cost)).toBeGreaterThan(0);

  const { status, body: stats } = await backend.get(`/v2/sessions/${id}/stats`);
  expect(status).toBe(200);
  expect(stats).toMatchObject({
    end_state: "Success",
    tags: ["quickstart"],
    llm_calls: 1,
    actions: 1,
    errors: 0,
    cost,
  });
  expect(
    backend.provider.requests.filter((request) => request.path === "/v1/chat/completions"),
  ).toHaveLength(1);
});

it("starts its own server and mock provider when the environment names none", async () => {
  const run = await runNode(["index.mjs"], { cwd: DIR });
  expect(run.code).toBe(0);
  expect(run.stdout).toContain('Mock answer to "Say hello".');
  expect(run.stdout).toMatch(/llmCalls: 1,/);
  expect(Number(/cost \$(\d+\.\d{6})/.exec(run.stdout)?.[1])).toBeGreaterThan(0);
  expect(
    backend.provider.requests.filter((request) => request.path === "/v1/chat/completions"),
  ).toHaveLength(1);
});
