import { execFile, spawn, type ChildProcess } from "node:child_process";
import * as path from "node:path";
import { createInterface } from "node:readline";

export const SERVER_CLI = path.join(__dirname, "..", "..", "..", "server", "dist", "cli.js");

/** A real `agentops-server serve` process. */
export interface ServerProcess {
  url: string;
  child: ChildProcess;
  kill(signal?: NodeJS.Signals): Promise<void>;
}

export function createProject(db: string, name: string): Promise<{ project_id: string; api_key: string }> {
  return new Promise((resolve, reject) => {
    execFile(process.execPath, [SERVER_CLI, "projects", "create", name, "--db", db, "--json"], { timeout: 30_000 }, (error, stdout, stderr) => {
      if (error) return reject(new Error(`projects create failed: ${stderr}`));
      resolve(JSON.parse(stdout.trim().split("\n").pop()!));
    });
  });
}

export function startServer(db: string, port = 0): Promise<ServerProcess> {
  const child = spawn(process.execPath, [SERVER_CLI, "serve", "--port", String(port), "--db", db], { stdio: ["ignore", "pipe", "pipe"] });
  return new Promise((resolve, reject) => {
    let output = "";
    child.stderr!.on("data", (chunk) => (output += chunk));
    const timer = setTimeout(() => reject(new Error(`server did not start: ${output}`)), 30_000);
    child.on("exit", (code) => reject(new Error(`server exited with ${code}: ${output}`)));
    createInterface({ input: child.stdout! }).on("line", (line) => {
      try {
        const entry = JSON.parse(line);
        if (entry.msg === "listening") {
          clearTimeout(timer);
          resolve({
            url: String(entry.address),
            child,
            kill: (signal: NodeJS.Signals = "SIGTERM") =>
              new Promise<void>((done) => {
                if (child.exitCode !== null || child.signalCode !== null) return done();
                child.once("exit", () => done());
                child.kill(signal);
              }),
          });
        }
      } catch {
        // not a log line
      }
    });
  });
}

/** A real server on a SQLite database in a temporary folder, with one project, for a test file. */
export interface ProjectServer {
  server: ServerProcess;
  apiKey: string;
  /** The folder of the database files. */
  dir: string;
  /** The `--db` URL of the database. */
  db: string;
  stop(): Promise<void>;
}

export async function startProjectServer(name: string): Promise<ProjectServer> {
  const { mkdtempSync, rmSync } = await import("node:fs");
  const { tmpdir } = await import("node:os");
  const dir = mkdtempSync(path.join(tmpdir(), `agentops-${name}-`));
  const db = `sqlite:${path.join(dir, "agentops.db")}`;
  const apiKey = (await createProject(db, name)).api_key;
  const handle: ProjectServer = {
    server: await startServer(db),
    apiKey,
    dir,
    db,
    async stop() {
      await handle.server.kill();
      rmSync(dir, { recursive: true, force: true });
    },
  };
  return handle;
}
