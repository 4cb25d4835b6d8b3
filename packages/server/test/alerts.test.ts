/**
 * Alerts end to end: rules added with the real CLI, a real `agentops-server serve` on a SQLite
 * file, spans over OTLP/HTTP, and a real webhook receiver on 127.0.0.1 that checks every
 * signature.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { matchCondition, parseCondition } from "../src/alerts/rules";
import type { SessionStats } from "../src/index";
import { addAlert, AlertSession, createProject, postSpans, sleep } from "./utils/alert-sessions";
import { assertBuilt, runCli, startServe, type ServeProcess } from "./utils/cli-process";
import { signatureValid, WebhookReceiver, type ReceivedWebhook } from "./utils/webhook-receiver";

const SESSION_TIMEOUT_MS = 5_000;
const SWEEP_MS = 300;

describe("alert conditions", () => {
  it("reads each form and refuses the others with the reason", () => {
    expect(parseCondition("cost_over:0.50")).toEqual({ type: "cost_over", usd: 0.5 });
    expect(parseCondition("errors_over:3")).toEqual({ type: "errors_over", count: 3 });
    expect(parseCondition("end_state:Failure")).toEqual({ type: "end_state", state: "Failure" });
    expect(parseCondition("duration_over:10m")).toEqual({ type: "duration_over", ms: 600_000 });
    expect(parseCondition("duration_over:1.5s")).toEqual({ type: "duration_over", ms: 1_500 });
    expect(() => parseCondition("cost_over:-1")).toThrow(/cost_over needs an amount in USD/);
    expect(() => parseCondition("errors_over:2.5")).toThrow(/errors_over needs a whole number/);
    expect(() => parseCondition("end_state:Success")).toThrow(/end_state must be Failure or Indeterminate/);
    expect(() => parseCondition("duration_over:10")).toThrow(/needs a duration with a unit/);
    expect(() => parseCondition("tokens_over:5")).toThrow(/unknown condition "tokens_over:5"/);
  });

  it("measures a running session's duration up to now, an ended one's up to its last span", () => {
    const start = Date.parse("2025-01-01T00:00:00Z");
    const stats = { start_timestamp: new Date(start).toISOString(), duration_ms: 1_000, end_state: null } as SessionStats;
    const rule = parseCondition("duration_over:60s");
    expect(matchCondition(rule, stats, start + 30_000)).toBeUndefined();
    expect(matchCondition(rule, stats, start + 61_000)).toBe(61_000);
    expect(matchCondition(rule, { ...stats, end_state: "Success" }, start + 61_000)).toBeUndefined();
  });
});

describe("alerts on a running server", () => {
  let dir: string;
  let db: string;
  let server: ServeProcess;
  const receiver = new WebhookReceiver((request, samePath) => (request.path === "/flaky" && samePath === 1 ? 503 : 200));
  const projects: Record<string, { project_id: string; api_key: string; rule_id: string; secret: string }> = {};
  const RULES: Record<string, string> = {
    cost: "cost_over:0.50",
    errors: "errors_over:2",
    failure: "end_state:Failure",
    indeterminate: "end_state:Indeterminate",
    duration: "duration_over:2s",
    flaky: "end_state:Failure",
  };

  beforeAll(async () => {
    assertBuilt();
    await receiver.start();
    dir = mkdtempSync(path.join(tmpdir(), "agentops-alerts-"));
    db = `sqlite:${path.join(dir, "agentops.db")}`;
    for (const [name, when] of Object.entries(RULES)) {
      const project = await createProject(db, name);
      // Half the rules get their secret generated, half are given one.
      const given = name.length % 2 === 0 ? `given-secret-for-${name}-0123456789` : undefined;
      const added = await addAlert(db, project.project_id, `${name} alert`, when, `${receiver.url}/${name}`, given);
      expect(added.code).toBe(0);
      const { rule, secret } = JSON.parse(added.stdout);
      if (given) expect(secret).toBe(given);
      projects[name] = { ...project, rule_id: rule.id, secret };
    }
    server = await startServe(["--port", "0", "--db", db, "--session-timeout-ms", String(SESSION_TIMEOUT_MS)], { AGENTOPS_ALERTS_SWEEP_MS: String(SWEEP_MS) });
  }, 60_000);
  afterAll(async () => {
    await server?.stop();
    await receiver.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const send = async (project: string, spans: Parameters<typeof postSpans>[2]) => {
    expect((await postSpans(server.url, projects[project]!.api_key, spans)).status).toBe(200);
  };
  const getJson = async (project: string, route: string) => {
    const response = await fetch(`${server.url}${route}`, { headers: { "x-agentops-api-key": projects[project]!.api_key } });
    expect(response.status).toBe(200);
    return response.json() as Promise<any>;
  };
  /** Checks what every request to a project's webhook carries, and returns their session ids. */
  const checked = (project: string, requests: ReceivedWebhook[]): string[] => {
    const { project_id, rule_id, secret } = projects[project]!;
    for (const request of requests) {
      expect(signatureValid(request, secret)).toBe(true);
      expect(signatureValid(request, secret + "x")).toBe(false);
      expect(request.headers["x-agentops-delivery"]).toBe(request.body.delivery_id);
      expect(request.headers["x-agentops-timestamp"]).toBe(String(Math.floor(Date.parse(request.body.fired_at) / 1000)));
      expect(request.body).toMatchObject({
        rule: { id: rule_id, name: `${project} alert`, when: RULES[project], condition: parseCondition(RULES[project]!) },
        project_id,
        session_id: request.body.stats.session_id,
        link: `/#/sessions/${request.body.session_id}`,
      });
    }
    return requests.map((request) => request.body.session_id);
  };

  it("fires each condition once per session, signed, with the session's stats; a cost rule while the session runs", async () => {
    const now = Date.now();
    const cost = new AlertSession();
    const cheap = new AlertSession();
    const erring = new AlertSession();
    const fewErrors = new AlertSession();
    const failed = new AlertSession();
    const succeeded = new AlertSession();
    const undecided = new AlertSession();
    const silent = new AlertSession();
    const finished = new AlertSession();
    const long = new AlertSession(now);
    const short = new AlertSession(now - 5_000);

    await send("cost", [cost.llm(0.3)]);
    await Promise.all([
      send("cost", [cheap.llm(0.1), cheap.end("Success", now)]),
      send("errors", [erring.error(), erring.error(), erring.error()]),
      send("errors", [fewErrors.error(), fewErrors.error(), fewErrors.end("Failure", now)]),
      send("failure", [failed.llm(0.01), failed.end("Failure", now)]),
      send("failure", [succeeded.end("Success", now)]),
      send("indeterminate", [undecided.end("Indeterminate", now)]),
      send("indeterminate", [silent.llm(0.01, now - 100)]),
      send("indeterminate", [finished.end("Success", now)]),
      send("duration", [long.llm(0.01, now)]),
      send("duration", [short.end("Success", short.startMs + 1_000)]),
    ]);
    await sleep(3 * SWEEP_MS);
    expect(receiver.at("/cost")).toHaveLength(0);
    await send("cost", [cost.llm(0.3, cost.startMs + 50)]);
    const [costAlert] = await receiver.waitFor("/cost", 1);
    // Fired while running: no end state yet, the cost past the limit.
    expect(costAlert!.body.stats).toMatchObject({ session_id: cost.sessionId, end_state: null, cost: "0.600000", llm_calls: 2 });
    expect(costAlert!.body.observed).toBe(0.6);
    // More cost and the end of the session: the rule has fired for it already.
    await send("cost", [cost.llm(0.3, cost.startMs + 90), cost.end("Failure", now)]);

    const failure = await receiver.waitFor("/failure", 1);
    expect(failure[0]!.body.stats).toEqual(await getJson("failure", `/v2/sessions/${failed.sessionId}/stats`));
    await receiver.waitFor("/errors", 1);
    // The explicit Indeterminate at once; the silent session once it times out (sweep).
    await receiver.waitFor("/indeterminate", 2, SESSION_TIMEOUT_MS + 10_000);
    // A running session past 2 s with no new span (sweep).
    const [durationAlert] = await receiver.waitFor("/duration", 1);
    expect(durationAlert!.body.stats.end_state).toBeNull();
    expect(durationAlert!.body.observed).toBeGreaterThan(2_000);
    expect(durationAlert!.at - long.startMs).toBeGreaterThanOrEqual(2_000);

    await sleep(5 * SWEEP_MS);
    expect(checked("cost", receiver.at("/cost"))).toEqual([cost.sessionId]);
    expect(checked("errors", receiver.at("/errors"))).toEqual([erring.sessionId]);
    expect(receiver.at("/errors")[0]!.body.observed).toBe(3);
    expect(checked("failure", receiver.at("/failure"))).toEqual([failed.sessionId]);
    expect(checked("indeterminate", receiver.at("/indeterminate"))).toEqual([undecided.sessionId, silent.sessionId]);
    expect(receiver.at("/indeterminate")[1]!.body.stats).toMatchObject({ end_state: "Indeterminate", end_state_reason: "timed out" });
    expect(checked("duration", receiver.at("/duration"))).toEqual([long.sessionId]);

    // Every delivery is recorded: the CLI and the REST API agree.
    const viaCli = await runCli(["alerts", "deliveries", projects.cost!.project_id, "--db", db, "--json"]);
    expect(viaCli.code).toBe(0);
    const viaRest = await getJson("cost", "/v2/alerts/deliveries");
    for (const { deliveries } of [JSON.parse(viaCli.stdout), viaRest]) {
      expect(deliveries).toHaveLength(1);
      expect(deliveries[0]).toMatchObject({ id: costAlert!.body.delivery_id, rule_id: projects.cost!.rule_id, session_id: cost.sessionId, status: "delivered", attempts: [{ attempt: 1, status: 200, error: null }] });
    }
  }, 60_000);

  it("retries a webhook that answers 503, then 200; both attempts are visible", async () => {
    const session = new AlertSession();
    await send("flaky", [session.end("Failure", Date.now())]);
    const [first, second] = await receiver.waitFor("/flaky", 2, 15_000);
    expect(second!.headers["x-agentops-delivery"]).toBe(first!.headers["x-agentops-delivery"]);
    expect(second!.raw).toBe(first!.raw);
    checked("flaky", [first!, second!]);
    // The first retry waits about a second.
    expect(second!.at - first!.at).toBeGreaterThanOrEqual(900);
    let deliveries: any[] = [];
    for (let i = 0; i < 40 && deliveries[0]?.status !== "delivered"; i++) {
      deliveries = (await getJson("flaky", "/v2/alerts/deliveries")).deliveries;
      if (deliveries[0]?.status !== "delivered") await sleep(100);
    }
    expect(deliveries).toHaveLength(1);
    expect(deliveries[0]).toMatchObject({ status: "delivered", attempts: [{ attempt: 1, status: 503, error: "answered 503" }, { attempt: 2, status: 200, error: null }] });
  }, 30_000);

  it("manages rules over REST: no secret is shown again, bad rules are a 400 with the reason", async () => {
    const { api_key } = projects.failure!;
    const call = (method: string, route: string, body?: unknown, key: string | null = api_key) =>
      fetch(`${server.url}${route}`, {
        method,
        headers: { ...(key ? { "x-agentops-api-key": key } : {}), ...(body !== undefined ? { "content-type": "application/json" } : {}) },
        ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
      });
    expect((await call("GET", "/v2/alerts", undefined, null)).status).toBe(401);
    expect((await call("GET", "/v2/alerts/deliveries", undefined, "ak_wrong")).status).toBe(401);
    for (const [body, message] of [
      [{ name: "x", when: "cost_over:abc", webhook_url: "http://127.0.0.1:9/x" }, /cost_over needs an amount in USD/],
      [{ name: "x", when: "end_state:Success", webhook_url: "http://127.0.0.1:9/x" }, /end_state must be Failure or Indeterminate/],
      [{ name: "x", when: "errors_over:1", webhook_url: "file:///etc/passwd" }, /webhook URL must be http or https \(got file\)/],
      [{ name: "x", when: "errors_over:1", webhook_url: "not a url" }, /is not a valid URL/],
      [{ name: "", when: "errors_over:1", webhook_url: "http://127.0.0.1:9/x" }, /needs a name/],
      [{ name: "x", when: "errors_over:1", webhook_url: "http://127.0.0.1:9/x", secret: "short" }, /secret must be 16 to 256 characters/],
      [[1, 2], /must be a JSON object/],
    ] as const) {
      const response = await call("POST", "/v2/alerts", body);
      expect(response.status).toBe(400);
      expect(await response.json()).toMatchObject({ error: "bad_request", message: expect.stringMatching(message) });
    }
    const created = await call("POST", "/v2/alerts", { name: "from REST", when: "duration_over:10m", webhook_url: "https://hooks.example.test/a" });
    expect(created.status).toBe(201);
    const { rule, secret } = (await created.json()) as any;
    expect(secret).toMatch(/^whsec_[A-Za-z0-9_-]{32}$/);
    expect(rule).toMatchObject({ name: "from REST", when: "duration_over:10m", condition: { type: "duration_over", ms: 600_000 }, webhook_url: "https://hooks.example.test/a" });
    const listed = await (await call("GET", "/v2/alerts")).text();
    expect(JSON.parse(listed).rules.map((item: any) => item.id)).toEqual([projects.failure!.rule_id, rule.id]);
    expect(listed).not.toContain(secret);
    expect(listed).not.toContain(projects.failure!.secret);
    expect((await call("DELETE", `/v2/alerts/${rule.id}`)).status).toBe(204);
    const again = await call("DELETE", `/v2/alerts/${rule.id}`);
    expect(again.status).toBe(404);
    expect(await again.json()).toEqual({ error: "not_found", message: "alert rule not found" });
    // Another project's key does not see (or remove) this project's rules.
    expect((await call("DELETE", `/v2/alerts/${projects.failure!.rule_id}`, undefined, projects.cost!.api_key)).status).toBe(404);
  });

  it("manages rules with the CLI; a bad rule exits 2 with one line", async () => {
    const { project_id } = projects.errors!;
    const list = async () => JSON.parse((await runCli(["alerts", "list", project_id, "--db", db, "--json"])).stdout).rules;
    const added = await addAlert(db, project_id, "temporary", "errors_over:10", "http://127.0.0.1:9/t");
    expect(added.code).toBe(0);
    const { rule } = JSON.parse(added.stdout);
    expect((await list()).map((item: any) => item.id)).toEqual([projects.errors!.rule_id, rule.id]);
    expect(JSON.stringify(await list())).not.toContain("secret");
    const removed = await runCli(["alerts", "remove", project_id, rule.id, "--db", db]);
    expect([removed.code, removed.stdout.trim()]).toEqual([0, `Removed alert rule ${rule.id}.`]);
    const text = await runCli(["alerts", "add", project_id, "--name", "plain", "--when", "cost_over:2", "--webhook", "http://127.0.0.1:9/p", "--db", db]);
    expect(text.stdout).toMatch(/^Added [0-9a-f]{12} {2}"plain" {2}when cost_over:2 {2}-> http:\/\/127\.0\.0\.1:9\/p\nWebhook secret \(shown once, store it now\): whsec_/);

    for (const [args, message] of [
      [["--name", "x", "--when", "cost_over:lots", "--webhook", "http://127.0.0.1:9/x"], /cost_over needs an amount in USD/],
      [["--name", "x", "--when", "duration_over:10", "--webhook", "http://127.0.0.1:9/x"], /duration_over needs a duration with a unit/],
      [["--name", "x", "--when", "errors_over:1", "--webhook", "ftp://127.0.0.1/x"], /webhook URL must be http or https \(got ftp\)/],
      [["--name", "x", "--when", "errors_over:1"], /alerts add needs --webhook URL/],
      [["--when", "errors_over:1", "--webhook", "http://127.0.0.1:9/x"], /alerts add needs --name NAME/],
      [["--name", "x", "--when", "errors_over:1", "--webhook", "http://127.0.0.1:9/x", "--secret", "short"], /secret must be 16 to 256 characters/],
    ] as const) {
      const bad = await runCli(["alerts", "add", project_id, ...args, "--db", db]);
      expect(bad.code).toBe(2);
      expect(bad.stderr.trim().split("\n")).toHaveLength(1);
      expect(bad.stderr).toMatch(message);
    }
    const unknownProject = await addAlert(db, "00000000-0000-4000-8000-000000000000", "x", "errors_over:1", "http://127.0.0.1:9/x");
    expect([unknownProject.code, unknownProject.stderr.trim()]).toEqual([2, "agentops-server: no project 00000000-0000-4000-8000-000000000000"]);
    const unknownRule = await runCli(["alerts", "remove", project_id, "nosuchrule", "--db", db]);
    expect([unknownRule.code, unknownRule.stderr.trim()]).toEqual([2, `agentops-server: project ${project_id} has no alert rule nosuchrule`]);
  }, 60_000);
});
