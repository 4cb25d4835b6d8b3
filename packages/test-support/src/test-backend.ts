import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { startMockProvider, type MockProvider } from "@agentops/mock-provider";
import { createServer, generateApiKey, openStorage, type Storage } from "@agentops/server";

/** A real server on SQLite in a temporary folder, with one project, reachable on loopback. */
export interface TestBackend {
  /** The server's base URL (`http://127.0.0.1:<port>`), the SDK's `endpoint`. */
  url: string;
  /** The project's API key, as the SDK and the REST API take it. */
  apiKey: string;
  /** The server's storage, for tests that read or seed it directly. */
  storage: Storage;
  /** The mock OpenAI/Anthropic provider, when asked for. */
  provider: MockProvider | undefined;
  /** Closes the mock provider, the server and its storage, and removes the folder. */
  close(): Promise<void>;
}

export interface TestBackendOptions {
  /** Starts the mock provider too (its URL is `provider.url`). */
  mockProvider?: boolean;
}

/**
 * Starts a server (no dashboard) on an SQLite file in a new temporary folder named after the
 * project, creates the project with a fresh API key and, when asked, starts the mock provider.
 * If any step fails, what was started is closed before the error is thrown.
 */
export function startTestBackend(projectName: string, options: TestBackendOptions & { mockProvider: true }): Promise<TestBackend & { provider: MockProvider }>;
export function startTestBackend(projectName: string, options?: TestBackendOptions): Promise<TestBackend>;
export async function startTestBackend(projectName: string, options: TestBackendOptions = {}): Promise<TestBackend> {
  const folder = mkdtempSync(path.join(tmpdir(), `agentops-${projectName}-`));
  let storage: Storage | undefined;
  let app: ReturnType<typeof createServer> | undefined;
  let provider: MockProvider | undefined;
  // The same order whether the backend is closed by the test or after a failed start.
  const close = async (): Promise<void> => {
    await provider?.close();
    await app?.close();
    await storage?.close();
    rmSync(folder, { recursive: true, force: true });
  };
  try {
    storage = await openStorage(`sqlite:${path.join(folder, "agentops.db")}`);
    const key = generateApiKey();
    await storage.createProject(projectName, key.lookup, key.hash);
    app = createServer({ storage, dashboardDir: false });
    const url = await app.listen({ port: 0, host: "127.0.0.1" });
    if (options.mockProvider) provider = await startMockProvider();
    return { url, apiKey: key.apiKey, storage, provider, close };
  } catch (error) {
    await close().catch(() => undefined);
    throw error;
  }
}
