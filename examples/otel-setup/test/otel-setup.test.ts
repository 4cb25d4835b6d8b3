/** A NodeSDK with AgentOpsSpanProcessor and its own exporter: both receive the session. */
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

it("init() uses the AgentOpsSpanProcessor of the app's NodeSDK; the app's span sits in the session", async () => {
  const run = await runNode(["index.mjs"], {
    cwd: path.join(EXAMPLES_DIR, "otel-setup"),
    env: backend.env,
  });
  expect(run.stderr).toBe("");
  expect(run.code).toBe(0);
  const seen = /the app's exporter saw: (.*)/.exec(run.stdout)![1]!.split(", ");
  expect(seen).toEqual(
    expect.arrayContaining(["session.start", "chat gpt-4o-mini", "handle-request", "session"]),
  );
  const [id] = sessionIds(run.stdout);

  const { body: stats } = await backend.get(`/v2/sessions/${id}/stats`);
  expect(stats).toMatchObject({ end_state: "Success", llm_calls: 1, tags: ["otel-setup"] });
  const { body } = await backend.get(`/v2/sessions/${id}/spans`);
  const root = body.spans.find((span: any) => span.kind === "session");
  const appSpan = body.spans.find((span: any) => span.name === "handle-request");
  const llm = body.spans.find((span: any) => span.kind === "llm");
  expect(appSpan.parent_span_id).toBe(root.span_id);
  expect(llm.parent_span_id).toBe(appSpan.span_id);
});
