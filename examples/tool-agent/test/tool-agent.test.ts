/** The TypeScript tool agent, compiled with tsc and run: wrapped and decorated tools and actions. */
import { execFileSync } from "node:child_process";
import * as path from "node:path";
import {
  EXAMPLES_DIR,
  runNode,
  sessionIds,
  startBackend,
  type Backend,
} from "example-shared/test-utils";

const DIR = path.join(EXAMPLES_DIR, "tool-agent");
let backend: Backend;
beforeAll(async () => {
  const tsc = require.resolve("typescript/bin/tsc", { paths: [DIR] });
  execFileSync(process.execPath, [tsc, "-p", "tsconfig.build.json"], {
    cwd: DIR,
    stdio: "pipe",
    timeout: 120_000,
  });
  backend = await startBackend();
}, 180_000);
afterAll(async () => {
  await backend?.stop();
});

it("records tools, the action around them and the handled error, with the LLM calls inside the action", async () => {
  const run = await runNode(["dist/index.js"], { cwd: DIR, env: backend.env });
  expect(run.stderr).toBe("");
  expect(run.code).toBe(0);
  expect(run.stdout).toContain('get_weather({"city":"Bergen"})');
  expect(run.stdout).toContain(
    "No hotel in Bergen under 400 NOK (recorded as an ErrorEvent, handled here)",
  );
  const [id] = sessionIds(run.stdout);

  const { body: exported } = await backend.get(`/v2/sessions/${id}/export`);
  expect(exported.stats).toMatchObject({
    end_state: "Success",
    llm_calls: 2,
    tool_calls: 4,
    actions: 1,
    errors: 1,
  });
  expect(exported.tools.map((tool: any) => tool.name).sort()).toEqual([
    "find_hotels",
    "find_hotels",
    "get_weather",
    "to_euros",
  ]);
  const failed = exported.tools.find(
    (tool: any) => tool.name === "find_hotels" && tool.params?.[1] === 400,
  );
  expect(exported.errors[0]).toMatchObject({
    trigger_event_id: failed.id,
    exception: { message: "No hotel in Bergen under 400 NOK" },
  });
  expect(exported.tools.find((tool: any) => tool.name === "to_euros").params).toEqual([
    1250,
    "NOK",
  ]);
  // the decorated action is the parent of the LLM calls and the tool it made
  const [plan] = exported.actions;
  expect(plan.action_type).toBe("plan_trip");
  for (const llm of exported.llms) expect(llm.parent_span_id).toBe(plan.span_id);
  expect(exported.tools.find((tool: any) => tool.name === "get_weather").parent_span_id).toBe(
    plan.span_id,
  );
  expect(run.stdout).toContain(`cost $${exported.stats.cost}`);
});
