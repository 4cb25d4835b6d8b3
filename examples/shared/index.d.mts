import type { MockProvider, startMockProvider } from "@agentops/mock-provider";

/** The `agentops-server` command of the workspace's built server package. */
export declare const SERVER_CLI: string;

export { startMockProvider };
export type { MockProvider };

export interface ServerOptions {
  /** Folder of the SQLite database and of `server.log`. */
  dataDir: string;
  /** Default 0: any free port. */
  port?: number;
  /** Default "127.0.0.1". */
  host?: string;
  /** Name of the project created for the key. Default "examples". */
  projectName?: string;
  /** Serve the built dashboard at `/`. Default true. */
  dashboard?: boolean;
}

export interface RunningServer {
  url: string;
  apiKey: string;
  projectId: string;
  database: string;
  logFile: string;
  get<T = unknown>(path: string): Promise<T>;
  stop(): Promise<void>;
}

/** Creates a project and starts `agentops-server serve` on SQLite in `dataDir`. */
export declare function startServer(options: ServerOptions): Promise<RunningServer>;

export interface LocalBackend {
  endpoint: string;
  apiKey: string;
  providerUrl: string;
  close(): Promise<void>;
}

/**
 * The server and mock provider named by AGENTOPS_API_ENDPOINT / AGENTOPS_API_KEY /
 * MOCK_PROVIDER_URL, or local ones started for this process (written to `process.env`).
 */
export declare function localBackend(options?: { streamDelayMs?: number }): Promise<LocalBackend>;
