import { type ChildProcess, spawn } from "node:child_process";
import { existsSync } from "node:fs";
import path from "node:path";
import { createInterface } from "node:readline";

/** The built CLI: child-process tests run the build output, as users do. */
export const CLI = path.join(__dirname, "..", "..", "dist", "cli.js");

export function assertBuilt(): void {
  if (!existsSync(CLI)) throw new Error(`${CLI} is missing: build the server package first (pnpm build)`);
}

export interface RunResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs the CLI to completion. */
export function runCli(args: string[], env: NodeJS.ProcessEnv = {}, timeoutMs = 30_000, cwd?: string): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], { cwd, env: { ...process.env, ...env }, stdio: "pipe" });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk) => (stdout += chunk));
    child.stderr.on("data", (chunk) => (stderr += chunk));
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`agentops-server ${args.join(" ")} did not finish in ${timeoutMs} ms`));
    }, timeoutMs);
    child.on("error", reject);
    child.on("close", (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

/** A running `agentops-server serve`, with its JSON log lines. */
export interface ServeProcess {
  child: ChildProcess;
  url: string;
  logs: Array<Record<string, unknown>>;
  /** Raw stdout and stderr, to check what never appears in them. */
  output(): string;
  exited: Promise<number | null>;
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

/** Starts `agentops-server serve` and resolves once it logs that it listens. */
export function startServe(args: string[], env: NodeJS.ProcessEnv = {}, timeoutMs = 30_000): Promise<ServeProcess> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, "serve", ...args], { env: { ...process.env, ...env }, stdio: "pipe" });
    const logs: Array<Record<string, unknown>> = [];
    let raw = "";
    const exited = new Promise<number | null>((resolveExit) => child.on("close", (code) => resolveExit(code)));
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`serve did not listen in ${timeoutMs} ms:\n${raw}`));
    }, timeoutMs);
    child.stderr!.on("data", (chunk) => (raw += chunk));
    createInterface({ input: child.stdout! }).on("line", (line) => {
      raw += line + "\n";
      let entry: Record<string, unknown>;
      try {
        entry = JSON.parse(line);
      } catch {
        return;
      }
      logs.push(entry);
      if (entry.msg === "listening") {
        clearTimeout(timer);
        resolve({
          child,
          url: String(entry.address),
          logs,
          output: () => raw,
          exited,
          async stop(signal: NodeJS.Signals = "SIGTERM") {
            if (child.exitCode === null && child.signalCode === null) child.kill(signal);
            return exited;
          },
        });
      }
    });
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`serve exited with ${code} before listening:\n${raw}`));
    });
  });
}
