/**
 * Server-side redaction: per-project rules (built-ins and patterns) managed with
 * `agentops-server redact …`, applied before anything is stored. Real CLI processes, a real
 * server on SQLite, OTLP over HTTP; the secrets are then looked for in the database files.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { compileRules, luhn, makeRule, RedactionRuleError } from "../src/redaction/rules";
import { assertBuilt, runCli, startServe, type ServeProcess } from "./utils/cli-process";
import { hex, otlpBody } from "./utils/otlp-bodies";

const SECRETS = {
  openaiKey: "sk-proj-AbCdEf0123456789XyZ",
  awsKey: "AKIAIOSFODNN7EXAMPLE",
  email: "jane.doe@example.com",
  card: "4111 1111 1111 1111",
  codename: "Project Falcon",
};
type Secrets = typeof SECRETS;

/** Secrets of the same shapes, unique to one run, so that the database files can be searched for them. */
function uniqueSecrets(): Secrets {
  const digits = Array.from({ length: 15 }, () => Math.floor(Math.random() * 10));
  for (let check = 0; check < 10; check++) {
    if (luhn(digits.join("") + check)) {
      digits.push(check);
      break;
    }
  }
  const upper = hex(8).toUpperCase();
  return {
    openaiKey: `sk-proj-${hex(12)}`,
    awsKey: `AKIA${upper}`,
    email: `jane.${hex(4)}@example.com`,
    card: digits.join("").replace(/(\d{4})(?=\d)/g, "$1 "),
    codename: `Project Falcon ${hex(4)}`,
  };
}

describe("redaction rules", () => {
  const redact = (rules: Parameters<typeof makeRule>[0][], text: string) => compileRules(rules.map(makeRule))!(text);

  it("built-ins replace emails, the key shapes of common providers, and card numbers that pass the Luhn check", () => {
    expect(redact([{ builtin: "emails" }], `mail ${SECRETS.email}, or a.b+c@mail.co.uk`)).toBe("mail [email], or [email]");
    const keys = [SECRETS.openaiKey, "sk-ant-api03-abcdefghijklmnopqrstuv", SECRETS.awsKey, "ghp_" + "a".repeat(36), "AIza" + "B".repeat(35), "xoxb-1234567890-abcdef", "Bearer eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.sig"];
    for (const key of keys) expect(redact([{ builtin: "api-keys" }], `key=${key} end`)).toBe("key=[api key] end");
    expect(redact([{ builtin: "api-keys" }], "the sky-blue plan, task-1234")).toBe("the sky-blue plan, task-1234");
    expect(redact([{ builtin: "cards" }], `pay with ${SECRETS.card} or 5500-0000-0000-0004`)).toBe("pay with [card] or [card]");
    expect(redact([{ builtin: "cards" }], "order 1234567890123 and 4111 1111 1111 1112")).toBe("order 1234567890123 and 4111 1111 1111 1112");
    expect(luhn("4111111111111111")).toBe(true);
    expect(luhn("4111111111111112")).toBe(false);
  });

  it("patterns replace with their replacement, in order with the built-ins", () => {
    expect(redact([{ pattern: "project\\s+falcon", flags: "i", replacement: "[codename]" }, { builtin: "emails" }], `${SECRETS.codename} by ${SECRETS.email}`)).toBe("[codename] by [email]");
    expect(redact([{ pattern: "\\d{3}-\\d{4}" }], "call 555-1234")).toBe("call [redacted]");
  });

  it("refuses rules that cannot work, with the reason", () => {
    const refused = (input: Parameters<typeof makeRule>[0]) => {
      try {
        makeRule(input);
        return undefined;
      } catch (error) {
        expect(error).toBeInstanceOf(RedactionRuleError);
        return (error as Error).message;
      }
    };
    expect(refused({ builtin: "passwords" })).toMatch(/unknown built-in rule "passwords": use one of emails, api-keys, cards/);
    expect(refused({ pattern: "(unclosed" })).toMatch(/not a valid regular expression/);
    expect(refused({ pattern: "x*" })).toMatch(/matches the empty string/);
    expect(refused({ pattern: "" })).toMatch(/must not be empty/);
    expect(refused({ pattern: "a", flags: "g" })).toMatch(/flags "g" are not allowed/);
    expect(refused({ pattern: "a".repeat(1001) })).toMatch(/longer than 1000/);
  });
});

describe("agentops-server redact, and ingest through the rules", () => {
  let dir: string;
  let db: string;
  let server: ServeProcess | undefined;
  const projects: Record<string, { project_id: string; api_key: string }> = {};

  beforeAll(async () => {
    assertBuilt();
    dir = mkdtempSync(path.join(tmpdir(), "agentops-redact-"));
    db = `sqlite:${path.join(dir, "agentops.db")}`;
    for (const name of ["redacted", "control"]) {
      const created = await runCli(["projects", "create", name, "--db", db, "--json"]);
      projects[name] = JSON.parse(created.stdout.trim());
    }
  }, 60_000);
  afterAll(async () => {
    await server?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  async function add(project: string, ...args: string[]) {
    return runCli(["redact", "add", projects[project]!.project_id, ...args, "--db", db, "--json"]);
  }

  it("adds, lists and removes rules; a bad rule or an unknown project exits 2 with one line", async () => {
    for (const builtin of ["api-keys", "emails", "cards"]) expect((await add("redacted", "--builtin", builtin)).code).toBe(0);
    const pattern = await add("redacted", "--pattern", "project\\s+falcon", "--flags", "i", "--replacement", "[codename]");
    expect(pattern.code).toBe(0);
    expect(JSON.parse(pattern.stdout)).toMatchObject({ pattern: "project\\s+falcon", flags: "i", replacement: "[codename]" });
    const extra = JSON.parse((await add("redacted", "--pattern", "temporary")).stdout);
    expect((await runCli(["redact", "remove", projects.redacted!.project_id, extra.id, "--db", db])).code).toBe(0);
    const listed = await runCli(["redact", "list", projects.redacted!.project_id, "--db", db, "--json"]);
    expect(JSON.parse(listed.stdout).rules.map((rule: any) => rule.builtin ?? rule.pattern)).toEqual(["api-keys", "emails", "cards", "project\\s+falcon"]);

    for (const [args, message] of [
      [["--pattern", "(unclosed"], /not a valid regular expression/],
      [["--builtin", "passwords"], /unknown built-in rule/],
      [["--builtin", "emails", "--pattern", "x"], /either --builtin NAME or --pattern REGEX/],
    ] as const) {
      const bad = await add("redacted", ...args);
      expect(bad.code).toBe(2);
      expect(bad.stderr.trim().split("\n")).toHaveLength(1);
      expect(bad.stderr).toMatch(message);
    }
    const unknown = await runCli(["redact", "add", "00000000-0000-4000-8000-000000000000", "--builtin", "emails", "--db", db]);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/no project 00000000-0000-4000-8000-000000000000/);
  }, 60_000);

  function secretSession(SECRETS: Secrets): { traceId: string; body: Buffer } {
    const traceId = hex(16);
    const root = hex(8);
    const start = Date.now() - 1000;
    const body = otlpBody(
      [
        { traceId, spanId: root, name: "session", startMs: start, endMs: start + 900, attributes: { "agentops.span.kind": "session", "agentops.session.end_state": "Failure", "agentops.session.end_state_reason": `leaked ${SECRETS.openaiKey}` } },
        {
          traceId,
          parentSpanId: root,
          name: "chat gpt-4o",
          startMs: start + 10,
          attributes: {
            "gen_ai.operation.name": "chat",
            "gen_ai.provider.name": "openai",
            "gen_ai.request.model": "gpt-4o",
            "gen_ai.usage.input_tokens": 1000,
            "gen_ai.usage.output_tokens": 500,
            "gen_ai.input.messages": JSON.stringify([{ role: "user", parts: [{ type: "text", content: `I am ${SECRETS.email}, card ${SECRETS.card}, about ${SECRETS.codename}` }] }]),
          },
        },
        { traceId, parentSpanId: root, name: "execute_tool deploy", startMs: start + 20, attributes: { "agentops.span.kind": "tool", "gen_ai.tool.name": "deploy", "agentops.event.params": JSON.stringify({ aws: SECRETS.awsKey }) } },
        { traceId, parentSpanId: root, name: "error", startMs: start + 30, status: { code: 2, message: `auth failed for ${SECRETS.openaiKey}` }, attributes: { "agentops.span.kind": "error" }, events: [{ name: "exception", timeMs: start + 30, attributes: { "exception.message": `bad key ${SECRETS.openaiKey}` } }] },
      ],
      "protobuf",
      { "service.name": "redaction-test", "process.command_line": `node agent.js --key ${SECRETS.openaiKey}` },
    );
    return { traceId, body };
  }

  async function send(project: string, body: Buffer): Promise<void> {
    const response = await fetch(`${server!.url}/v1/traces`, { method: "POST", headers: { "content-type": "application/x-protobuf", "x-agentops-api-key": projects[project]!.api_key }, body });
    expect(response.status).toBe(200);
  }

  async function everything(project: string, traceId: string): Promise<{ text: string; stats: any }> {
    const id = `${traceId.slice(0, 8)}-${traceId.slice(8, 12)}-${traceId.slice(12, 16)}-${traceId.slice(16, 20)}-${traceId.slice(20)}`;
    const headers = { "x-agentops-api-key": projects[project]!.api_key };
    const exported: any = await (await fetch(`${server!.url}/v2/sessions/${id}/export`, { headers })).json();
    const spans = await (await fetch(`${server!.url}/v2/sessions/${id}/spans`, { headers })).text();
    return { text: JSON.stringify(exported) + spans, stats: exported.stats };
  }

  it("stores no secret a rule matches, anywhere; counts, tokens and cost are unchanged; the control project keeps its text", async () => {
    server = await startServe(["--port", "0", "--db", db]);
    const secrets = uniqueSecrets();
    const redacted = secretSession(secrets);
    const control = secretSession(SECRETS);
    await send("redacted", redacted.body);
    await send("control", control.body);

    const kept = await everything("control", control.traceId);
    for (const secret of Object.values(SECRETS)) expect(kept.text).toContain(secret);
    const masked = await everything("redacted", redacted.traceId);
    for (const secret of Object.values(secrets)) expect([secret, masked.text.includes(secret)]).toEqual([secret, false]);
    for (const marker of ["[api key]", "[email]", "[card]", "[codename]"]) expect(masked.text).toContain(marker);
    const counts = ({ llm_calls, tool_calls, errors, prompt_tokens, completion_tokens, cost, end_state }: any) => ({ llm_calls, tool_calls, errors, prompt_tokens, completion_tokens, cost, end_state });
    expect(counts(masked.stats)).toEqual(counts(kept.stats));
    expect(masked.stats).toMatchObject({ llm_calls: 1, tool_calls: 1, prompt_tokens: 1000, cost: "0.007500", end_state_reason: "leaked [api key]" });

    await server.stop();
    server = undefined;
    // The database as it rests on disk (WAL included): not one byte of a redacted secret.
    const files = readdirSync(dir).map((file) => ({ file, text: readFileSync(path.join(dir, file)).toString("latin1") }));
    expect(files.some(({ text }) => text.includes(SECRETS.openaiKey))).toBe(true); // the control's copy: the search works
    for (const secret of Object.values(secrets)) {
      for (const { file, text } of files) expect({ file, secret, found: text.includes(secret) }).toEqual({ file, secret, found: false });
    }
  }, 60_000);

  it("a rule added while the server runs applies to what arrives after at most 5 s", async () => {
    server = await startServe(["--port", "0", "--db", db]);
    const before = secretSession(uniqueSecrets());
    await send("control", before.body);
    expect((await add("control", "--builtin", "api-keys")).code).toBe(0);
    await new Promise((resolve) => setTimeout(resolve, 5_200));
    const secrets = uniqueSecrets();
    const after = secretSession(secrets);
    await send("control", after.body);
    expect((await everything("control", after.traceId)).text).not.toContain(secrets.openaiKey);
    expect((await everything("control", before.traceId)).text).toContain("--key sk-proj-");
  }, 60_000);
});
