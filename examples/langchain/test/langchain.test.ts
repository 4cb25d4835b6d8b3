/** The LangChain example, as a user runs it: `node index.mjs` against the server and the mock provider. */
import * as path from "node:path";
import { EXAMPLES_DIR, runNode, sessionIds, startBackend, type Backend } from "example-shared/test-utils";

const DIR = path.join(EXAMPLES_DIR, "langchain");
let backend: Backend;

beforeAll(async () => {
  backend = await startBackend();
});
afterAll(async () => {
  await backend?.stop();
});

it("records the graph, its nodes, the chain, the tool, the retriever and each model call once", async () => {
  const run = await runNode(["index.mjs"], { cwd: DIR, env: backend.env, timeoutMs: 150_000 });
  expect(run.stderr).toBe("");
  expect(run.code).toBe(0);
  expect(run.stdout).toContain("agent: The tool returned Sunny in Oslo");
  const [id] = sessionIds(run.stdout);
  const requests = backend.provider.requests.filter((request) => request.path === "/v1/chat/completions");
  expect(requests).toHaveLength(3);
  // The chain's call was streamed, with the usage asked for at the end of the stream.
  expect(requests[2]!.body).toMatchObject({ stream: true, stream_options: { include_usage: true } });

  const { body: exported } = await backend.get(`/v2/sessions/${id}/export`);
  const { body: listed } = await backend.get(`/v2/sessions/${id}/spans`);
  const actionRuns = listed.spans.filter((span: any) => ["chain", "retriever"].includes(span.attributes["langchain.run_type"]));
  expect(exported.stats).toMatchObject({ end_state: "Success", tags: ["langchain"], llm_calls: 3, tool_calls: 1, actions: actionRuns.length, errors: 0 });
  const types = exported.actions.map((action: any) => action.action_type);
  expect(types.filter((type: string) => type === "agent")).toHaveLength(2); // the graph and the chain
  expect(types.filter((type: string) => type === "graph_node")).toHaveLength(3); // agent, tools, agent
  expect(exported.actions.find((action: any) => action.action_type === "retriever").params).toEqual({ name: "AtlasRetriever", query: "Where is Oslo?" });
  expect(exported.tools[0]).toMatchObject({ name: "get_weather", params: { city: "Oslo next week: get_weather" }, returns: "Sunny in Oslo next week: get_weather" });
  // The LLM calls' tokens are the mock's, counted once.
  expect(exported.llms).toHaveLength(3);
  const promptTokens = exported.llms.reduce((sum: number, llm: any) => sum + llm.prompt_tokens, 0);
  expect(promptTokens).toBeGreaterThan(0);
  expect(exported.stats.prompt_tokens).toBe(promptTokens);
  expect(run.stdout).toContain(`cost $${exported.stats.cost}`);
  expect(Number(exported.stats.cost)).toBeGreaterThan(0);
}, 180_000);
