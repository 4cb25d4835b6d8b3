/** The runaway agent's loop is stopped by its session budget. */
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

it("sends calls until the one that reaches $0.05, refuses the next, and ends the session", async () => {
  const run = await runNode(["index.mjs"], {
    cwd: path.join(EXAMPLES_DIR, "runaway-agent"),
    env: backend.env,
  });
  expect(run.stderr).toBe("");
  expect(run.code).toBe(0);
  expect(run.stdout).toMatch(/budget reached \(cost\): \$0\.05\d+ after \d+ calls/);
  expect(run.stdout).toContain("stopped: Session");
  const [id] = sessionIds(run.stdout);
  const sent = Number(/(\d+) calls sent/.exec(run.stdout)![1]);
  expect(sent).toBeGreaterThan(1);
  expect(sent).toBeLessThan(1000);

  const { body: stats } = await backend.get(`/v2/sessions/${id}/stats`);
  expect(stats).toMatchObject({
    end_state: "Indeterminate",
    end_state_reason: "stopped by its budget",
    llm_calls: sent,
    errors: 1, // the budget event
  });
  const cost = Number(stats.cost);
  expect(cost).toBeGreaterThanOrEqual(0.05);
  // The last call sent is the one that reached the budget: without it the session was under.
  expect(cost - cost / sent).toBeLessThan(0.05);
  expect(run.stdout).toContain(`cost $${stats.cost}`);
});
