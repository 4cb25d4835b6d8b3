/**
 * `mask`: the content of every exported span (the SDK's events, the openai instrumentation's
 * spans, another instrumentation's spans and their events) goes through the user's function, in a
 * real child process exporting to a real server: the secret is in no file of the database, the
 * masked text is what the export shows, and the counts are unchanged.
 */
import { execFile } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import * as path from "node:path";
import { startMockProvider, type MockProvider } from "@agentops/mock-provider";
import { startProjectServer, startServer, type ProjectServer, type ServerProcess } from "./utils/server-process";

const FIXTURE = path.join(__dirname, "fixtures", "mask-app.cjs");
let provider: MockProvider;
let backend: ProjectServer;
let server: ServerProcess;
let apiKey: string;
let dir: string;

beforeAll(async () => {
  backend = await startProjectServer("mask");
  ({ server, apiKey, dir } = backend);
  provider = await startMockProvider();
}, 60_000);
afterAll(async () => {
  await provider?.close();
  await backend?.stop();
});

function run(): Promise<{ result: any; stderr: string; code: number }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [FIXTURE],
      {
        timeout: 60_000,
        env: { ...process.env, AGENTOPS_API_KEY: apiKey, AGENTOPS_API_ENDPOINT: server.url, AGENTOPS_LOG_LEVEL: "error", MOCK_PROVIDER_URL: provider.url },
      },
      (error, stdout, stderr) => {
        const lines = stdout.split("\n").filter(Boolean).map((line) => JSON.parse(line));
        resolve({ result: lines[0], stderr, code: error ? ((error as any).code ?? 1) : 0 });
      },
    );
  });
}

it("masks content of every exported span before it leaves the process; the secret reaches no database file", async () => {
  const { result, stderr, code } = await run();
  expect(stderr).toBe("");
  expect(code).toBe(0);
  // The provider got the prompt as written: masking applies to what is exported, not to the call.
  expect(provider.requests.some((request) => JSON.stringify(request.body).includes("sk-LEAKED0000secret"))).toBe(true);

  const headers = { "x-agentops-api-key": apiKey };
  const exported: any = await (await fetch(`${server.url}/v2/sessions/${result.session}/export`, { headers })).json();
  const spans: any = await (await fetch(`${server.url}/v2/sessions/${result.session}/spans`, { headers })).json();
  const everything = JSON.stringify(exported) + JSON.stringify(spans);
  expect(everything).not.toContain("sk-LEAKED0000secret");
  expect(JSON.stringify(exported.llms)).toContain("my key is [api key], keep it");
  expect(exported.tools[0].params).toEqual({ token: "[api key]" });
  expect(everything).toContain("again [api key]");
  expect(everything).toContain("event [api key]");
  // Counts and tokens are the same as without a mask; the SDK's figures agree with the server's.
  expect(exported.stats).toMatchObject({ llm_calls: 2, tool_calls: 1, prompt_tokens: result.analytics.promptTokens, completion_tokens: result.analytics.completionTokens });

  await server.kill(); // the database files as they rest on disk
  for (const file of readdirSync(dir)) {
    expect({ file, leaked: readFileSync(path.join(dir, file)).includes("sk-LEAKED0000secret") }).toEqual({ file, leaked: false });
  }
  backend.server = server = await startServer(backend.db);
}, 60_000);
