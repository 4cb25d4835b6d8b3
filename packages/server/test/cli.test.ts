import http from "node:http";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { openStorage, parseApiKey } from "../src/index";
import { otlpBody, sessionSpans } from "./utils/otlp-bodies";
import { assertBuilt, runCli, startServe, type ServeProcess } from "./utils/cli-process";

describe("agentops-server CLI", () => {
  let folder: string;
  const running: ServeProcess[] = [];
  beforeAll(() => assertBuilt());
  beforeEach(() => {
    folder = mkdtempSync(path.join(tmpdir(), "agentops-cli-"));
  });
  afterEach(async () => {
    await Promise.all(running.splice(0).map((serve) => serve.stop("SIGKILL")));
    rmSync(folder, { recursive: true, force: true });
  });

  const db = () => `sqlite:${path.join(folder, "data", "agentops.db")}`;

  async function createProject(name = "demo"): Promise<{ project_id: string; api_key: string }> {
    const result = await runCli(["projects", "create", name, "--db", db(), "--json"]);
    expect(result).toMatchObject({ code: 0, stderr: "" });
    const lines = result.stdout.trim().split("\n");
    expect(lines).toHaveLength(1);
    return JSON.parse(lines[0]!);
  }

  it("projects create --json prints the project id and a new key on one line, and stores only its hash", async () => {
    const created = await createProject();
    expect(Object.keys(created).sort()).toEqual(["api_key", "project_id"]);
    const parsed = parseApiKey(created.api_key)!;
    expect(parsed).toBeDefined();
    const storage = await openStorage(db());
    try {
      const row = await storage.findKey(parsed.lookup);
      expect(row!.projectId).toBe(created.project_id);
      expect(row!.keyHash).not.toContain(parsed.secret);
    } finally {
      await storage.close();
    }
  });

  it("projects create without --json prints the key once, readably", async () => {
    const result = await runCli(["projects", "create", "readable", "--db", db()]);
    expect(result.code).toBe(0);
    const keys = result.stdout.match(/ak_[0-9a-f]{16}_[A-Za-z0-9_-]{43}/g);
    expect(keys).toHaveLength(1);
    expect(result.stdout).toMatch(/shown once/);
  });

  it("exits 2 with the usage on a bad command or option", async () => {
    for (const args of [["nope"], ["projects", "create"], ["serve", "--port", "abc"], ["serve", "--bogus"]]) {
      const result = await runCli(args);
      expect({ args, code: result.code }).toEqual({ args, code: 2 });
      expect(result.stderr).toMatch(/Usage:/);
    }
  });

  it("serve (SQLite, env configuration) ingests, answers the API and logs one JSON line per request without keys or prompts", async () => {
    const { api_key: apiKey } = await createProject();
    const serve = await startServe([], { AGENTOPS_SERVER_PORT: "0", AGENTOPS_SERVER_DB: db() });
    running.push(serve);
    expect(serve.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);

    expect((await fetch(`${serve.url}/healthz`)).status).toBe(200);
    const session = sessionSpans();
    const ingest = await fetch(`${serve.url}/v1/traces`, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${apiKey}` },
      body: otlpBody(session.spans, "json"),
    });
    expect(ingest.status).toBe(200);
    const stats = await fetch(`${serve.url}/v2/sessions/${session.sessionId}/stats`, {
      headers: { "x-agentops-api-key": apiKey },
    });
    expect(await stats.json()).toMatchObject({ llm_calls: 1, cost: "0.007500" });
    const exported = await fetch(`${serve.url}/v2/sessions/${session.sessionId}/export`, {
      headers: { "x-agentops-api-key": apiKey },
    });
    const body = (await exported.json()) as { llms: Array<{ prompt: unknown }> };
    expect(body.llms[0]!.prompt).toEqual([{ role: "user", parts: [{ type: "text", content: "hello" }] }]);

    await waitFor(() => serve.logs.filter((entry) => entry.msg === "request").length >= 4);
    const requests = serve.logs.filter((entry) => entry.msg === "request");
    expect(requests.map((entry) => [entry.method, entry.url, entry.status])).toEqual([
      ["GET", "/healthz", 200],
      ["POST", "/v1/traces", 200],
      ["GET", `/v2/sessions/${session.sessionId}/stats`, 200],
      ["GET", `/v2/sessions/${session.sessionId}/export`, 200],
    ]);
    expect(requests[1]).toMatchObject({ spans_accepted: session.spans.length, spans_rejected: 0 });
    const output = serve.output();
    expect(output).not.toContain(apiKey);
    expect(output).not.toContain(parseApiKey(apiKey)!.secret);
    expect(output).not.toContain("hello"); // the prompt
  });

  it("on SIGTERM stops accepting, finishes the request in flight, closes the database and exits 0", async () => {
    const { api_key: apiKey } = await createProject();
    const serve = await startServe(["--port", "0", "--db", db()]);
    running.push(serve);
    const { port } = new URL(serve.url);
    const session = sessionSpans();
    const body = otlpBody(session.spans, "protobuf");

    const inFlight = http.request({
      host: "127.0.0.1",
      port: Number(port),
      path: "/v1/traces",
      method: "POST",
      headers: { "content-type": "application/x-protobuf", "x-agentops-api-key": apiKey, "content-length": body.length },
    });
    const answered = new Promise<number>((resolve, reject) => {
      inFlight.on("response", (response) => {
        response.resume();
        resolve(response.statusCode!);
      });
      inFlight.on("error", reject);
    });
    inFlight.write(body.subarray(0, 10));
    // The request is in flight once its headers reached the server; give the socket a moment.
    await new Promise((resolve) => setTimeout(resolve, 200));

    serve.child.kill("SIGTERM");
    await waitFor(() => serve.logs.some((entry) => String(entry.msg).startsWith("shutting down")));
    await expect(fetch(`${serve.url}/healthz`)).rejects.toThrow();

    inFlight.end(body.subarray(10));
    expect(await answered).toBe(200);
    expect(await serve.exited).toBe(0);
    expect(serve.logs.some((entry) => entry.msg === "stopped")).toBe(true);

    // The database was closed cleanly and holds the spans of the finished request.
    expect(existsSync(path.join(folder, "data", "agentops.db-wal"))).toBe(false);
    const storage = await openStorage(db());
    try {
      const projectId = (await projectIdOf(storage, apiKey))!;
      expect(await storage.sessionStats(projectId, session.sessionId)).toMatchObject({ llm_calls: 1, tool_calls: 1 });
    } finally {
      await storage.close();
    }
  });

  it("exits 0 on SIGINT too", async () => {
    await createProject();
    const serve = await startServe(["--port", "0", "--db", db()]);
    running.push(serve);
    expect(await serve.stop("SIGINT")).toBe(0);
  });
});

async function projectIdOf(storage: Awaited<ReturnType<typeof openStorage>>, apiKey: string): Promise<string | undefined> {
  return (await storage.findKey(parseApiKey(apiKey)!.lookup))?.projectId;
}

async function waitFor(condition: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error("condition not met in time");
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
