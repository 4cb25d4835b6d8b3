import { execFile } from "node:child_process";
import path from "node:path";
import { promisify } from "node:util";
import { traceIdToUuid } from "@agentops/semconv";
import { startTestServer, type TestServer } from "./utils/server-harness";

const run = promisify(execFile);
const SCRIPT = path.join(__dirname, "fixtures", "export-genai-spans.mjs");

interface ExportRun {
  exitCode: number;
  trace_id: string;
  export: { code: number; error: string | null };
}

/**
 * Runs the real OpenTelemetry exporters in their own Node process (they load `http` with a
 * dynamic import, which jest's module sandbox does not allow), against the real server.
 */
async function exportWith(server: TestServer, apiKey: string, encoding: string, gzip: boolean): Promise<ExportRun> {
  const args = [SCRIPT, `${server.url}/v1/traces`, apiKey, encoding, ...(gzip ? ["gzip"] : [])];
  try {
    const { stdout } = await run(process.execPath, args, { timeout: 30_000 });
    return { exitCode: 0, ...JSON.parse(stdout) };
  } catch (error) {
    const failed = error as { code?: number; stdout?: string; stderr?: string };
    if (!failed.stdout) throw new Error(`exporter process failed: ${failed.stderr}`);
    return { exitCode: failed.code ?? -1, ...JSON.parse(failed.stdout) };
  }
}

describe.each([
  ["@opentelemetry/exporter-trace-otlp-http (JSON)", "json", false],
  ["@opentelemetry/exporter-trace-otlp-http (JSON, gzip)", "json", true],
  ["@opentelemetry/exporter-trace-otlp-proto (protobuf)", "protobuf", false],
  ["@opentelemetry/exporter-trace-otlp-proto (protobuf, gzip)", "protobuf", true],
] as const)("%s with a plain NodeTracerProvider", (_name, encoding, gzip) => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer();
  });
  afterAll(async () => {
    await server.close();
  });

  it("delivers GenAI spans (current and legacy names) whose tokens and cost show in /stats", async () => {
    const result = await exportWith(server, server.projectA.apiKey, encoding, gzip);
    expect(result.export).toEqual({ code: 0, error: null });
    const sessionId = traceIdToUuid(result.trace_id);
    const response = await fetch(`${server.url}/v2/sessions/${sessionId}/stats`, {
      headers: { "x-agentops-api-key": server.projectA.apiKey },
    });
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({
      session_id: sessionId,
      project_id: server.projectA.id,
      llm_calls: 2,
      tool_calls: 1,
      errors: 1,
      prompt_tokens: 3000,
      completion_tokens: 1500,
      total_tokens: 4500,
      // gpt-4o: $2.50 in / $10 out per million tokens.
      cost: "0.022500",
    });
  });

  it("reports the 401 of a wrong key as a failed export, and nothing is stored", async () => {
    const result = await exportWith(server, `ak_${"1".repeat(16)}_${"B".repeat(43)}`, encoding, gzip);
    expect(result.exitCode).toBe(3);
    expect(result.export.code).toBe(1);
    expect(result.export.error).toMatch(/401|Unauthorized/i);
    expect(await server.storage.sessionStats(server.projectA.id, traceIdToUuid(result.trace_id))).toBeUndefined();
  });
});
