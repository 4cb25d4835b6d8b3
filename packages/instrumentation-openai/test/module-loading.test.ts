import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import path from "node:path";
import { promisify } from "node:util";

const run = promisify(execFile);
const FIXTURES = path.join(__dirname, "fixtures");
const PACKAGE_ROOT = path.join(__dirname, "..");

interface Report {
  spans: Array<{ name: string; spanId: string; outputTokens?: number }>;
  expected: string[];
  distinctCopies?: boolean;
}

async function runFixture(args: string[], env: Record<string, string> = {}): Promise<Report> {
  const { stdout } = await run(process.execPath, args, {
    cwd: FIXTURES,
    env: { ...process.env, ...env, OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT: "false" },
    timeout: 30_000,
  });
  return JSON.parse(stdout.trim().split("\n").pop()!) as Report;
}

beforeAll(() => {
  // the children load the built package, like an application does
  for (const file of ["dist/index.js", "dist/index.mjs"]) {
    if (!existsSync(path.join(PACKAGE_ROOT, file))) {
      throw new Error(`${file} is missing: build first (pnpm --filter "@agentops/instrumentation-openai..." build)`);
    }
  }
});

describe("loading openai in a child process", () => {
  it("CommonJS via require: exactly one span per call", async () => {
    const report = await runFixture(["--require", "./register-cjs.cjs", "app-cjs.cjs"]);
    expect(report.spans.map((span) => span.name)).toEqual(report.expected);
    expect(new Set(report.spans.map((span) => span.spanId)).size).toBe(report.expected.length);
    expect(report.spans.filter((span) => !span.name.startsWith("embeddings")).every((span) => span.outputTokens! > 0)).toBe(true);
  });

  it("ESM via node --import with the loader hook: exactly one span per call, beside a CommonJS copy", async () => {
    const report = await runFixture(["--import", "./register-esm.mjs", "app-esm.mjs"]);
    expect(report.distinctCopies).toBe(true);
    expect(report.spans.map((span) => span.name)).toEqual(report.expected);
    expect(new Set(report.spans.map((span) => span.spanId)).size).toBe(report.expected.length);
  });

  it("ESM without the loader hook: only the CommonJS copy is traced", async () => {
    const report = await runFixture(["--import", "./register-esm.mjs", "app-esm.mjs"], { AGENTOPS_TEST_SKIP_HOOK: "1" });
    expect(report.spans.map((span) => span.name)).toEqual(["chat gpt-4o-mini"]);
  });
});
