import { startMockProvider, type MockProvider } from "@agentops/mock-provider";
import {
  ATTR_GEN_AI_REQUEST_MODEL,
  ATTR_GEN_AI_REQUEST_STREAM,
  ATTR_GEN_AI_RESPONSE_ID,
  ATTR_GEN_AI_USAGE_OUTPUT_TOKENS,
} from "@agentops/semconv";
import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import { join } from "node:path";

/**
 * The module hooks, in real Node processes running the built package: ESM through
 * `node --import` with the loader hook, CommonJS through `require`, and both copies at once.
 */

const PACKAGE_DIR = join(__dirname, "..");
const FIXTURES = join(__dirname, "fixtures");
const SCOPE = "@agentops/instrumentation-anthropic";

interface ReportedSpan {
  name: string;
  scope: string;
  attributes: Record<string, unknown>;
}

let mock: MockProvider;

beforeAll(async () => {
  if (
    !existsSync(join(PACKAGE_DIR, "dist", "index.mjs")) ||
    !existsSync(join(PACKAGE_DIR, "dist", "index.js"))
  ) {
    throw new Error(
      "build the package first: pnpm --filter @agentops/instrumentation-anthropic... build",
    );
  }
  mock = await startMockProvider();
});

afterAll(async () => {
  await mock.close();
});

function run(args: string[]): Promise<ReportedSpan[]> {
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      args,
      {
        cwd: FIXTURES,
        timeout: 30_000,
        env: {
          PATH: process.env.PATH,
          ANTHROPIC_BASE_URL: mock.anthropicBaseURL,
          ANTHROPIC_API_KEY: "test-key",
          // a preload of the runner's (the version matrix's client redirect) reaches the child too
          NODE_OPTIONS: process.env.NODE_OPTIONS,
          AGENTOPS_TEST_CLIENTS: process.env.AGENTOPS_TEST_CLIENTS,
        },
      },
      (error, stdout, stderr) => {
        if (error) {
          reject(new Error(`${error.message}\n${stderr}`));
          return;
        }
        const lines = stdout.trim().split("\n");
        resolve((JSON.parse(lines[lines.length - 1]!) as { spans: ReportedSpan[] }).spans);
      },
    );
  });
}

function expectOneSpanPerCall(spans: ReportedSpan[], calls: number): void {
  // Every span in the process is ours: none doubled, none from the client's own tracing.
  expect(spans).toHaveLength(calls);
  for (const span of spans) {
    expect(span.scope).toBe(SCOPE);
    expect(span.attributes[ATTR_GEN_AI_RESPONSE_ID]).toMatch(/^msg_/);
    expect(span.attributes[ATTR_GEN_AI_USAGE_OUTPUT_TOKENS]).toBeGreaterThan(0);
  }
  expect(new Set(spans.map((span) => span.attributes[ATTR_GEN_AI_RESPONSE_ID])).size).toBe(calls);
}

it("instruments an ESM application through node --import with the loader hook", async () => {
  const spans = await run(["--import", "./register.mjs", "app.mjs"]);
  expectOneSpanPerCall(spans, 4);
  expect(spans.map((span) => span.attributes[ATTR_GEN_AI_REQUEST_STREAM])).toEqual([
    false,
    true,
    true,
    false,
  ]);
  expect(spans.every((span) => span.name === "chat claude-haiku-4-5")).toBe(true);
});

it("instruments a CommonJS application through require", async () => {
  const spans = await run(["app.cjs"]);
  expectOneSpanPerCall(spans, 4);
  expect(spans.map((span) => span.attributes[ATTR_GEN_AI_REQUEST_STREAM])).toEqual([
    false,
    true,
    true,
    false,
  ]);
});

it("patches the ESM and the CommonJS copy of the client each once when a process loads both", async () => {
  const spans = await run(["--import", "./register.mjs", "dual.mjs"]);
  expectOneSpanPerCall(spans, 2);
  expect(spans.map((span) => span.attributes[ATTR_GEN_AI_REQUEST_MODEL])).toEqual([
    "claude-haiku-4-5",
    "claude-sonnet-4-6",
  ]);
});
