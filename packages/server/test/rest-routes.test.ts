import http from "node:http";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import type { ExportedErrorEvent, ExportedLlmEvent, SessionExport, SessionSpansResponse, SessionStats } from "../src/index";
import { hex, otlpBody, sessionSpans } from "./utils/otlp-bodies";
import { startTestServer, type TestServer } from "./utils/server-harness";

const STATS_KEYS = [
  "session_id",
  "project_id",
  "start_timestamp",
  "end_timestamp",
  "duration_ms",
  "end_state",
  "end_state_reason",
  "tags",
  "events",
  "llm_calls",
  "tool_calls",
  "actions",
  "errors",
  "prompt_tokens",
  "completion_tokens",
  "cached_tokens",
  "reasoning_tokens",
  "total_tokens",
  "cost",
  "scores",
].sort();

async function ingest(server: TestServer, apiKey: string, spans: ReturnType<typeof sessionSpans>["spans"]): Promise<void> {
  const response = await fetch(`${server.url}/v1/traces`, {
    method: "POST",
    headers: { "content-type": "application/x-protobuf", "x-agentops-api-key": apiKey },
    body: otlpBody(spans, "protobuf"),
  });
  expect(response.status).toBe(200);
}

async function get(server: TestServer, route: string, apiKey?: string): Promise<{ status: number; headers: Headers; json: any }> {
  const response = await fetch(`${server.url}${route}`, { headers: apiKey ? { "x-agentops-api-key": apiKey } : {} });
  const text = await response.text();
  return { status: response.status, headers: response.headers, json: text ? JSON.parse(text) : undefined };
}

describe("REST API", () => {
  let server: TestServer;
  let sessionA: ReturnType<typeof sessionSpans>;
  let sessionB: ReturnType<typeof sessionSpans>;
  beforeAll(async () => {
    server = await startTestServer();
    sessionA = sessionSpans({ tags: ["alpha"] });
    sessionB = sessionSpans({ tags: ["beta"] });
    await ingest(server, server.projectA.apiKey, sessionA.spans);
    await ingest(server, server.projectB.apiKey, sessionB.spans);
  });
  afterAll(async () => {
    await server.close();
  });

  const sessionRoutes = (id: string) => [`/v2/sessions/${id}/stats`, `/v2/sessions/${id}/export`, `/v2/sessions/${id}/spans`];

  it("GET /v2/sessions/:id/stats answers the contract's shape with the session's totals", async () => {
    const { status, json } = await get(server, `/v2/sessions/${sessionA.sessionId}/stats`, server.projectA.apiKey);
    expect(status).toBe(200);
    expect(Object.keys(json).sort()).toEqual(STATS_KEYS);
    const stats = json as SessionStats;
    expect(stats).toMatchObject({
      session_id: sessionA.sessionId,
      project_id: server.projectA.id,
      end_state: "Success",
      tags: ["alpha"],
      llm_calls: 1,
      tool_calls: 1,
      actions: 1,
      errors: 1,
      events: 4,
      prompt_tokens: 1000,
      completion_tokens: 500,
      total_tokens: 1500,
      cost: "0.007500",
      duration_ms: 5000,
    });
  });

  it("accepts session ids without dashes and in upper case", async () => {
    const compact = sessionA.traceId.toUpperCase();
    const { status, json } = await get(server, `/v2/sessions/${compact}/stats`, server.projectA.apiKey);
    expect(status).toBe(200);
    expect(json.session_id).toBe(sessionA.sessionId);
  });

  it("answers 401 on every route without a key or with an unknown key", async () => {
    const forged = `ak_${"0".repeat(16)}_${"A".repeat(43)}`;
    for (const route of [...sessionRoutes(sessionA.sessionId), "/v2/sessions", "/v2/project", "/v2/usage"]) {
      for (const key of [undefined, forged, "garbage"]) {
        const { status, json } = await get(server, route, key);
        expect({ route, status }).toEqual({ route, status: 401 });
        expect(json).toEqual({ error: "unauthorized", message: "missing or unknown API key" });
      }
    }
  });

  it("answers the same 404 for another project's session and for no session, on every route", async () => {
    const unknown = "00000000-0000-4000-8000-000000000001";
    for (const [own, other] of [
      [server.projectA.apiKey, sessionB.sessionId],
      [server.projectB.apiKey, sessionA.sessionId],
    ] as const) {
      for (const route of [...sessionRoutes(other), ...sessionRoutes(unknown)]) {
        const { status, json } = await get(server, route, own);
        expect({ route, status }).toEqual({ route, status: 404 });
        expect(json).toEqual({ error: "not_found", message: "session not found" });
      }
    }
  });

  it("answers 400 for ids that are not UUIDs", async () => {
    for (const id of ["nope", "00000000-0000-0000-0000-000000000000", "1234", "g".repeat(32)]) {
      for (const route of sessionRoutes(id)) {
        const { status, json } = await get(server, route, server.projectA.apiKey);
        expect({ route, status }).toEqual({ route, status: 400 });
        expect(json.error).toBe("bad_request");
      }
    }
  });

  it("GET /v2/sessions/:id/export streams the session, its stats and its events by kind", async () => {
    const response = await fetch(`${server.url}/v2/sessions/${sessionA.sessionId}/export`, {
      headers: { "x-agentops-api-key": server.projectA.apiKey },
    });
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toContain("application/json");
    // Written incrementally, so the length is not known up front.
    expect(response.headers.get("transfer-encoding")).toBe("chunked");
    const body = (await response.json()) as SessionExport;
    expect(Object.keys(body)).toEqual(["session", "stats", "actions", "llms", "tools", "errors", "scores"]);
    expect(body.scores).toEqual([]);
    expect(body.session).toMatchObject({
      id: sessionA.sessionId,
      project_id: server.projectA.id,
      end_state: "Success",
      tags: ["alpha"],
      host_env: expect.objectContaining({ "host.name": "test-host" }),
    });
    expect(body.stats.llm_calls).toBe(1);

    const llm = body.llms[0] as ExportedLlmEvent;
    expect(body.llms).toHaveLength(1);
    expect(llm).toMatchObject({
      id: sessionA.llmEventId,
      model: "gpt-4o",
      prompt: [{ role: "user", parts: [{ type: "text", content: "hello" }] }],
      completion: [{ role: "assistant", parts: [{ type: "text", content: "hi" }] }],
      prompt_tokens: 1000,
      completion_tokens: 500,
    });
    expect(llm.cost).toBeCloseTo(0.0075, 9);
    expect(Date.parse(llm.init_timestamp)).toBeLessThan(Date.parse(llm.end_timestamp));

    expect(body.tools).toEqual([
      expect.objectContaining({ name: "search", params: { q: "otel" }, returns: ["a", "b"], logs: null }),
    ]);
    expect(body.actions).toEqual([
      expect.objectContaining({ action_type: "click", params: { x: 1 }, returns: null, screenshot: null }),
    ]);
    const error = body.errors[0] as ExportedErrorEvent;
    expect(body.errors).toHaveLength(1);
    expect(error).toMatchObject({
      error_type: "ValueError",
      code: "E42",
      exception: { type: "ValueError", message: "boom", stacktrace: "at x" },
      trigger_event_id: null,
    });
  });

  it("lists a failed LLM call in errors too, pointing at the call", async () => {
    const session = sessionSpans();
    const failed = session.spans[1]!;
    failed.status = { code: 2, message: "rate limited" };
    failed.attributes = { ...failed.attributes, "error.type": "RateLimitError" };
    await ingest(server, server.projectA.apiKey, session.spans);
    const { json } = await get(server, `/v2/sessions/${session.sessionId}/export`, server.projectA.apiKey);
    expect(json.stats.errors).toBe(2);
    expect(json.errors).toHaveLength(2);
    expect(json.errors).toContainEqual(
      expect.objectContaining({ error_type: "RateLimitError", trigger_event_id: session.llmEventId, details: "rate limited" }),
    );
  });

  it("GET /v2/sessions/:id/spans lists every span with parents, kinds, times, attributes and resource", async () => {
    const { status, json } = await get(server, `/v2/sessions/${sessionA.sessionId}/spans`, server.projectA.apiKey);
    expect(status).toBe(200);
    const body = json as SessionSpansResponse;
    expect(body.session_id).toBe(sessionA.sessionId);
    expect(body.spans).toHaveLength(sessionA.spans.length);
    const root = body.spans.find((span) => span.span_id === sessionA.rootSpanId)!;
    expect(root).toMatchObject({ parent_span_id: null, kind: "session", trace_id: sessionA.traceId, duration_ms: 5000 });
    for (const span of body.spans.filter((item) => item !== root)) expect(span.parent_span_id).toBe(sessionA.rootSpanId);
    expect(body.spans.map((span) => span.kind).sort()).toEqual(["action", "error", "llm", "session", "tool"]);
    const llm = body.spans.find((span) => span.kind === "llm")!;
    expect(llm.attributes["gen_ai.request.model"]).toBe("gpt-4o");
    expect(llm.resource["service.name"]).toBe("server-tests");
    expect(llm.start_time_unix_nano).toMatch(/^\d{19}$/);
    const starts = body.spans.map((span) => BigInt(span.start_time_unix_nano));
    expect([...starts].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))).toEqual(starts);
    const error = body.spans.find((span) => span.kind === "error")!;
    expect(error.events[0]).toMatchObject({ name: "exception", attributes: { "exception.message": "boom" } });
  });

  it("GET /v2/project answers the key's project", async () => {
    expect(await get(server, "/v2/project", server.projectB.apiKey)).toMatchObject({
      status: 200,
      json: { project_id: server.projectB.id, name: expect.any(String) },
    });
    const { json } = await get(server, "/v2/project", server.projectB.apiKey);
    expect((json as { name: string }).name).not.toBe((await get(server, "/v2/project", server.projectA.apiKey)).json.name);
  });
});

describe("GET /v2/sessions", () => {
  let server: TestServer;
  const base = Date.parse("2026-01-01T00:00:00Z");
  const sessions: Array<ReturnType<typeof sessionSpans>> = [];
  beforeAll(async () => {
    server = await startTestServer();
    for (let index = 0; index < 5; index++) {
      const session = sessionSpans({
        startMs: base + index * 60_000,
        tags: index % 2 === 0 ? ["even"] : ["odd"],
        endState: index === 4 ? "Failure" : "Success",
      });
      sessions.push(session);
      await ingest(server, server.projectA.apiKey, session.spans);
    }
    await ingest(server, server.projectB.apiKey, sessionSpans({ startMs: base }).spans);
  });
  afterAll(async () => {
    await server.close();
  });

  const list = (query: string, apiKey = server.projectA.apiKey) => get(server, `/v2/sessions${query}`, apiKey);

  it("pages through the project's sessions, newest first, with their stats", async () => {
    const seen: string[] = [];
    let cursor: string | null = null;
    for (let page = 0; page < 5; page++) {
      const { status, json } = await list(`?limit=2${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ""}`);
      expect(status).toBe(200);
      expect(json.sessions.length).toBeLessThanOrEqual(2);
      for (const stats of json.sessions) {
        expect(Object.keys(stats).sort()).toEqual(STATS_KEYS);
        expect(stats.project_id).toBe(server.projectA.id);
        seen.push(stats.session_id);
      }
      cursor = json.next_cursor;
      if (!cursor) break;
    }
    expect(seen).toEqual(sessions.map((session) => session.sessionId).reverse());
  });

  it("filters by tag, end state and start time", async () => {
    const even = await list("?tag=even");
    expect(even.json.sessions.map((stats: SessionStats) => stats.session_id)).toEqual(
      [sessions[4], sessions[2], sessions[0]].map((session) => session!.sessionId),
    );
    const failed = await list("?end_state=Failure");
    expect(failed.json.sessions.map((stats: SessionStats) => stats.session_id)).toEqual([sessions[4]!.sessionId]);
    const window = await list(
      `?from=${new Date(base + 60_000).toISOString()}&to=${new Date(base + 3 * 60_000).toISOString()}`,
    );
    const ids = window.json.sessions.map((stats: SessionStats) => stats.session_id);
    expect(ids).toEqual(expect.arrayContaining([sessions[2]!.sessionId]));
    expect(ids).not.toContain(sessions[0]!.sessionId);
    expect(ids).not.toContain(sessions[4]!.sessionId);
  });

  it("answers 400 for bad parameters", async () => {
    for (const query of ["?limit=0", "?limit=201", "?limit=abc", "?end_state=Done", "?from=yesterday", "?to=2026-13-45", "?cursor=%%%not-ours"]) {
      const { status, json } = await list(query);
      expect({ query, status }).toEqual({ query, status: 400 });
      expect(json.error).toBe("bad_request");
    }
  });

  it("never lists another project's sessions", async () => {
    const { json } = await list("?limit=200", server.projectB.apiKey);
    expect(json.sessions).toHaveLength(1);
    expect(json.sessions[0].project_id).toBe(server.projectB.id);
  });
});

describe("GET /v2/usage", () => {
  let server: TestServer;
  const base = Date.parse("2026-01-01T23:58:00Z");
  beforeAll(async () => {
    server = await startTestServer();
    // Five sessions a minute apart: their LLM calls fall on 2026-01-01 (0, 1) and 2026-01-02 (2, 3, 4).
    for (let index = 0; index < 5; index++) {
      const session = sessionSpans({ startMs: base + index * 60_000, tags: index % 2 === 0 ? ["even"] : ["odd"] });
      await ingest(server, server.projectA.apiKey, session.spans);
    }
    await ingest(server, server.projectB.apiKey, sessionSpans({ startMs: base }).spans);
  });
  afterAll(async () => {
    await server.close();
  });

  const usage = (query: string, apiKey = server.projectA.apiKey) => get(server, `/v2/usage${query}`, apiKey);
  const row = (day: string, calls: number) => ({
    day,
    model: "gpt-4o",
    llm_calls: calls,
    prompt_tokens: 1000 * calls,
    completion_tokens: 500 * calls,
    cached_tokens: 0,
    reasoning_tokens: 0,
    cost: (0.0075 * calls).toFixed(6),
  });

  it("answers the project's LLM calls per UTC day and model", async () => {
    const { status, json } = await usage("");
    expect(status).toBe(200);
    expect(json).toEqual({ usage: [row("2026-01-01", 2), row("2026-01-02", 3)] });
    expect((await usage("", server.projectB.apiKey)).json).toEqual({ usage: [row("2026-01-01", 1)] });
  });

  it("filters by start time and tag", async () => {
    const from = new Date(base + 60_000).toISOString();
    const to = new Date(base + 3 * 60_000).toISOString();
    expect((await usage(`?from=${from}&to=${to}`)).json).toEqual({
      usage: [row("2026-01-01", 1), row("2026-01-02", 1)],
    });
    expect((await usage("?tag=even")).json).toEqual({ usage: [row("2026-01-01", 1), row("2026-01-02", 2)] });
    expect((await usage("?tag=none")).json).toEqual({ usage: [] });
    expect((await usage("?from=2030-01-01T00:00:00Z")).json).toEqual({ usage: [] });
  });

  it("answers 400 for bad parameters", async () => {
    for (const query of ["?from=yesterday", "?to=2026-13-45", "?from=a&from=b", `?tag=${"x".repeat(1025)}`]) {
      const { status, json } = await usage(query);
      expect({ query, status }).toEqual({ query, status: 400 });
      expect(json.error).toBe("bad_request");
    }
  });
});

describe("dashboard", () => {
  let server: TestServer;
  let folder: string;
  beforeAll(async () => {
    folder = mkdtempSync(path.join(tmpdir(), "agentops-dashboard-"));
    mkdirSync(path.join(folder, "assets"));
    writeFileSync(path.join(folder, "index.html"), '<!doctype html><script type="module" src="/assets/app.js"></script>');
    writeFileSync(path.join(folder, "assets", "app.js"), "export {};");
    writeFileSync(path.join(tmpdir(), `secret-${path.basename(folder)}.txt`), "secret");
    server = await startTestServer({ dashboardDir: folder });
  });
  afterAll(async () => {
    await server.close();
    rmSync(folder, { recursive: true, force: true });
    rmSync(path.join(tmpdir(), `secret-${path.basename(folder)}.txt`), { force: true });
  });

  it("serves index.html at / with a strict CSP and nosniff", async () => {
    const response = await fetch(`${server.url}/`);
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toContain("text/html");
    const csp = response.headers.get("content-security-policy")!;
    expect(csp).toContain("default-src 'self'");
    expect(csp).toContain("script-src 'self'");
    expect(csp).not.toContain("unsafe-inline");
    expect(response.headers.get("x-content-type-options")).toBe("nosniff");
    expect(await response.text()).toContain("/assets/app.js");
  });

  it("serves assets, falls back to index.html for app routes, and 404s missing assets and API paths", async () => {
    const asset = await fetch(`${server.url}/assets/app.js`);
    expect(asset.status).toBe(200);
    expect(asset.headers.get("content-type")).toContain("text/javascript");
    expect(asset.headers.get("x-content-type-options")).toBe("nosniff");
    const route = await fetch(`${server.url}/sessions/${hex(16)}`);
    expect(route.status).toBe(200);
    expect(route.headers.get("content-security-policy")).toContain("default-src 'self'");
    expect((await fetch(`${server.url}/assets/missing.js`)).status).toBe(404);
    const api = await fetch(`${server.url}/v2/nothing`);
    expect(api.status).toBe(404);
    expect(api.headers.get("content-type")).toContain("application/json");
  });

  it("never serves files outside its folder", async () => {
    const { port } = new URL(server.url);
    for (const target of [`/../secret-${path.basename(folder)}.txt`, `/%2e%2e/secret-${path.basename(folder)}.txt`, "/..%2f..%2fetc%2fpasswd"]) {
      const { status, body } = await new Promise<{ status: number; body: string }>((resolve, reject) => {
        http
          .get({ host: "127.0.0.1", port: Number(port), path: target }, (response) => {
            let body = "";
            response.on("data", (chunk) => (body += chunk));
            response.on("end", () => resolve({ status: response.statusCode!, body }));
          })
          .on("error", reject);
      });
      expect(body).not.toContain("secret");
      expect(body).not.toContain("root:");
      // Either refused, or the app's index (a client-side route): never the file.
      expect([200, 404]).toContain(status);
    }
  });
});
