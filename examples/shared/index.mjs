// What the examples and the demo share: a real `agentops-server` process on SQLite and the mock
// LLM provider, started only when the environment does not name them. Nothing here is needed in
// an application of your own: there, AGENTOPS_API_KEY and AGENTOPS_API_ENDPOINT point at your server.
import { spawn } from "node:child_process";
import { createWriteStream, mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { createInterface } from "node:readline";
import { dashboardDir } from "@agentops/dashboard";
import { startMockProvider } from "@agentops/mock-provider";

const require = createRequire(import.meta.url);

/** The `agentops-server` command of the workspace's built server package. */
export const SERVER_CLI = join(
  dirname(require.resolve("@agentops/server/package.json")),
  "dist",
  "cli.js",
);

const START_TIMEOUT_MS = 30_000;

export { startMockProvider };

/** Runs `agentops-server ARGS` to completion; resolves with its stdout, rejects with its stderr. */
function runServerCli(args) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [SERVER_CLI, ...args], {
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk) => (stdout += chunk));
    child.stderr.on("data", (chunk) => (stderr += chunk));
    child.on("error", reject);
    child.on("close", (code) => {
      if (code === 0) resolve(stdout);
      else
        reject(
          new Error(`agentops-server ${args.join(" ")} exited with ${code}: ${stderr.trim()}`),
        );
    });
  });
}

/**
 * Starts `agentops-server serve` on a SQLite database in `dataDir` after creating a project
 * (`projects create NAME --json`). The server's request log goes to `dataDir/server.log`.
 *
 * @param {{ dataDir: string, port?: number, host?: string, projectName?: string, dashboard?: boolean }} options
 */
export async function startServer({
  dataDir,
  port = 0,
  host = "127.0.0.1",
  projectName = "examples",
  dashboard = true,
}) {
  mkdirSync(dataDir, { recursive: true });
  const db = `sqlite:${join(dataDir, "agentops.db")}`;
  const created = JSON.parse(
    (await runServerCli(["projects", "create", projectName, "--db", db, "--json"]))
      .trim()
      .split("\n")
      .pop(),
  );

  const args = ["serve", "--port", String(port), "--host", host, "--db", db];
  if (dashboard) args.push("--dashboard-dir", dashboardDir);
  else args.push("--no-dashboard");
  const child = spawn(process.execPath, [SERVER_CLI, ...args], {
    stdio: ["ignore", "pipe", "pipe"],
  });
  const logFile = join(dataDir, "server.log");
  const log = createWriteStream(logFile);
  let stderr = "";
  child.stderr.on("data", (chunk) => {
    stderr += chunk;
    log.write(chunk);
  });
  const exited = new Promise((resolve) =>
    child.on("exit", (code, signal) => resolve(code ?? signal)),
  );
  // A server left behind by a crashed parent would hold its port: stop it when this process exits.
  const killOnExit = () => child.kill("SIGTERM");
  process.on("exit", killOnExit);

  const url = await new Promise((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`agentops-server did not start within ${START_TIMEOUT_MS} ms`)),
      START_TIMEOUT_MS,
    );
    createInterface({ input: child.stdout }).on("line", (line) => {
      log.write(line + "\n");
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
    void exited.then((code) => {
      clearTimeout(timer);
      reject(
        new Error(`agentops-server serve exited (${code}) before listening: ${stderr.trim()}`),
      );
    });
  });

  return {
    url,
    apiKey: created.api_key,
    projectId: created.project_id,
    database: db,
    logFile,
    /** GET a REST route with the project's key; resolves with the parsed JSON, rejects on a non-2xx status. */
    async get(path) {
      const response = await fetch(url + path, {
        headers: { "X-Agentops-Api-Key": created.api_key },
      });
      const body = await response.json().catch(() => undefined);
      if (!response.ok)
        throw new Error(`GET ${path} answered ${response.status}: ${JSON.stringify(body)}`);
      return body;
    },
    /** Stops the server (SIGTERM: it finishes requests in flight and closes the database). */
    async stop() {
      process.removeListener("exit", killOnExit);
      if (child.exitCode === null && child.signalCode === null) child.kill("SIGTERM");
      await exited;
      await new Promise((resolve) => log.end(resolve));
    },
  };
}

/**
 * The backend an example talks to. `AGENTOPS_API_ENDPOINT` + `AGENTOPS_API_KEY` name an agentops
 * server and `MOCK_PROVIDER_URL` a mock LLM provider; whichever is missing is started here (a
 * server on a temporary SQLite database, an in-process mock provider) and written to
 * `process.env`, so that `agentops.init()` and the examples' clients find it.
 * `close()` stops what was started here.
 */
export async function localBackend({ streamDelayMs = 20 } = {}) {
  const stops = [];
  if (!process.env.AGENTOPS_API_ENDPOINT) {
    const dataDir = mkdtempSync(join(tmpdir(), "agentops-example-"));
    const server = await startServer({ dataDir, dashboard: false });
    process.env.AGENTOPS_API_ENDPOINT = server.url;
    process.env.AGENTOPS_API_KEY = server.apiKey;
    stops.push(async () => {
      await server.stop();
      rmSync(dataDir, { recursive: true, force: true });
    });
  } else if (!process.env.AGENTOPS_API_KEY) {
    throw new Error(
      "AGENTOPS_API_ENDPOINT is set but AGENTOPS_API_KEY is not: create a key with `agentops-server projects create NAME`.",
    );
  }
  if (!process.env.MOCK_PROVIDER_URL) {
    const provider = await startMockProvider({ streamDelayMs });
    process.env.MOCK_PROVIDER_URL = provider.url;
    stops.push(() => provider.close());
  }
  return {
    endpoint: process.env.AGENTOPS_API_ENDPOINT,
    apiKey: process.env.AGENTOPS_API_KEY,
    providerUrl: process.env.MOCK_PROVIDER_URL,
    /** Stops the server and provider started here, if any. */
    async close() {
      for (const stop of stops.reverse()) await stop();
    },
  };
}
