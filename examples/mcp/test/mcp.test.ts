/** The MCP example, as a user runs it: `node index.mjs` against the server and the mock provider. */
import * as path from "node:path";
import { EXAMPLES_DIR, runNode, sessionIds, startBackend, type Backend } from "example-shared/test-utils";

const DIR = path.join(EXAMPLES_DIR, "mcp");
let backend: Backend;

beforeAll(async () => {
  backend = await startBackend();
});
afterAll(async () => {
  await backend?.stop();
});

it("records the agent's LLM calls, its MCP tool calls once each, and the server process's LLM call in one session", async () => {
  const run = await runNode(["index.mjs"], { cwd: DIR, env: backend.env, timeoutMs: 90_000 });
  expect(run.stderr).toBe("");
  expect(run.code).toBe(0);
  expect(run.stdout).toContain("tool    packing_list(");
  const [id] = sessionIds(run.stdout);

  const { body: exported } = await backend.get(`/v2/sessions/${id}/export`);
  // 3 model calls by the agent and 1 by the packing_list tool in the server process; 2 tool
  // calls (each recorded by both processes, counted once); listing the tools and reading a resource.
  expect(exported.stats).toMatchObject({ end_state: "Success", tags: ["mcp"], llm_calls: 4, tool_calls: 2, actions: 2, errors: 0 });
  expect(exported.tools.map((tool: any) => [tool.name, tool.mcp_server, Object.keys(tool.params)])).toEqual([
    ["get_weather", "weather", ["city"]],
    ["packing_list", "weather", ["city"]],
  ]);
  expect(exported.tools[0].returns).toEqual([{ type: "text", text: expect.stringContaining("sunny, 21 °C") }]);
  expect(exported.actions.map((action: any) => action.action_type)).toEqual(["resources/read", "tools/list"]);

  const { body } = await backend.get(`/v2/sessions/${id}/spans`);
  const fromServer = body.spans.filter((span: any) => String(span.resource["process.command_line"]).includes("weather-server.mjs"));
  const serverLlm = fromServer.filter((span: any) => span.kind === "llm");
  expect(serverLlm.map((span: any) => span.model)).toEqual(["gpt-4o-mini"]);
  // The server's LLM call is under its span of the tool call, under the agent's tool span.
  const serverCall = fromServer.find((span: any) => span.span_id === serverLlm[0].parent_span_id);
  expect(serverCall.name).toBe("tools/call packing_list");
  const agentCall = body.spans.find((span: any) => span.span_id === serverCall.parent_span_id);
  expect(agentCall).toMatchObject({ name: "execute_tool packing_list", kind: "tool" });
  expect(run.stdout).toContain(`cost $${exported.stats.cost}`);
}, 120_000);
