import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import type { FastifyInstance } from "fastify";
import { createServer, generateApiKey, openStorage, type ServerOptions, type Storage } from "../../src/index";

export interface TestProject {
  id: string;
  apiKey: string;
}

export interface TestServer {
  url: string;
  app: FastifyInstance;
  storage: Storage;
  projectA: TestProject;
  projectB: TestProject;
  close(): Promise<void>;
}

/** Creates a project with a fresh key in a store. */
export async function createTestProject(storage: Storage, name: string): Promise<TestProject> {
  const key = generateApiKey();
  const project = await storage.createProject(name, key.lookup, key.hash);
  return { id: project.id, apiKey: key.apiKey };
}

/**
 * A real server on a loopback port over a real store: SQLite in a fresh folder by default, or
 * the database `databaseUrl` names.
 */
export async function startTestServer(
  options: Partial<ServerOptions> & { databaseUrl?: string } = {},
): Promise<TestServer> {
  const { databaseUrl, ...serverOptions } = options;
  const folder = databaseUrl ? undefined : mkdtempSync(path.join(tmpdir(), "agentops-server-test-"));
  const storage = await openStorage(databaseUrl ?? `sqlite:${path.join(folder!, "agentops.db")}`);
  const projectA = await createTestProject(storage, "project-a");
  const projectB = await createTestProject(storage, "project-b");
  const app = createServer({ dashboardDir: false, ...serverOptions, storage });
  const address = await app.listen({ port: 0, host: "127.0.0.1" });
  return {
    url: address,
    app,
    storage,
    projectA,
    projectB,
    async close() {
      await app.close();
      await storage.close();
      if (folder) rmSync(folder, { recursive: true, force: true });
    },
  };
}
