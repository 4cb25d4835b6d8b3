/**
 * Fuzzing the OTLP/HTTP receiver: more than 10,000 generated and mutated trace requests in both
 * encodings (wrong types, huge strings, deep nesting, invalid ids and timestamps, bad gzip, a
 * gzip bomb, 100,000 attributes, unicode edge cases, truncated protobuf, random bytes,
 * field-number and wire-type confusion, malformed HTTP), plus odd REST requests, against a real
 * server over a real SQLite store; then a smaller run against an `agentops-server serve` process
 * (on PostgreSQL when AGENTOPS_TEST_PG_URL is set). No answer may be a 5xx, the server must live
 * on with bounded memory, and the valid spans of every accepted batch must be stored.
 *
 * Every input is rebuilt from the run's seed and its index: AGENTOPS_FUZZ_SEED=<seed> replays a
 * run. Figures go to test-artifacts/faults.jsonl for `pnpm test:faults`.
 */
import { randomInt } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import net from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { traceIdToUuid } from "@agentops/semconv";
import { ATTR_AGENTOPS_SPAN_KIND, ATTR_GEN_AI_OPERATION_NAME } from "@agentops/semconv";
import { classifySpan } from "@agentops/span-model";
import { encodingOfContentType } from "../src/otlp/decode";
import { ExportTraceServiceResponse } from "../src/otlp/otlp-proto";
import { assertBuilt, runCli, startServe, type ServeProcess } from "./utils/cli-process";
import { RssSampler, appendFaultFigures, processRss } from "./utils/fault-figures";
import {
  type FuzzInput,
  type FuzzPlan,
  buildInput,
  buildRawHttpInput,
  buildRestInput,
  planCases,
} from "./utils/fuzz-inputs";
import { hex, otlpBody, sessionSpans, type SpanInput } from "./utils/otlp-bodies";
import { PG_URL, pgSchemas } from "./utils/pg-schema";
import { startTestServer, type TestServer } from "./utils/server-harness";
import { openStorage, type Storage } from "../src/index";

const SEED = process.env.AGENTOPS_FUZZ_SEED
  ? Number(process.env.AGENTOPS_FUZZ_SEED)
  : randomInt(2 ** 31);
/** AGENTOPS_FUZZ_CASE=<index> (with the seed) sends only that input and prints it. */
const ONLY_CASE = process.env.AGENTOPS_FUZZ_CASE
  ? Number(process.env.AGENTOPS_FUZZ_CASE)
  : undefined;
const NOW_MS = process.env.AGENTOPS_FUZZ_NOW_MS
  ? Number(process.env.AGENTOPS_FUZZ_NOW_MS)
  : Date.now();

/** The in-process run: more than 10,000 OTLP bodies, then REST and raw HTTP inputs. */
const FULL_PLAN: FuzzPlan = [
  ["json-valid", 400],
  ["protobuf-valid", 400],
  ["json-unicode", 500],
  ["protobuf-unicode", 500],
  ["json-mixed", 800],
  ["protobuf-mixed", 800],
  ["json-type-confusion", 1300],
  ["json-ids", 500],
  ["json-timestamps", 500],
  ["json-deep", 60],
  ["protobuf-deep", 24],
  ["protobuf-groups", 30],
  ["json-truncated", 400],
  ["protobuf-truncated", 800],
  ["json-bitflip", 500],
  ["protobuf-bitflip", 900],
  ["protobuf-wire-confusion", 800],
  ["protobuf-framing", 300],
  ["json-random-bytes", 200],
  ["protobuf-random-bytes", 300],
  ["json-random-text", 300],
  ["huge-string", 6],
  ["many-attributes", 2],
  ["many-spans", 1],
  ["gzip-valid", 200],
  ["gzip-bad", 300],
  ["gzip-bomb", 2],
  ["headers", 200],
  ["extreme-numbers", 150],
];
const FULL_REST = 500;
const FULL_RAW_HTTP = 80;

/** The run against a `serve` process: every kind, fewer of each. */
const SERVE_PLAN: FuzzPlan = FULL_PLAN.map(
  ([kind, count]) => [kind, Math.max(1, Math.round(count / 10))] as const,
);
const SERVE_REST = 200;
const SERVE_RAW_HTTP = 30;

const CONCURRENCY = 4;
/** Generous bounds: figures, not targets. */
const MAX_RSS_GROWTH_MB = 600;

interface RunResult {
  byKind: Record<string, number>;
  /** Milliseconds spent on each kind (building and answering), summed over the workers. */
  msByKind: Record<string, number>;
  statuses: Record<string, number>;
  serverErrors: number;
  failures: string[];
  expectedSpans: Map<string, Set<string>>;
  durationMs: number;
}

function newResult(): RunResult {
  return {
    byKind: {},
    msByKind: {},
    statuses: {},
    serverErrors: 0,
    failures: [],
    expectedSpans: new Map(),
    durationMs: 0,
  };
}

function count(record: Record<string, number>, key: string): void {
  record[key] = (record[key] ?? 0) + 1;
}

/** `partial_success.rejected_spans` of a 200, in the request's encoding. */
function rejectedSpans(input: FuzzInput, body: Buffer): number {
  if (encodingOfContentType(input.contentType) === "protobuf") {
    const message = ExportTraceServiceResponse.toObject(ExportTraceServiceResponse.decode(body), {
      longs: Number,
    }) as {
      partialSuccess?: { rejectedSpans?: number };
    };
    return message.partialSuccess?.rejectedSpans ?? 0;
  }
  const message = JSON.parse(body.toString("utf8")) as {
    partialSuccess?: { rejectedSpans?: string | number };
  };
  return Number(message.partialSuccess?.rejectedSpans ?? 0);
}

async function sendOtlp(
  url: string,
  apiKey: string,
  input: FuzzInput,
  index: number,
  result: RunResult,
): Promise<void> {
  const label = `case ${index} (${input.kind})`;
  const headers: Record<string, string> = { "x-agentops-api-key": apiKey };
  if (input.contentType !== undefined) headers["content-type"] = input.contentType;
  if (input.contentEncoding !== undefined) headers["content-encoding"] = input.contentEncoding;
  let status: number;
  let body: Buffer;
  try {
    const response = await fetch(`${url}/v1/traces`, {
      method: "POST",
      headers,
      body: input.body,
      signal: AbortSignal.timeout(60_000),
    });
    status = response.status;
    body = Buffer.from(await response.arrayBuffer());
  } catch (error) {
    // The server may close the connection of a request it refused for its size before the
    // client has finished sending it; anything else is a failure.
    if (input.expectStatus?.length === 1 && input.expectStatus[0] === 413) {
      count(result.statuses, "413 (closed)");
      return;
    }
    result.failures.push(
      `${label}: no answer: ${(error as Error).message} ${(error as Error).cause ?? ""}`,
    );
    return;
  }
  count(result.statuses, String(status));
  if (status >= 500) {
    result.serverErrors++;
    result.failures.push(`${label}: ${status} ${body.toString("utf8").slice(0, 200)}`);
    return;
  }
  if (input.expectStatus && !input.expectStatus.includes(status)) {
    result.failures.push(
      `${label}: status ${status}, expected ${input.expectStatus.join(" or ")}: ${body.toString("utf8").slice(0, 200)}`,
    );
    return;
  }
  if (status !== 200) return;
  if (input.rejected !== undefined) {
    const rejected = rejectedSpans(input, body);
    if (rejected !== input.rejected) {
      result.failures.push(
        `${label}: rejected_spans ${rejected}, expected ${input.rejected}: ${body.toString("utf8").slice(0, 300)}`,
      );
    }
  }
  for (const span of input.validSpans ?? []) {
    let spans = result.expectedSpans.get(span.traceId);
    if (!spans) result.expectedSpans.set(span.traceId, (spans = new Set()));
    spans.add(span.spanId);
  }
}

async function sendRest(
  url: string,
  apiKey: string,
  seed: number,
  index: number,
  sessionIds: string[],
  result: RunResult,
): Promise<void> {
  const input = buildRestInput(seed, index, sessionIds);
  const label = `case ${index} (rest ${input.method} ${input.path.slice(0, 120)})`;
  try {
    const response = await fetch(`${url}${input.path}`, {
      method: input.method,
      headers: { "x-agentops-api-key": apiKey },
      signal: AbortSignal.timeout(30_000),
    });
    const text = await response.text();
    count(result.statuses, String(response.status));
    if (response.status >= 500) {
      result.serverErrors++;
      result.failures.push(`${label}: ${response.status} ${text.slice(0, 200)}`);
    }
  } catch (error) {
    result.failures.push(`${label}: no answer: ${(error as Error).message}`);
  }
}

/** Writes raw bytes on a fresh connection and reads the status line of the answer, if any. */
function sendRaw(url: string, bytes: Buffer): Promise<string> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve) => {
    const socket = net.connect(Number(port), hostname);
    let answer = "";
    const done = (outcome: string) => {
      clearTimeout(timer);
      socket.destroy();
      resolve(outcome);
    };
    const timer = setTimeout(
      () => done(answer.match(/^HTTP\/1\.1 (\d{3})/)?.[1] ?? "no answer in 5 s"),
      5000,
    );
    socket.on("error", () => done(answer.match(/^HTTP\/1\.1 (\d{3})/)?.[1] ?? "closed"));
    socket.on("data", (chunk) => (answer += chunk.toString("latin1")));
    socket.on("end", () => done(answer.match(/^HTTP\/1\.1 (\d{3})/)?.[1] ?? "closed"));
    socket.write(bytes, () => socket.end());
  });
}

async function sendRawHttp(
  url: string,
  apiKey: string,
  seed: number,
  index: number,
  result: RunResult,
): Promise<void> {
  const input = buildRawHttpInput(seed, index, apiKey, NOW_MS);
  const outcome = await sendRaw(url, input.bytes);
  count(result.statuses, outcome);
  if (/^5\d\d$/.test(outcome)) {
    result.serverErrors++;
    result.failures.push(
      `case ${index} (http-raw): ${outcome} for ${JSON.stringify(input.bytes.subarray(0, 120).toString("latin1"))}`,
    );
  }
}

/** Runs every input of a plan against a server, `CONCURRENCY` at a time. */
async function runFuzz(options: {
  url: string;
  apiKey: string;
  plan: FuzzPlan;
  rest: number;
  rawHttp: number;
  deadlineMs: number;
}): Promise<RunResult> {
  const result = newResult();
  const started = Date.now();
  const all = planCases(options.plan);
  const wanted = (index: number) => ONLY_CASE === undefined || index === ONLY_CASE;
  const cases = all.filter(({ index }) => wanted(index));
  let next = 0;
  const sessionIds: string[] = [];
  const worker = async () => {
    while (next < cases.length && Date.now() < options.deadlineMs) {
      const { index, kind } = cases[next++]!;
      const caseStarted = performance.now();
      const input = buildInput(SEED, index, kind, NOW_MS);
      if (ONLY_CASE !== undefined)
        console.log(
          `case ${index} (${kind})`,
          input.contentType,
          input.contentEncoding,
          input.body.toString("utf8").slice(0, 4000),
        );
      count(result.byKind, kind);
      await sendOtlp(options.url, options.apiKey, input, index, result);
      result.msByKind[kind] = (result.msByKind[kind] ?? 0) + performance.now() - caseStarted;
      if (input.validSpans?.[0] && sessionIds.length < 50)
        sessionIds.push(traceIdToUuid(input.validSpans[0].traceId));
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  if (next < cases.length)
    result.failures.push(`the run hit its time limit after ${next} of ${cases.length} inputs`);

  // REST and raw HTTP inputs are numbered after the OTLP bodies.
  const restIndexes = Array.from({ length: options.rest }, (_, i) => all.length + i).filter(wanted);
  const restWorker = async () => {
    for (
      let index = restIndexes.shift();
      index !== undefined && Date.now() < options.deadlineMs;
      index = restIndexes.shift()
    ) {
      count(result.byKind, "rest");
      await sendRest(options.url, options.apiKey, SEED, index, sessionIds, result);
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, restWorker));

  const rawIndexes = Array.from(
    { length: options.rawHttp },
    (_, i) => all.length + options.rest + i,
  ).filter(wanted);
  for (const index of rawIndexes) {
    if (Date.now() >= options.deadlineMs) break;
    count(result.byKind, "http-raw");
    await sendRawHttp(options.url, options.apiKey, SEED, index, result);
  }
  result.durationMs = Date.now() - started;
  return result;
}

/** Sessions whose rollup differs from its recomputation from the stored spans (or cannot be read). */
async function rollupMismatches(
  storage: Storage,
  projectId: string,
  traceIds: Iterable<string>,
): Promise<{ checked: number; mismatches: string[] }> {
  const at = Date.now();
  let checked = 0;
  const mismatches: string[] = [];
  for (const traceId of traceIds) {
    const sessionId = traceIdToUuid(traceId);
    checked++;
    try {
      const rollup = JSON.stringify(await storage.sessionStats(projectId, sessionId, at));
      const recomputed = JSON.stringify(await storage.recomputeStats(projectId, sessionId, at));
      if (rollup !== recomputed)
        mismatches.push(`${sessionId}: rollup ${rollup} != recomputed ${recomputed}`);
    } catch (error) {
      mismatches.push(`${sessionId}: ${(error as Error).message}`);
    }
  }
  return { checked, mismatches };
}

function total(record: Record<string, number>): number {
  return Object.values(record).reduce((sum, value) => sum + value, 0);
}

function report(failures: string[]): string {
  return `${failures.length} failure(s) with AGENTOPS_FUZZ_SEED=${SEED} AGENTOPS_FUZZ_NOW_MS=${NOW_MS}:\n${failures.slice(0, 25).join("\n")}`;
}

const figures: Record<string, unknown> = { seed: SEED };

beforeAll(() => {
  console.log(`fuzz seed ${SEED} (replay with AGENTOPS_FUZZ_SEED=${SEED})`);
});

afterAll(() => {
  appendFaultFigures("fuzz", figures);
});

describe(`the OTLP receiver under fuzzing (seed ${SEED})`, () => {
  it("answers more than 10,000 generated and mutated bodies without a 5xx, storing every valid span of accepted batches", async () => {
    const server: TestServer = await startTestServer({ rateLimit: false });
    const memory = new RssSampler(() => process.memoryUsage().rss).start();
    try {
      const result = await runFuzz({
        url: server.url,
        apiKey: server.projectA.apiKey,
        plan: FULL_PLAN,
        rest: FULL_REST,
        rawHttp: FULL_RAW_HTTP,
        deadlineMs: Date.now() + 240_000,
      });
      memory.stop();

      // The valid spans of accepted batches, read back from the store.
      let expected = 0;
      let stored = 0;
      const missing: string[] = [];
      for (const [traceId, spanIds] of result.expectedSpans) {
        const found = new Set<string>();
        for await (const page of server.storage.sessionSpans(
          server.projectA.id,
          traceIdToUuid(traceId),
        )) {
          for (const span of page) found.add(span.spanId);
        }
        for (const spanId of spanIds) {
          expected++;
          if (found.has(spanId)) stored++;
          else if (missing.length < 10) missing.push(`${traceId}/${spanId}`);
        }
      }
      const health = await fetch(`${server.url}/healthz`);
      const rollups = await rollupMismatches(
        server.storage,
        server.projectA.id,
        result.expectedSpans.keys(),
      );

      const otlpInputs =
        total(result.byKind) - (result.byKind.rest ?? 0) - (result.byKind["http-raw"] ?? 0);
      Object.assign(figures, {
        inputs: total(result.byKind),
        otlpBodies: otlpInputs,
        byKind: result.byKind,
        statuses: result.statuses,
        serverErrors: result.serverErrors,
        failures: result.failures.length,
        validSpansExpected: expected,
        validSpansStored: stored,
        sessionsChecked: rollups.checked,
        rollupMismatches: rollups.mismatches.length,
        maxRssGrowthMb: memory.growthMb,
        durationS: Math.round(result.durationMs / 1000),
      });
      console.log(JSON.stringify(figures, null, 2));
      console.log(
        "ms per kind (summed over workers)",
        JSON.stringify(
          Object.fromEntries(
            Object.entries(result.msByKind).map(([kind, ms]) => [kind, Math.round(ms)]),
          ),
        ),
      );

      expect(otlpInputs).toBeGreaterThanOrEqual(10_000);
      expect(result.failures.length === 0 ? "" : report(result.failures)).toBe("");
      expect(result.serverErrors).toBe(0);
      expect(missing).toEqual([]);
      expect(stored).toBe(expected);
      expect(expected).toBeGreaterThan(10_000);
      expect(rollups.mismatches.slice(0, 10)).toEqual([]);
      expect(health.status).toBe(200);
      expect(memory.growthMb).toBeLessThan(MAX_RSS_GROWTH_MB);
    } finally {
      memory.stop();
      await server.close();
    }
  }, 300_000);

  it(`answers a smaller run against an agentops-server serve process (${PG_URL ? "PostgreSQL" : "SQLite"}) the same way, and keeps running`, async () => {
    assertBuilt();
    const folder = mkdtempSync(path.join(tmpdir(), "agentops-fuzz-"));
    const schemas = PG_URL ? pgSchemas(PG_URL) : undefined;
    let server: ServeProcess | undefined;
    try {
      const db = schemas ? await schemas.fresh() : `sqlite:${path.join(folder, "agentops.db")}`;
      const created = await runCli(["projects", "create", "fuzz", "--db", db, "--json"]);
      expect(created.code).toBe(0);
      const { api_key: apiKey } = JSON.parse(created.stdout) as { api_key: string };
      server = await startServe(["--port", "0", "--db", db, "--no-dashboard"]);
      const pid = server.child.pid!;
      const memory = new RssSampler(() => processRss(pid)).start();
      const result = await runFuzz({
        url: server.url,
        apiKey,
        plan: SERVE_PLAN,
        rest: SERVE_REST,
        rawHttp: SERVE_RAW_HTTP,
        deadlineMs: Date.now() + 120_000,
      });
      memory.stop();

      let expected = 0;
      let stored = 0;
      for (const [traceId, spanIds] of result.expectedSpans) {
        const response = await fetch(`${server.url}/v2/sessions/${traceIdToUuid(traceId)}/spans`, {
          headers: { "x-agentops-api-key": apiKey },
        });
        const found =
          response.status === 200
            ? new Set(
                ((await response.json()) as { spans: Array<{ span_id: string }> }).spans.map(
                  (span) => span.span_id,
                ),
              )
            : new Set();
        for (const spanId of spanIds) {
          expected++;
          if (found.has(spanId)) stored++;
        }
      }
      const health = await fetch(`${server.url}/healthz`);
      const errorLines = server.logs.filter((entry) => Number(entry.level) >= 50);
      const alive = server.child.exitCode === null;
      expect(await server.stop("SIGTERM")).toBe(0);
      server = undefined;
      // The rollups, with the store opened directly once the server stopped.
      const storage = await openStorage(db);
      const { project_id: projectId } = JSON.parse(created.stdout) as { project_id: string };
      let rollups: { checked: number; mismatches: string[] };
      try {
        rollups = await rollupMismatches(storage, projectId, result.expectedSpans.keys());
      } finally {
        await storage.close();
      }

      figures.serveProcess = {
        store: PG_URL ? "postgres" : "sqlite",
        inputs: total(result.byKind),
        statuses: result.statuses,
        serverErrors: result.serverErrors,
        failures: result.failures.length,
        validSpansExpected: expected,
        validSpansStored: stored,
        sessionsChecked: rollups.checked,
        rollupMismatches: rollups.mismatches.length,
        maxRssGrowthMb: memory.growthMb,
        durationS: Math.round(result.durationMs / 1000),
      };
      console.log(JSON.stringify(figures.serveProcess, null, 2));

      expect(result.failures.length === 0 ? "" : report(result.failures)).toBe("");
      expect(result.serverErrors).toBe(0);
      expect(stored).toBe(expected);
      expect(expected).toBeGreaterThan(1000);
      expect(rollups.mismatches.slice(0, 10)).toEqual([]);
      expect(health.status).toBe(200);
      expect(alive).toBe(true);
      expect(errorLines).toEqual([]);
      expect(memory.growthMb).toBeLessThan(MAX_RSS_GROWTH_MB);
    } finally {
      await server?.stop();
      await schemas?.dropAll();
      rmSync(folder, { recursive: true, force: true });
    }
  }, 240_000);
});

/** Each store the regression tests run on: SQLite always, PostgreSQL when the test database is set. */
const STORES: Array<[string, boolean]> = [
  ["SQLite", true],
  ["PostgreSQL", Boolean(PG_URL)],
];

describe("regressions found by fuzzing", () => {
  async function withServer(
    store: string,
    run: (server: TestServer) => Promise<void>,
  ): Promise<void> {
    const schemas = store === "PostgreSQL" ? pgSchemas(PG_URL!) : undefined;
    const server = await startTestServer(schemas ? { databaseUrl: await schemas.fresh() } : {});
    try {
      await run(server);
    } finally {
      await server.close();
      await schemas?.dropAll();
    }
  }

  async function post(
    server: TestServer,
    spans: SpanInput[],
    encoding: "json" | "protobuf",
  ): Promise<{ status: number; text: string }> {
    const response = await fetch(`${server.url}/v1/traces`, {
      method: "POST",
      headers: {
        "content-type": encoding === "json" ? "application/json" : "application/x-protobuf",
        "x-agentops-api-key": server.projectA.apiKey,
      },
      body: otlpBody(spans, encoding),
    });
    return {
      status: response.status,
      text: Buffer.from(await response.arrayBuffer()).toString("latin1"),
    };
  }

  async function get(server: TestServer, route: string): Promise<{ status: number; json: any }> {
    const response = await fetch(`${server.url}${route}`, {
      headers: { "x-agentops-api-key": server.projectA.apiKey },
    });
    return { status: response.status, json: await response.json() };
  }

  it("classifies a span kind or operation named after an Object.prototype member as other", () => {
    for (const value of ["constructor", "__proto__", "toString", "hasOwnProperty", "valueOf"]) {
      expect(classifySpan("x", null, { [ATTR_AGENTOPS_SPAN_KIND]: value })).toBe("other");
      expect(classifySpan("x", null, { [ATTR_GEN_AI_OPERATION_NAME]: value })).toBe("other");
    }
  });

  for (const [store, available] of STORES) {
    (available ? it : it.skip)(
      `${store}: stores spans whose kind names an Object.prototype member (was a 503 for the whole batch, retried forever)`,
      async () => {
        await withServer(store, async (server) => {
          const traceId = hex(16);
          const spans: SpanInput[] = ["constructor", "__proto__", "toString"].map((value, i) => ({
            traceId,
            spanId: hex(8),
            name: `span ${i}`,
            startMs: Date.now() - 1000,
            attributes: { [i % 2 ? ATTR_GEN_AI_OPERATION_NAME : ATTR_AGENTOPS_SPAN_KIND]: value },
          }));
          for (const encoding of ["json", "protobuf"] as const) {
            const answer = await post(server, spans, encoding);
            expect(answer.status).toBe(200);
          }
          const { status, json } = await get(
            server,
            `/v2/sessions/${traceIdToUuid(traceId)}/spans`,
          );
          expect(status).toBe(200);
          expect(json.spans.map((span: { kind: string }) => span.kind)).toEqual([
            "other",
            "other",
            "other",
          ]);
        });
      },
    );

    (available ? it : it.skip)(
      `${store}: stores NUL and unpaired surrogates in names, status messages, models, tags, reasons and videos, and filters by such a tag (was a 503 / 500 on PostgreSQL)`,
      async () => {
        await withServer(store, async (server) => {
          const session = sessionSpans({
            tags: ["nul\u0000tag", "lone\ud800tag", "x".repeat(255) + "\ud83d\ude00"],
            endState: "Failure",
          });
          const [root, llm] = session.spans;
          root!.name = "root\u0000name";
          root!.status = { code: 2, message: "status\u0000\udc00" };
          root!.attributes!["agentops.session.end_state_reason"] = "reason\u0000";
          root!.attributes!["agentops.session.video"] = "https://example.test/\u0000.mp4";
          llm!.attributes!["gen_ai.request.model"] = "gpt-4o\u0000";
          llm!.attributes!["gen_ai.provider.name"] = "open\ud800ai";
          llm!.attributes!["kept"] = "a\u0000b\ud800";
          const answer = await post(server, session.spans, "json");
          expect(answer).toEqual({ status: 200, text: "{}" });
          // The same in protobuf (which has no unpaired surrogates, but NUL).
          const other = sessionSpans({ tags: ["proto\u0000tag"] });
          expect((await post(server, other.spans, "protobuf")).status).toBe(200);

          const stats = await get(server, `/v2/sessions/${session.sessionId}/stats`);
          expect(stats.status).toBe(200);
          expect(stats.json.tags).toEqual([
            "nul\ufffdtag",
            "lone\ufffdtag",
            "x".repeat(255) + "\ufffd",
          ]);
          expect(stats.json.end_state_reason).toBe("reason\ufffd");
          const spans = await get(server, `/v2/sessions/${session.sessionId}/spans`);
          const byId = new Map<string, any>(
            spans.json.spans.map((span: { span_id: string }) => [span.span_id, span]),
          );
          expect(byId.get(root!.spanId!)).toMatchObject({
            name: "root\ufffdname",
            status_message: "status\ufffd\ufffd",
          });
          expect(byId.get(llm!.spanId!)).toMatchObject({
            model: "gpt-4o\ufffd",
            provider: "open\ufffdai",
          });
          // Attributes are stored as sent.
          expect(byId.get(llm!.spanId!).attributes.kept).toBe("a\u0000b\ud800");
          const exported = await get(server, `/v2/sessions/${session.sessionId}/export`);
          expect(exported.json.session.video).toBe("https://example.test/\ufffd.mp4");

          for (const tag of ["nul\u0000tag", "nul\ufffdtag"]) {
            const list = await get(server, `/v2/sessions?tag=${encodeURIComponent(tag)}`);
            expect(list.status).toBe(200);
            expect(
              list.json.sessions.map((item: { session_id: string }) => item.session_id),
            ).toEqual([session.sessionId]);
          }
          const proto = await get(server, `/v2/sessions/${other.sessionId}/stats`);
          expect(proto.json.tags).toEqual(["proto\ufffdtag"]);
        });
      },
    );
  }

  for (const [store, available] of STORES) {
    (available ? it : it.skip)(
      `${store}: a session whose costs sum past 64 bits saturates at $9M, with the rollup equal to its recomputation (was a 503 on PostgreSQL, an overflow error recomputing on SQLite)`,
      async () => {
        await withServer(store, async (server) => {
          const traceId = hex(16);
          const llmSpans = (count: number): SpanInput[] =>
            Array.from({ length: count }, () => ({
              traceId,
              spanId: hex(8),
              name: "chat gpt-4o",
              startMs: Date.now() - 1000,
              attributes: {
                [ATTR_GEN_AI_OPERATION_NAME]: "chat",
                "gen_ai.provider.name": "openai",
                "gen_ai.request.model": "gpt-4o",
                "gen_ai.usage.input_tokens": 10,
                "agentops.llm.cost": 1e6,
              },
            }));
          // Ten at the per-span maximum in one batch, then in batches of five, then one more.
          for (const batch of [llmSpans(10), llmSpans(5), llmSpans(5), llmSpans(1)]) {
            expect((await post(server, batch, "protobuf")).status).toBe(200);
          }
          const sessionId = traceIdToUuid(traceId);
          const stats = await get(server, `/v2/sessions/${sessionId}/stats`);
          expect(stats.json).toMatchObject({ llm_calls: 21, cost: "9000000.000000" });
          expect(await server.storage.recomputeStats(server.projectA.id, sessionId, 0)).toEqual(
            await server.storage.sessionStats(server.projectA.id, sessionId, 0),
          );
        });
      },
    );
  }

  it("keeps an attribute named __proto__ as an attribute in both encodings, without it shadowing others", async () => {
    await withServer("SQLite", async (server) => {
      for (const encoding of ["json", "protobuf"] as const) {
        const traceId = hex(16);
        // Object.fromEntries keeps "__proto__" as an own key, which otlpBody sends as an attribute.
        const spans: SpanInput[] = [
          {
            traceId,
            name: "a",
            startMs: Date.now() - 1000,
            attributes: Object.fromEntries([
              ["__proto__", { [ATTR_AGENTOPS_SPAN_KIND]: "llm" }],
              ["plain", 1],
            ]),
          },
          {
            traceId,
            name: "b",
            startMs: Date.now() - 1000,
            attributes: Object.fromEntries([["__proto__", "text"]]),
          },
        ];
        expect((await post(server, spans, encoding)).status).toBe(200);
        const { json } = await get(server, `/v2/sessions/${traceIdToUuid(traceId)}/spans`);
        const byName = new Map<string, any>(
          json.spans.map((span: { name: string }) => [span.name, span]),
        );
        expect(byName.get("a").kind).toBe("other");
        expect(
          Object.getOwnPropertyDescriptor(byName.get("a").attributes, "__proto__")?.value,
        ).toEqual({ [ATTR_AGENTOPS_SPAN_KIND]: "llm" });
        expect(byName.get("a").attributes.plain).toBe(1);
        expect(
          Object.getOwnPropertyDescriptor(byName.get("b").attributes, "__proto__")?.value,
        ).toBe("text");
      }
    });
  });
});
