import { execFile } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { traceIdToUuid } from "@agentops/semconv";
import type { SessionExport, SessionStats } from "../src/index";
import { assertBuilt, runCli, startServe, type ServeProcess } from "./utils/cli-process";

const run = promisify(execFile);
const FIXTURE_DIR = path.join(__dirname, "fixtures", "official-sdk");
const SCRIPT = path.join(FIXTURE_DIR, "run-official-sdk.cjs");

interface SdkRun {
  code: number;
  traces: { agents: string; session: string } | undefined;
  stdout: string;
  stderr: string;
}

/**
 * Runs an app instrumented with AgentOps' official npm SDK (`agentops@0.1.0`, the real package
 * from the registry) in its own process, its endpoint options pointed at the server. The key
 * goes in AGENTOPS_API_KEY, as the SDK reads it.
 */
async function runOfficialSdk(url: string, apiKey: string): Promise<SdkRun> {
  let stdout = "";
  let stderr = "";
  let code = 0;
  try {
    ({ stdout, stderr } = await run(process.execPath, [SCRIPT, url], {
      cwd: FIXTURE_DIR,
      env: { ...process.env, AGENTOPS_API_KEY: apiKey, DEBUG: "" },
      timeout: 60_000,
    }));
  } catch (error) {
    const failed = error as { code?: number; stdout?: string; stderr?: string };
    code = typeof failed.code === "number" ? failed.code : -1;
    stdout = failed.stdout ?? "";
    stderr = failed.stderr ?? "";
  }
  const line = stdout.split("\n").find((text) => text.startsWith("RESULT "));
  const traces = line ? (JSON.parse(line.slice("RESULT ".length)) as { traces: SdkRun["traces"] }).traces : undefined;
  return { code, traces, stdout, stderr };
}

/**
 * The server writes a request's log line once the response is sent, so the line can reach us a
 * moment after the client saw the answer: wait (bounded) for the lines a check needs.
 */
async function logsSettled(serve: ServeProcess, predicate: (logs: Array<Record<string, unknown>>) => boolean): Promise<void> {
  for (let attempt = 0; attempt < 100 && !predicate(serve.logs); attempt++) {
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe("AgentOps' official npm SDK (agentops 0.1.0) against a server process", () => {
  let folder: string;
  let serve: ServeProcess;
  let apiKey: string;
  let projectId: string;

  beforeAll(async () => {
    assertBuilt();
    folder = mkdtempSync(path.join(tmpdir(), "agentops-official-sdk-"));
    const db = `sqlite:${path.join(folder, "agentops.db")}`;
    const created = await runCli(["projects", "create", "official-sdk", "--db", db, "--json"]);
    expect(created.code).toBe(0);
    ({ api_key: apiKey, project_id: projectId } = JSON.parse(created.stdout));
    serve = await startServe(["--port", "0", "--db", db, "--no-dashboard"]);
  });
  afterAll(async () => {
    await serve?.stop("SIGKILL");
    rmSync(folder, { recursive: true, force: true });
  });

  async function get<T>(sessionId: string, route: string): Promise<T> {
    const response = await fetch(`${serve.url}/v2/sessions/${sessionId}/${route}`, {
      headers: { "x-agentops-api-key": apiKey },
    });
    expect(response.status).toBe(200);
    return (await response.json()) as T;
  }

  it("exchanges the key for a token, exports with it, and its spans become sessions with tokens and cost", async () => {
    const result = await runOfficialSdk(serve.url, apiKey);
    expect({ code: result.code, stderr: result.code === 0 ? "" : result.stderr }).toEqual({ code: 0, stderr: "" });
    expect(result.traces).toBeDefined();

    // The SDK called the token exchange once, then sent every span with the token (no key).
    await logsSettled(serve, (logs) => {
      const accepted = logs.filter((entry) => entry.url === "/v1/traces").map((entry) => Number(entry.spans_accepted));
      return accepted.reduce((sum, count) => sum + count, 0) >= 6;
    });
    const requests = serve.logs.filter((entry) => entry.msg === "request");
    expect(requests.filter((entry) => entry.url === "/v3/auth/token")).toEqual([
      expect.objectContaining({ method: "POST", status: 200, project_id: projectId }),
    ]);
    const exports = requests.filter((entry) => entry.url === "/v1/traces");
    expect(exports.length).toBeGreaterThan(0);
    expect(exports.every((entry) => entry.status === 200 && entry.project_id === projectId)).toBe(true);
    expect(exports.reduce((sum, entry) => sum + Number(entry.spans_accepted), 0)).toBe(6);

    // 1. An OpenAI Agents run as the SDK's instrumentation shapes it: a response with usage
    //    (gpt-4o, 1,000 in / 500 out = $0.0075) and a function call.
    const agents = traceIdToUuid(result.traces!.agents);
    expect(await get<SessionStats>(agents, "stats")).toMatchObject({
      session_id: agents,
      project_id: projectId,
      llm_calls: 1,
      tool_calls: 1,
      prompt_tokens: 1_000,
      completion_tokens: 500,
      total_tokens: 1_500,
      cost: "0.007500",
      // No session span in this vocabulary: the session runs until the server's timeout.
      end_state: null,
    });
    const exported = await get<SessionExport>(agents, "export");
    expect(exported.llms).toEqual([
      expect.objectContaining({
        model: "gpt-4o",
        prompt: [{ role: "user", content: "What is the weather in Paris?" }],
        completion: [{ role: "assistant", content: "Sunny." }],
        cost: 0.0075,
      }),
    ]);
    expect(exported.tools).toEqual([expect.objectContaining({ name: "get_weather" })]);
    expect(exported.session.host_env).toMatchObject({ "service.name": "official-sdk-app", "service.version": "0.1.0" });
    expect(JSON.stringify(exported)).not.toContain(apiKey);

    // 2. A session in AgentOps' span vocabulary: gpt-4o 2,000 / 1,000 = $0.015, plus $0.02 for the tool.
    const session = traceIdToUuid(result.traces!.session);
    expect(await get<SessionStats>(session, "stats")).toMatchObject({
      end_state: "Success",
      tags: ["official-sdk", "nightly"],
      llm_calls: 1,
      tool_calls: 1,
      prompt_tokens: 2_000,
      completion_tokens: 1_000,
      cost: "0.035000",
    });
  });

  it("with an unknown key, the SDK's init fails on the token exchange and nothing is stored", async () => {
    const before = serve.logs.filter((entry) => entry.url === "/v1/traces").length;
    const result = await runOfficialSdk(serve.url, `ak_${"0".repeat(16)}_${"A".repeat(43)}`);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/401/);
    expect(result.traces).toBeUndefined();
    expect(serve.logs.filter((entry) => entry.url === "/v1/traces").length).toBe(before);
  });
});
