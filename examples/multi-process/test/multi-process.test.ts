/** Workers started with session.childEnv() land in the parent's session, on the real server. */
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

it("files the workers' LLM calls under the parent's session", async () => {
  const run = await runNode(["index.mjs"], {
    cwd: path.join(EXAMPLES_DIR, "multi-process"),
    env: backend.env,
  });
  expect(run.stderr).toBe("");
  expect(run.code).toBe(0);
  const ids = sessionIds(run.stdout);
  // both workers and the parent print the same session
  expect(ids).toHaveLength(3);
  expect(new Set(ids).size).toBe(1);
  const id = ids[0]!;
  const workerPids = [...run.stdout.matchAll(/worker (\d+) \(session/g)].map((match) =>
    Number(match[1]),
  );
  expect(workerPids).toHaveLength(2);
  expect(run.stdout).toContain("this process: 0 LLM calls, 1 action");

  const { body: stats } = await backend.get(`/v2/sessions/${id}/stats`);
  expect(stats).toMatchObject({
    end_state: "Success",
    llm_calls: 2,
    actions: 1,
    tags: ["multi-process"],
  });
  expect(run.stdout).toContain(`cost $${stats.cost}`);
  expect(Number(stats.cost)).toBeGreaterThan(0);

  const { body } = await backend.get(`/v2/sessions/${id}/spans`);
  const root = body.spans.find((span: any) => span.kind === "session");
  const llm = body.spans.filter((span: any) => span.kind === "llm");
  expect(llm.map((span: any) => span.resource["process.pid"]).sort()).toEqual(
    [...workerPids].sort(),
  );
  // with the traceparent of childEnv(), the workers' spans are children of the parent's session span
  for (const span of llm) expect(span.parent_span_id).toBe(root.span_id);
});
