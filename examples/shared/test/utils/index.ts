/**
 * What the examples' tests share: a real `agentops-server` process on a temporary SQLite database
 * with a project key, the mock provider, and running an example as a real child process with
 * AGENTOPS_API_ENDPOINT / AGENTOPS_API_KEY / MOCK_PROVIDER_URL pointing at them.
 */
import { execFile, spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { createInterface } from "node:readline";
import { startMockProvider, type MockProvider } from "@agentops/mock-provider";

/** The examples folder. */
export const EXAMPLES_DIR = path.resolve(__dirname, "..", "..", "..");

const SERVER_CLI = path.join(
  path.dirname(require.resolve("@agentops/server/package.json")),
  "dist",
  "cli.js",
);

export interface RunResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/**
 * Runs `node ARGS` in `cwd` and resolves when it exits (killed after `timeoutMs`). The child gets
 * this process's environment without any agentops setting, plus `env`.
 */
export function runNode(
  args: string[],
  options: { cwd: string; env?: Record<string, string>; timeoutMs?: number },
): Promise<RunResult> {
  const env: Record<string, string> = {};
  for (const [name, value] of Object.entries(process.env)) {
    if (
      value !== undefined &&
      !name.startsWith("AGENTOPS_") &&
      name !== "TRACEPARENT" &&
      name !== "MOCK_PROVIDER_URL"
    )
      env[name] = value;
  }
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      args,
      {
        cwd: options.cwd,
        env: { ...env, ...options.env },
        timeout: options.timeoutMs ?? 60_000,
        maxBuffer: 16 * 1024 * 1024,
      },
      (error, stdout, stderr) => {
        const code = error
          ? typeof (error as any).code === "number"
            ? (error as any).code
            : null
          : 0;
        resolve({ code, stdout, stderr });
      },
    );
  });
}

/** The session ids an example printed (`session <uuid>`), in order. */
export function sessionIds(stdout: string): string[] {
  return [
    ...stdout.matchAll(/session ([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})/g),
  ].map((match) => match[1]!);
}

export interface Backend {
  url: string;
  apiKey: string;
  provider: MockProvider;
  /** AGENTOPS_API_ENDPOINT, AGENTOPS_API_KEY, MOCK_PROVIDER_URL for an example. */
  env: Record<string, string>;
  /** GET a REST route with the key: status and parsed body. */
  get(pathname: string): Promise<{ status: number; body: any }>;
  stop(): Promise<void>;
}

function runCli(args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      [SERVER_CLI, ...args],
      { timeout: 30_000 },
      (error, stdout, stderr) =>
        error
          ? reject(new Error(`agentops-server ${args.join(" ")}: ${stderr || error.message}`))
          : resolve(stdout),
    );
  });
}

/** `agentops-server projects create` + `serve --port 0` on a temporary SQLite database, and the mock provider. */
export async function startBackend(): Promise<Backend> {
  const dir = mkdtempSync(path.join(os.tmpdir(), "agentops-examples-test-"));
  const db = `sqlite:${path.join(dir, "agentops.db")}`;
  const created = JSON.parse(
    (await runCli(["projects", "create", "examples-test", "--db", db, "--json"]))
      .trim()
      .split("\n")
      .pop()!,
  );
  const server: ChildProcess = spawn(
    process.execPath,
    [SERVER_CLI, "serve", "--port", "0", "--db", db, "--no-dashboard"],
    {
      stdio: ["ignore", "pipe", "pipe"],
    },
  );
  const exited = new Promise((resolve) => server.on("exit", resolve));
  let stderr = "";
  server.stderr!.on("data", (chunk) => (stderr += chunk));
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`the server did not start: ${stderr}`)),
      30_000,
    );
    createInterface({ input: server.stdout! }).on("line", (line) => {
      try {
        const entry = JSON.parse(line);
        if (entry.msg === "listening") {
          clearTimeout(timer);
          resolve(String(entry.address));
        }
      } catch {
        // not a log line
      }
    });
    void exited.then(() => {
      clearTimeout(timer);
      reject(new Error(`the server exited: ${stderr}`));
    });
  });
  const provider = await startMockProvider();
  const apiKey: string = created.api_key;
  return {
    url,
    apiKey,
    provider,
    env: { AGENTOPS_API_ENDPOINT: url, AGENTOPS_API_KEY: apiKey, MOCK_PROVIDER_URL: provider.url },
    async get(pathname) {
      const response = await fetch(url + pathname, { headers: { "x-agentops-api-key": apiKey } });
      return { status: response.status, body: await response.json().catch(() => undefined) };
    },
    async stop() {
      await provider.close();
      if (server.exitCode === null && server.signalCode === null) server.kill("SIGTERM");
      await exited;
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
