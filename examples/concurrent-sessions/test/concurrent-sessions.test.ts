/** Module-level functions with one session; each of two concurrent sessions keeps its own calls. */
import * as path from "node:path";
import { EXAMPLES_DIR, runNode, startBackend, type Backend } from "example-shared/test-utils";

let backend: Backend;
beforeAll(async () => {
  backend = await startBackend();
});
afterAll(async () => {
  await backend?.stop();
});

it("keeps the calls of concurrent sessions apart and refuses the ambiguous module-level call", async () => {
  const run = await runNode(["index.mjs"], {
    cwd: path.join(EXAMPLES_DIR, "concurrent-sessions"),
    env: backend.env,
  });
  expect(run.code).toBe(0);
  expect(run.stderr).toContain("2 sessions are active");
  expect(run.stderr).toContain("session.record(...)");
  const idOf = (name: string) => new RegExp(`^${name} +([0-9a-f-]{36})`, "m").exec(run.stdout)?.[1];
  const expected: Array<[string | undefined, string[], number]> = [
    [idOf("single"), ["single"], 1],
    [idOf("fjords"), ["concurrent", "fjords"], 3],
    [idOf("glaciers"), ["concurrent", "glaciers"], 1],
  ];
  expect(new Set(expected.map(([id]) => id)).size).toBe(3);
  for (const [id, tags, llmCalls] of expected) {
    const { status, body: stats } = await backend.get(`/v2/sessions/${id}/stats`);
    expect(status).toBe(200);
    // the refused agentops.record() added no action to either session
    expect(stats).toMatchObject({ tags, llm_calls: llmCalls, actions: 1, end_state: "Success" });
    expect(run.stdout).toContain(`${id}  LLM calls: ${llmCalls}  actions: 1  cost: $${stats.cost}`);
  }
});
