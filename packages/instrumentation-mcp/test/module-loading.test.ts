/**
 * The built package in child processes, as applications load the SDK: the SDK's CommonJS files
 * (which OpenTelemetry's module hooks cannot see, the package having no main entry) and its ES
 * modules (through the loader hook), a client and server together, and a server alone answering
 * a raw JSON-RPC client that propagates its trace.
 */
import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import path from "node:path";
import { promisify } from "node:util";
import { SpanKind } from "@opentelemetry/api";

const run = promisify(execFile);
const FIXTURES = path.join(__dirname, "fixtures");
const PACKAGE_ROOT = path.join(__dirname, "..");

interface Report {
  result: string;
  spans: Array<{ name: string; kind: SpanKind; traceId: string; parentSpanId?: string; attributes?: Record<string, unknown> }>;
}

async function runFixture(file: string, env: Record<string, string> = {}): Promise<Report> {
  const { stdout } = await run(process.execPath, [file], { cwd: FIXTURES, env: { ...process.env, ...env }, timeout: 30_000 });
  return JSON.parse(stdout.trim().split("\n").pop()!) as Report;
}

beforeAll(() => {
  for (const file of ["dist/index.js", "dist/index.mjs", "../agentops/dist/index.js"]) {
    if (!existsSync(path.join(PACKAGE_ROOT, file))) throw new Error(`${file} is missing: build first (pnpm build)`);
  }
});

describe("loading the SDK in a child process", () => {
  it.each([
    ["CommonJS via require", "hooked.cjs", {}],
    ["ESM with the loader hook on every module", "hooked.mjs", { HOOK_INCLUDE: "*" }],
    ["ESM with the loader hook on the entry points imported", "hooked.mjs", { HOOK_INCLUDE: "@modelcontextprotocol/sdk/client/index.js,@modelcontextprotocol/sdk/server/mcp.js" }],
  ])("%s: a client span and a server span in one trace", async (_how, file, env) => {
    const report = await runFixture(file, env);
    expect(report.result).toBe("Sunny");
    expect(report.spans.map((span) => [span.name, span.kind])).toEqual([
      ["tools/call get_weather", SpanKind.SERVER],
      ["execute_tool get_weather", SpanKind.CLIENT],
    ]);
    expect(new Set(report.spans.map((span) => span.traceId)).size).toBe(1);
  });

  it("ESM without the loader hook: nothing is patched, the calls work", async () => {
    const report = await runFixture("hooked.mjs", { HOOK_INCLUDE: "none" });
    expect(report).toEqual({ result: "Sunny", spans: [] });
  });

  it.each([["CommonJS", "server-only.cjs"], ["ESM", "server-only.mjs"]])(
    "%s, McpServer alone: the handler runs under a server span in the caller's trace",
    async (_how, file) => {
      const report = await runFixture(file);
      expect(report.result).toBe("Sunny");
      expect(report.spans).toEqual([
        expect.objectContaining({
          name: "tools/call get_weather",
          kind: SpanKind.SERVER,
          traceId: "4bf92f3577b34da6a3ce929d0e0e4736",
          parentSpanId: "00f067aa0ba902b7",
          attributes: expect.objectContaining({ "agentops.span.kind": "mcp.server", "mcp.server.name": "weather", "jsonrpc.request.id": "2" }),
        }),
      ]);
    },
  );

  it("agentops.init() loads nothing of the SDK in a process that does not use it", async () => {
    expect(await runFixture("without-sdk.cjs")).toEqual({ session: "string", loaded: [] });
  });
});
