import { spawn } from "node:child_process";
import { once } from "node:events";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { createInterface } from "node:readline";

export interface RunningServer {
  baseUrl: string;
  apiKey: string;
  close(): Promise<void>;
}

const SERVER_PROCESS = path.join(__dirname, "..", "fixtures", "server-host", "server-process.cjs");
const START_TIMEOUT_MS = 30_000;

/**
 * A real `@agentops/server` (the built package, as `pnpm build` leaves it) in a child process,
 * over a real SQLite file in a temporary folder, listening on a free loopback port and serving
 * the built dashboard. A process of its own, so that the server's work never delays the test's
 * own event loop (and with it the browser automation's timings).
 */
export async function startServer(dashboardDir: string): Promise<RunningServer> {
  const dir = mkdtempSync(path.join(tmpdir(), "agentops-dashboard-"));
  const child = spawn(process.execPath, [SERVER_PROCESS, dir, dashboardDir], {
    cwd: path.join(__dirname, ".."),
    stdio: ["pipe", "pipe", "pipe"],
  });
  let stderr = "";
  child.stderr.setEncoding("utf8").on("data", (text: string) => (stderr += text));
  const lines = createInterface({ input: child.stdout });
  const timer = setTimeout(() => child.kill("SIGKILL"), START_TIMEOUT_MS);
  try {
    const first = await Promise.race([
      once(lines, "line").then(([line]) => String(line)),
      once(child, "exit").then(([code]) => {
        throw new Error(
          `the server process exited (${String(code)}) before listening` +
            (/Cannot find module|MODULE_NOT_FOUND/.test(stderr) ? " — build the workspace first (pnpm build)" : "") +
            `:\n${stderr}`,
        );
      }),
    ]);
    const { port, apiKey } = JSON.parse(first) as { port: number; apiKey: string };
    return {
      baseUrl: `http://127.0.0.1:${port}`,
      apiKey,
      async close() {
        if (child.exitCode === null) {
          const exited = once(child, "exit");
          child.stdin.end();
          await exited;
        }
        rmSync(dir, { recursive: true, force: true });
      },
    };
  } catch (error) {
    child.kill("SIGKILL");
    rmSync(dir, { recursive: true, force: true });
    throw error;
  } finally {
    clearTimeout(timer);
  }
}
