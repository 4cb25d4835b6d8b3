import { randomUUID } from "node:crypto";
import type { ScoreResponse, SessionExport, SessionStats } from "../src/index";
import { MAX_SCORES_PER_SESSION } from "../src/index";
import { hex, otlpBody, sessionSpans } from "./utils/otlp-bodies";
import { startTestServer, type TestServer } from "./utils/server-harness";

interface Answer {
  status: number;
  json: any;
}

async function ingest(server: TestServer, apiKey: string, spans: ReturnType<typeof sessionSpans>["spans"]): Promise<number> {
  const response = await fetch(`${server.url}/v1/traces`, {
    method: "POST",
    headers: { "content-type": "application/x-protobuf", "x-agentops-api-key": apiKey },
    body: otlpBody(spans, "protobuf"),
  });
  await response.arrayBuffer();
  return response.status;
}

async function get(server: TestServer, route: string, apiKey: string): Promise<Answer> {
  const response = await fetch(`${server.url}${route}`, { headers: { "x-agentops-api-key": apiKey } });
  const text = await response.text();
  return { status: response.status, json: text ? JSON.parse(text) : undefined };
}

/** POSTs a score; `body` is sent as is when a string (malformed JSON), else as JSON. */
async function postScore(
  server: TestServer,
  sessionId: string,
  body: unknown,
  headers: Record<string, string> = { "x-agentops-api-key": server.projectA.apiKey },
  contentType: string | null = "application/json",
): Promise<Answer> {
  const response = await fetch(`${server.url}/v2/sessions/${sessionId}/scores`, {
    method: "POST",
    headers: { ...(contentType ? { "content-type": contentType } : {}), ...headers },
    body: typeof body === "string" || Buffer.isBuffer(body) ? body : JSON.stringify(body),
  });
  const text = await response.text();
  let json: unknown;
  try {
    json = text ? JSON.parse(text) : undefined;
  } catch {
    json = text;
  }
  return { status: response.status, json };
}

describe("POST /v2/sessions/:id/scores", () => {
  let server: TestServer;
  let session: ReturnType<typeof sessionSpans>;
  let other: ReturnType<typeof sessionSpans>;

  beforeAll(async () => {
    server = await startTestServer();
    session = sessionSpans({ tags: ["scored"] });
    other = sessionSpans({ tags: ["other-project"] });
    expect(await ingest(server, server.projectA.apiKey, session.spans)).toBe(200);
    expect(await ingest(server, server.projectB.apiKey, other.spans)).toBe(200);
  });
  afterAll(async () => {
    await server.close();
  });

  it("stores a score (201) and shows the latest of each name in stats, export and the list", async () => {
    const before = Date.now();
    const first = await postScore(server, session.sessionId, { name: "quality", value: 0.4, comment: "too long" });
    expect(first.status).toBe(201);
    const stored = first.json as ScoreResponse;
    expect(stored).toEqual({
      id: stored.id,
      session_id: session.sessionId,
      name: "quality",
      value: 0.4,
      comment: "too long",
      source: "api",
      created_at: stored.created_at,
    });
    expect(stored.id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    expect(Date.parse(stored.created_at)).toBeGreaterThanOrEqual(before - 1);

    expect((await postScore(server, session.sessionId, { name: "  quality ", value: 0.9, source: "dashboard" })).status).toBe(201);
    const flagged = await postScore(server, session.sessionId, { name: "resolved", value: true, comment: "" });
    expect(flagged.json).toMatchObject({ name: "resolved", value: 1, comment: null });
    expect((await postScore(server, session.sessionId, { name: "hallucinated", value: false, source: "sdk" })).json.value).toBe(0);

    const stats = await get(server, `/v2/sessions/${session.sessionId}/stats`, server.projectA.apiKey);
    expect((stats.json as SessionStats).scores).toEqual({ hallucinated: 0, quality: 0.9, resolved: 1 });

    const exported = (await get(server, `/v2/sessions/${session.sessionId}/export`, server.projectA.apiKey)).json as SessionExport;
    expect(exported.stats.scores).toEqual({ hallucinated: 0, quality: 0.9, resolved: 1 });
    expect(exported.scores.map((s) => [s.name, s.value, s.comment, s.source])).toEqual([
      ["quality", 0.4, "too long", "api"],
      ["quality", 0.9, null, "dashboard"],
      ["resolved", 1, null, "api"],
      ["hallucinated", 0, null, "sdk"],
    ]);
    expect(exported.scores[0]).toEqual({ ...stored, session_id: undefined });
    expect(Object.keys(exported.scores[0]!)).toEqual(["id", "name", "value", "comment", "source", "created_at"]);

    const list = await get(server, "/v2/sessions?tag=scored", server.projectA.apiKey);
    expect(list.json.sessions[0].scores).toEqual({ hallucinated: 0, quality: 0.9, resolved: 1 });

    const history = await get(server, `/v2/sessions/${session.sessionId}/scores`, server.projectA.apiKey);
    expect(history).toEqual({ status: 200, json: { session_id: session.sessionId, scores: exported.scores } });
    // No scores (and no session) is an empty list, not a 404; another project's are not shown.
    const none = await get(server, `/v2/sessions/${other.sessionId}/scores`, server.projectA.apiKey);
    expect(none).toEqual({ status: 200, json: { session_id: other.sessionId, scores: [] } });
    expect((await get(server, "/v2/sessions/nope/scores", server.projectA.apiKey)).status).toBe(400);
  });

  it("stores a score sent twice with one id once (201 then 200); another session's id is a 409", async () => {
    const id = randomUUID().toUpperCase();
    const first = await postScore(server, session.sessionId, { id, name: "retry", value: 3 });
    expect(first.status).toBe(201);
    expect(first.json.id).toBe(id.toLowerCase());
    const again = await postScore(server, session.sessionId, { id, name: "retry", value: 4 });
    expect(again).toEqual({ status: 200, json: first.json });
    const exported = (await get(server, `/v2/sessions/${session.sessionId}/export`, server.projectA.apiKey)).json as SessionExport;
    expect(exported.scores.filter((s) => s.name === "retry")).toHaveLength(1);

    const elsewhere = await postScore(server, "6f0e2c1a-0000-4000-8000-00000000abcd", { id, name: "retry", value: 3 });
    expect(elsewhere.status).toBe(409);
    expect(elsewhere.json.error).toBe("conflict");
  });

  it("answers 400 with what is wrong for each bad body", async () => {
    const bad: Array<[unknown, RegExp]> = [
      [{ value: 1 }, /name/],
      [{ name: "", value: 1 }, /name/],
      [{ name: "   ", value: 1 }, /name/],
      [{ name: 42, value: 1 }, /name/],
      [{ name: "x".repeat(201), value: 1 }, /200/],
      [{ name: "two\nlines", value: 1 }, /control/],
      [{ name: "nul\u0000", value: 1 }, /control/],
      [{ name: "q" }, /value/],
      [{ name: "q", value: "0.9" }, /value/],
      [{ name: "q", value: null }, /value/],
      [{ name: "q", value: [1] }, /value/],
      ['{"name":"q","value":1e400}', /value/],
      [{ name: "q", value: 1, comment: "c".repeat(2001) }, /2000/],
      [{ name: "q", value: 1, comment: 7 }, /comment/],
      [{ name: "q", value: 1, source: "robot" }, /source/],
      [{ name: "q", value: 1, id: "not-a-uuid" }, /UUID/],
      [{ name: "q", value: 1, id: "00000000-0000-0000-0000-000000000000" }, /UUID/],
      [[{ name: "q", value: 1 }], /JSON object/],
      ['"a string"', /JSON object/],
      ["null", /JSON object/],
      ['{"name":"q","value":', /JSON/i],
      ["", /body/i],
    ];
    for (const [body, message] of bad) {
      const answer = await postScore(server, session.sessionId, body);
      expect({ body, status: answer.status }).toEqual({ body, status: 400 });
      expect(answer.json.error).toBe("bad_request");
      expect(answer.json.message).toMatch(message);
    }
    // At the limits is fine.
    const edge = await postScore(server, session.sessionId, { name: "n".repeat(200), value: -1e308, comment: "c".repeat(2000) });
    expect(edge.status).toBe(201);
    expect(edge.json.comment).toHaveLength(2000);
    // None of the refused ones was stored.
    const exported = (await get(server, `/v2/sessions/${session.sessionId}/export`, server.projectA.apiKey)).json as SessionExport;
    expect(exported.scores.some((s) => s.name === "q")).toBe(false);
  });

  it("answers 400 for a session id that is not a UUID", async () => {
    const answer = await postScore(server, "not-a-uuid", { name: "q", value: 1 });
    expect(answer).toEqual({ status: 400, json: { error: "bad_request", message: "the session id must be a UUID" } });
  });

  it("answers 415 for anything but JSON, and 413 for a body past 64 KiB", async () => {
    for (const type of ["text/plain", "application/x-www-form-urlencoded", "application/xml", null]) {
      const answer = await postScore(server, session.sessionId, '{"name":"q","value":1}', undefined, type);
      expect({ type, status: answer.status }).toEqual({ type, status: 415 });
      expect(answer.json.error).toBe("unsupported_media_type");
    }
    const charset = await postScore(server, session.sessionId, { name: "charset", value: 1 }, undefined, "application/json; charset=utf-8");
    expect(charset.status).toBe(201);
    const huge = await postScore(server, session.sessionId, { name: "q", value: 1, comment: "x".repeat(70 * 1024) });
    expect(huge.status).toBe(413);
    expect(huge.json.error).toBe("payload_too_large");
  });

  it("answers 401 without a key or with an unknown one, before reading the body", async () => {
    const forged = `ak_${"0".repeat(16)}_${"A".repeat(43)}`;
    const refused: Array<Record<string, string>> = [{}, { "x-agentops-api-key": forged }, { authorization: "Bearer not.a.token" }];
    for (const headers of refused) {
      expect((await get(server, `/v2/sessions/${session.sessionId}/scores`, headers["x-agentops-api-key"] ?? "")).status).toBe(401);
      for (const body of [{ name: "q", value: 1 }, '{"name":', "x".repeat(100 * 1024)]) {
        const answer = await postScore(server, session.sessionId, body, headers);
        expect(answer.status).toBe(401);
        expect(answer.json).toMatchObject({ error: "unauthorized" });
      }
    }
  });

  it("takes a bearer token as the other /v2 routes do", async () => {
    const exchange = await fetch(`${server.url}/v3/auth/token`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ api_key: server.projectA.apiKey }),
    });
    const { token } = (await exchange.json()) as { token: string };
    const answer = await postScore(server, session.sessionId, { name: "via-token", value: 2 }, { authorization: `Bearer ${token}` });
    expect(answer.status).toBe(201);
  });

  it("keeps a score posted for another project's session in the poster's project, unseen by the owner", async () => {
    // Project A scores project B's session id: stored under A (no session there, so A's stats 404).
    const answer = await postScore(server, other.sessionId, { name: "intruder", value: 1 });
    expect(answer.status).toBe(201);
    expect((await get(server, `/v2/sessions/${other.sessionId}/stats`, server.projectA.apiKey)).status).toBe(404);
    const owner = await get(server, `/v2/sessions/${other.sessionId}/stats`, server.projectB.apiKey);
    expect(owner.status).toBe(200);
    expect(owner.json.scores).toEqual({});
    const exported = (await get(server, `/v2/sessions/${other.sessionId}/export`, server.projectB.apiKey)).json as SessionExport;
    expect(exported.scores).toEqual([]);
  });

  it("accepts a score before the session's spans, shown once they arrive", async () => {
    const later = sessionSpans({ tags: ["late-spans"] });
    expect((await postScore(server, later.sessionId, { name: "early", value: 0.25 })).status).toBe(201);
    expect((await get(server, `/v2/sessions/${later.sessionId}/stats`, server.projectA.apiKey)).status).toBe(404);
    expect(await ingest(server, server.projectA.apiKey, later.spans)).toBe(200);
    const stats = await get(server, `/v2/sessions/${later.sessionId}/stats`, server.projectA.apiKey);
    expect(stats.json.scores).toEqual({ early: 0.25 });
  });

  it(`answers 409 past ${MAX_SCORES_PER_SESSION} scores of a session`, async () => {
    const crowded = sessionSpans().sessionId;
    const statuses: number[] = [];
    for (let batch = 0; batch < MAX_SCORES_PER_SESSION / 20; batch++) {
      const answers = await Promise.all(
        Array.from({ length: 20 }, (_, i) => postScore(server, crowded, { name: "n", value: batch * 20 + i })),
      );
      statuses.push(...answers.map((answer) => answer.status));
    }
    expect(statuses.every((status) => status === 201)).toBe(true);
    const over = await postScore(server, crowded, { name: "n", value: -1 });
    expect(over.status).toBe(409);
    expect(over.json.error).toBe("too_many_scores");
  });
});

describe("GET /v2/sessions by score", () => {
  let server: TestServer;
  const ids: string[] = [];
  const base = Date.now() - 3_600_000;
  // Latest quality per session (undefined: none), one session a minute.
  const qualities = [0.2, undefined, 0.8, 0.5, 0.8];

  beforeAll(async () => {
    server = await startTestServer();
    for (const [i, quality] of qualities.entries()) {
      const session = sessionSpans({ startMs: base + i * 60_000, tags: ["ranked"] });
      ids.push(session.sessionId);
      expect(await ingest(server, server.projectA.apiKey, session.spans)).toBe(200);
      if (quality !== undefined) {
        expect((await postScore(server, session.sessionId, { name: "quality", value: 1 - quality })).status).toBe(201);
        expect((await postScore(server, session.sessionId, { name: "quality", value: quality })).status).toBe(201);
      }
    }
  });
  afterAll(async () => {
    await server.close();
  });

  const list = (query: string) => get(server, `/v2/sessions?${query}`, server.projectA.apiKey);
  const idsOf = (answer: Answer): string[] => answer.json.sessions.map((s: SessionStats) => s.session_id);

  it("filters by score_name with min_score / max_score", async () => {
    expect(idsOf(await list("score_name=quality"))).toEqual([ids[4], ids[3], ids[2], ids[0]]);
    expect(idsOf(await list("score_name=quality&min_score=0.5"))).toEqual([ids[4], ids[3], ids[2]]);
    expect(idsOf(await list("score_name=quality&min_score=0.5&max_score=0.79"))).toEqual([ids[3]]);
    expect(idsOf(await list("score_name=quality&max_score=-1e3"))).toEqual([]);
    expect(idsOf(await list("score_name=quality&tag=ranked&end_state=Success&min_score=.8"))).toEqual([ids[4], ids[2]]);
  });

  it("sorts by score, following next_cursor to the end", async () => {
    const seen: string[] = [];
    let cursor: string | null = null;
    for (let page = 0; page < 10; page++) {
      const answer = await list(`score_name=quality&sort=score_desc&limit=1${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ""}`);
      expect(answer.status).toBe(200);
      seen.push(...idsOf(answer));
      cursor = answer.json.next_cursor;
      if (!cursor) break;
    }
    const tie = [ids[2]!, ids[4]!].sort().reverse();
    expect(seen).toEqual([...tie, ids[3], ids[0]]);
    expect(idsOf(await list("score_name=quality&sort=score_asc"))).toEqual([ids[0], ids[3], ...tie.reverse()]);
    expect(idsOf(await list("sort=start_desc"))).toEqual([...ids].reverse());
  });

  it("answers 400 for score parameters that are malformed or do not hold together", async () => {
    for (const query of [
      "score_name=quality&min_score=abc",
      "score_name=quality&max_score=Infinity",
      "score_name=quality&min_score=1&min_score=2",
      "score_name=quality&sort=best",
      "min_score=0.5",
      "sort=score_desc",
      `score_name=${"x".repeat(201)}`,
      "score_name=quality&sort=score_desc&cursor=" + encodeURIComponent(Buffer.from(JSON.stringify([1, hex(16)])).toString("base64url")),
    ]) {
      const answer = await list(query);
      expect({ query, status: answer.status }).toEqual({ query, status: 400 });
      expect(answer.json.error).toBe("bad_request");
    }
  });
});

describe("scores beside ingest", () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer();
  });
  afterAll(async () => {
    await server.close();
  });

  it("huge and malformed scores never block or lose a span", async () => {
    const sessions = Array.from({ length: 10 }, () => sessionSpans({ tags: ["beside-scores"] }));
    const megabyte = JSON.stringify({ name: "q", value: 1, comment: "x".repeat(1024 * 1024) });
    const deep = "[".repeat(20_000) + "]".repeat(20_000);
    // The same ingests alone first, for comparison (client and server share this process), after
    // a warm-up one.
    expect(await ingest(server, server.projectA.apiKey, sessionSpans().spans)).toBe(200);
    const alone = Date.now();
    const baseline = Array.from({ length: 10 }, () => sessionSpans({ tags: ["alone"] }));
    await Promise.all(baseline.map((session) => ingest(server, server.projectA.apiKey, session.spans)));
    const aloneMs = Date.now() - alone;
    const started = Date.now();
    const scoreAnswers = Promise.all([
      ...Array.from({ length: 20 }, (_, i) => postScore(server, sessions[i % 10]!.sessionId, megabyte)),
      ...Array.from({ length: 10 }, (_, i) => postScore(server, sessions[i]!.sessionId, '{"name":"q","value":1')),
      ...Array.from({ length: 5 }, (_, i) => postScore(server, sessions[i]!.sessionId, deep)),
      ...Array.from({ length: 10 }, (_, i) => postScore(server, sessions[i]!.sessionId, { name: "ok", value: i })),
    ]);
    const ingestStatuses = await Promise.all(sessions.map((session) => ingest(server, server.projectA.apiKey, session.spans)));
    const ingestMs = Date.now() - started;
    const answers = await scoreAnswers;
    console.log(
      `10 ingests: alone ${aloneMs} ms; beside 45 score requests (20 of 1 MiB) ${ingestMs} ms, all answered in ${Date.now() - started} ms`,
    );

    expect(ingestStatuses).toEqual(Array(10).fill(200));
    expect(answers.slice(0, 20).map((a) => a.status)).toEqual(Array(20).fill(413));
    expect(answers.slice(20, 35).map((a) => a.status)).toEqual(Array(15).fill(400));
    expect(answers.slice(35).map((a) => a.status)).toEqual(Array(10).fill(201));
    for (const [i, session] of sessions.entries()) {
      const stats = await get(server, `/v2/sessions/${session.sessionId}/stats`, server.projectA.apiKey);
      expect(stats.json).toMatchObject({ llm_calls: 1, tool_calls: 1, actions: 1, errors: 1, scores: { ok: i } });
    }
  });
});
