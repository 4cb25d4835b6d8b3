import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import type { TokenResponse } from "../src/index";
import { assertBuilt, runCli, startServe, type ServeProcess } from "./utils/cli-process";
import { contentType, otlpBody, sessionSpans } from "./utils/otlp-bodies";
import { PG_URL, pgSchemas } from "./utils/pg-schema";

/**
 * Tokens across real `agentops-server serve` processes: a restart keeps them valid (the secret
 * lives in the database), the environment configures them, and replicas on one PostgreSQL
 * database accept each other's.
 */

async function createProject(db: string): Promise<{ project_id: string; api_key: string }> {
  const result = await runCli(["projects", "create", "tokens", "--db", db, "--json"]);
  expect(result.code).toBe(0);
  return JSON.parse(result.stdout);
}

async function exchange(url: string, apiKey: string): Promise<TokenResponse> {
  const response = await fetch(`${url}/v3/auth/token`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ api_key: apiKey }),
  });
  expect(response.status).toBe(200);
  return (await response.json()) as TokenResponse;
}

/** Sends a session with the token, then reads its stats with it: both statuses. */
async function useToken(url: string, token: string): Promise<{ ingest: number; stats: number }> {
  const session = sessionSpans();
  const ingest = await fetch(`${url}/v1/traces`, {
    method: "POST",
    headers: { "content-type": contentType("protobuf"), authorization: `Bearer ${token}` },
    body: otlpBody(session.spans, "protobuf"),
  });
  const stats = await fetch(`${url}/v2/sessions/${session.sessionId}/stats`, {
    headers: { authorization: `Bearer ${token}` },
  });
  return { ingest: ingest.status, stats: stats.status };
}

describe("tokens across server processes (SQLite)", () => {
  let folder: string;
  let db: string;
  const running: ServeProcess[] = [];
  beforeAll(() => assertBuilt());
  beforeEach(() => {
    folder = mkdtempSync(path.join(tmpdir(), "agentops-token-process-"));
    db = `sqlite:${path.join(folder, "agentops.db")}`;
  });
  afterEach(async () => {
    await Promise.all(running.splice(0).map((serve) => serve.stop("SIGKILL")));
    rmSync(folder, { recursive: true, force: true });
  });

  async function serve(env: NodeJS.ProcessEnv = {}): Promise<ServeProcess> {
    const process = await startServe(["--port", "0", "--db", db, "--no-dashboard"], env);
    running.push(process);
    return process;
  }

  it("a token stays valid after the server restarts", async () => {
    const { api_key } = await createProject(db);
    const first = await serve();
    const { token } = await exchange(first.url, api_key);
    expect(await useToken(first.url, token)).toEqual({ ingest: 200, stats: 200 });
    expect(await first.stop("SIGTERM")).toBe(0);

    const second = await serve();
    expect(await useToken(second.url, token)).toEqual({ ingest: 200, stats: 200 });
    // The secret and the token never reach the log.
    expect(first.output() + second.output()).not.toContain(token.split(".")[2]!);
  });

  it("AGENTOPS_SERVER_TOKEN_SECRET and AGENTOPS_SERVER_TOKEN_LIFETIME_SECONDS configure the tokens", async () => {
    const { api_key } = await createProject(db);
    const secretA = "first-secret-for-the-token-process-test";
    const secretB = "second-secret-for-the-token-process-test";
    const first = await serve({ AGENTOPS_SERVER_TOKEN_SECRET: secretA, AGENTOPS_SERVER_TOKEN_LIFETIME_SECONDS: "120" });
    const before = Date.now();
    const issued = await exchange(first.url, api_key);
    const lifetime = Date.parse(issued.expires_at) - before;
    expect(lifetime).toBeGreaterThan(115_000);
    expect(lifetime).toBeLessThanOrEqual(121_000);
    await first.stop("SIGTERM");

    // Another secret: the old token means nothing; the same secret again: it is valid.
    const second = await serve({ AGENTOPS_SERVER_TOKEN_SECRET: secretB });
    expect(await useToken(second.url, issued.token)).toEqual({ ingest: 401, stats: 401 });
    await second.stop("SIGTERM");
    const third = await serve({ AGENTOPS_SERVER_TOKEN_SECRET: secretA });
    expect(await useToken(third.url, issued.token)).toEqual({ ingest: 200, stats: 200 });
  });

  it("refuses to start with a weak secret or a bad lifetime (exit 1, a clear message)", async () => {
    await expect(serve({ AGENTOPS_SERVER_TOKEN_SECRET: "too-short" })).rejects.toThrow(/exited with 1[\s\S]*at least 32 bytes/);
    await expect(serve({ AGENTOPS_SERVER_TOKEN_LIFETIME_SECONDS: "a day" })).rejects.toThrow(
      /exited with 1[\s\S]*AGENTOPS_SERVER_TOKEN_LIFETIME_SECONDS/,
    );
  });
});

const pgUrl = PG_URL;
if (!pgUrl) {
  console.warn("token replica test NOT RUN: set AGENTOPS_TEST_PG_URL=postgres://user:password@host:port/database");
  test.skip("token replica test NOT RUN (AGENTOPS_TEST_PG_URL is not set)", () => undefined);
} else {
  describe("tokens across replicas on one PostgreSQL database", () => {
    const schemas = pgSchemas(pgUrl);
    const running: ServeProcess[] = [];
    beforeAll(() => assertBuilt());
    afterAll(async () => {
      await Promise.all(running.splice(0).map((serve) => serve.stop("SIGKILL")));
      await schemas.dropAll();
    });

    it("replicas started together agree on one generated secret: each accepts the other's tokens", async () => {
      const db = await schemas.fresh();
      const { api_key } = await createProject(db);
      const replicas = await Promise.all(
        [0, 1, 2].map(() => startServe(["--port", "0", "--db", db, "--no-dashboard"])),
      );
      running.push(...replicas);
      const tokens = await Promise.all(replicas.map((replica) => exchange(replica.url, api_key)));
      for (const [issuer, { token }] of tokens.entries()) {
        for (const [index, replica] of replicas.entries()) {
          if (index === issuer) continue;
          expect(await useToken(replica.url, token)).toEqual({ ingest: 200, stats: 200 });
        }
      }
    });
  });
}
