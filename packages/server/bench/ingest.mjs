// Ingest benchmark over HTTP, run against the built package (`pnpm --filter @agentops/server build` first):
//
//   node bench/ingest.mjs                                  SQLite only
//   AGENTOPS_BENCH_PG_URL=postgres://… node bench/ingest.mjs   SQLite and PostgreSQL
//   AGENTOPS_BENCH_CLICKHOUSE_URL=clickhouse://… node bench/ingest.mjs   and ClickHouse (bench/clickhouse.mjs)
//
// 1. Throughput: spans made by the OpenTelemetry SDK and serialized by its OTLP protobuf
//    serializer, in batches of 512 (the SDK's export batch), POSTed to `agentops-server serve`
//    (a child process) by several concurrent clients over keep-alive connections. Next to it, in
//    the same run, a raw insert of the same rows (decoded and normalised exactly as the server
//    does) into an identical `spans` table of the same kind of database: no HTTP, no decoding,
//    no idempotency, no rollups; and an insert of the same spans into a plain 7-column table
//    with 2 indexes (seven-columns.mjs), which shows what the store's schema costs. Printed: the
//    rates and the ratios to both (target ≥ 0.5 to the 7-column insert on SQLite).
// 2. `/stats` latency over HTTP: GET /v2/sessions/:id/stats on a session of 100,000 events in a
//    database of 1,000,000 spans, p50 / p99 over sequential keep-alive requests (target p50 ≤ 10 ms);
//    then the same read right after each of BENCH_AFTER_WRITE_READS (default 50) one-span writes to
//    that session (a live session); then, in the same database, GET /v2/sessions?limit=50 and
//    GET /v2/usage (whole-project reads).
// 3. ClickHouse with the spool, once more over a long run (see `sustained`), with the server on
//    the bench's Node.js and again on the newest Node.js the version matrix tests
//    (BENCH_SERVER_NODE: another version, or "none"; its binary comes from the npm registry into
//    .cache/node, as for the matrix).
//
// Sizes: BENCH_SPANS (throughput, default 100000), BENCH_CLIENTS (default 4), BENCH_ROUNDS
// (default 3, medians reported), BENCH_TOTAL_SPANS (default 1000000), BENCH_SESSION_SPANS
// (default 100000), BENCH_STATS_READS (default 2000), BENCH_PROJECT_READS (default 50: the
// session list's first page and usage, read over HTTP in the same database). BENCH_STORES=clickhouse (a comma list of
// sqlite, postgres, clickhouse) runs only those. PostgreSQL work happens in schemas of its
// own, dropped at the end.
import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import http from "node:http";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { performance } from "node:perf_hooks";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { nodeBinary } from "../../../scripts/versions/cache.mjs";
import { NODE_VERSIONS } from "../../../scripts/versions/plan.mjs";
import { benchClickHouse } from "./clickhouse.mjs";
import { rawValues } from "./raw-rows.mjs";
import { SEVEN_COLUMNS, sevenColumnTable, sevenValues } from "./seven-columns.mjs";

const require = createRequire(import.meta.url);
const here = dirname(fileURLToPath(import.meta.url));
const CLI = join(here, "..", "dist", "cli.js");
const { openStorage, generateApiKey, decodeTraceRequest, normalizeSpan } = require("../dist/index.js");
const Database = require("better-sqlite3");
const pg = require("pg");
const { context, trace, SpanKind } = require("@opentelemetry/api");
const { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } = require("@opentelemetry/sdk-trace-base");
const { resourceFromAttributes } = require("@opentelemetry/resources");
const { ProtobufTraceSerializer } = require("@opentelemetry/otlp-transformer");

const BATCH = 512;
const BUILD_BATCH = 4096;
const SPANS = Number(process.env.BENCH_SPANS ?? 100_000);
const CLIENTS = Number(process.env.BENCH_CLIENTS ?? 4);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const TOTAL_SPANS = Number(process.env.BENCH_TOTAL_SPANS ?? 1_000_000);
const SESSION_SPANS = Number(process.env.BENCH_SESSION_SPANS ?? 100_000);
const STATS_READS = Number(process.env.BENCH_STATS_READS ?? 2_000);
const PROJECT_READS = Number(process.env.BENCH_PROJECT_READS ?? 50);
const AFTER_WRITE_READS = Number(process.env.BENCH_AFTER_WRITE_READS ?? 50);
const PG_URL = process.env.AGENTOPS_BENCH_PG_URL ?? process.env.AGENTOPS_TEST_PG_URL;
const CLICKHOUSE_URL = process.env.AGENTOPS_BENCH_CLICKHOUSE_URL ?? process.env.AGENTOPS_TEST_CLICKHOUSE_URL;
const STORES = new Set((process.env.BENCH_STORES ?? "sqlite,postgres,clickhouse").split(","));
/** The Node.js running the bench, which runs the servers unless told otherwise. */
const BENCH_NODE = { version: process.version, binary: process.execPath };
/** Clock ticks per second of /proc/PID/stat times (USER_HZ, 100 on Linux). */
const CLOCK_TICKS = 100;
/** No single step may hang the bench. */
const STEP_TIMEOUT_MS = 5 * 60_000;

const hex = (bytes) => randomBytes(bytes).toString("hex");
const rate = (count, ms) => Math.round((count / ms) * 1000);
const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
const percentile = (sorted, p) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];

// ---------------------------------------------------------------------------------------------
// Workload: what an agent's SDK process exports
// ---------------------------------------------------------------------------------------------

const T0 = 1_768_478_400_000; // 2026-01-15T12:00:00Z

function eventAttributes(index) {
  switch (index % 4) {
    case 0:
    case 1:
      return {
        "gen_ai.operation.name": "chat",
        "gen_ai.provider.name": "openai",
        "gen_ai.request.model": "gpt-4o",
        "gen_ai.usage.input_tokens": 800 + (index % 400),
        "gen_ai.usage.output_tokens": 100 + (index % 200),
        "agentops.event.id": `${hex(4)}-0000-4000-8000-${hex(6)}`,
      };
    case 2:
      return { "gen_ai.operation.name": "execute_tool", "gen_ai.tool.name": "search", "agentops.event.params": '{"q":"x"}' };
    default:
      return { "agentops.span.kind": "action", "agentops.action.type": "click", "agentops.event.params": '{"x":1}' };
  }
}

/** `count` spans over `sessions` sessions, interleaved, as OTLP protobuf request bodies of 512. */
function makeRequests(count, sessions) {
  const exporter = new InMemorySpanExporter();
  const provider = new BasicTracerProvider({
    resource: resourceFromAttributes({
      "service.name": "bench-agent",
      "host.name": "bench-host",
      "process.pid": 4242,
      "process.runtime.name": "nodejs",
      "agentops.sdk.version": "0.1.0",
    }),
    spanProcessors: [new SimpleSpanProcessor(exporter)],
  });
  const tracer = provider.getTracer("agentops", "0.1.0");
  const parents = Array.from({ length: sessions }, () =>
    trace.setSpanContext(context.active(), { traceId: hex(16), spanId: hex(8), traceFlags: 1, isRemote: true }),
  );
  const bodies = [];
  let pending = 0;
  for (let i = 0; i < count; i++) {
    const start = T0 + i * 3;
    const attributes = eventAttributes(i);
    const name = attributes["gen_ai.operation.name"] === "chat" ? "chat gpt-4o" : attributes["gen_ai.tool.name"] ? "execute_tool search" : "action";
    tracer
      .startSpan(name, { kind: i % 4 < 2 ? SpanKind.CLIENT : SpanKind.INTERNAL, startTime: start, attributes }, parents[i % sessions])
      .end(start + 2.5);
    if (++pending === BATCH || i === count - 1) {
      bodies.push(Buffer.from(ProtobufTraceSerializer.serializeRequest(exporter.getFinishedSpans())));
      exporter.reset();
      pending = 0;
    }
  }
  return bodies;
}

/** The rows the server will store for these bodies: decoded and normalised by the server's own code. */
function rowsOf(bodies) {
  return bodies.map((body) => {
    const { spans, rejected } = decodeTraceRequest(body, "protobuf");
    if (rejected !== 0) throw new Error("bench spans rejected");
    return spans.map((span) => {
      const normalized = normalizeSpan(span);
      if ("error" in normalized) throw new Error(normalized.error);
      return normalized;
    });
  });
}

// ---------------------------------------------------------------------------------------------
// Raw insert: the same rows into an identical table
// ---------------------------------------------------------------------------------------------

const SPAN_COLUMNS =
  "project_pk, trace_id, span_id, parent_span_id, name, kind, start_ns, end_ns, status_code, status_message, " +
  "attributes, events, resource_id, model, provider, prompt_tokens, completion_tokens, cached_tokens, " +
  "reasoning_tokens, cost_pico, is_error, tags, end_state, end_state_reason, video, received_ms";
const COLUMN_COUNT = 26;

async function rawSqlite(path, rowBatches) {
  await (await openStorage(`sqlite:${path}`)).close(); // the same schema
  const db = new Database(path);
  db.pragma("journal_mode = WAL");
  db.pragma("synchronous = NORMAL");
  const insert = db.prepare(`INSERT INTO spans (${SPAN_COLUMNS}) VALUES (${Array(COLUMN_COUNT).fill("?").join(", ")})`);
  const write = db.transaction((batch) => {
    const receivedMs = Date.now();
    for (const span of batch) insert.run(rawValues(span, 1, span.traceId, receivedMs, true));
  });
  const started = performance.now();
  for (const batch of rowBatches) write(batch);
  const ms = performance.now() - started;
  db.close();
  return ms;
}

/** The same spans into a fresh 7-column table with 2 indexes (seven-columns.mjs), same settings. */
async function sevenSqlite(path, rowBatches) {
  const db = new Database(path);
  db.pragma("journal_mode = WAL");
  db.pragma("synchronous = NORMAL");
  for (const statement of sevenColumnTable("plain_spans")) db.exec(statement);
  const insert = db.prepare(`INSERT INTO plain_spans (${SEVEN_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?)`);
  const write = db.transaction((rows) => {
    for (const values of rows) insert.run(values);
  });
  // The values are ready before the clock starts: the baseline is the insert alone.
  const batches = rowBatches.map((batch) => batch.map((span) => sevenValues(span, true)));
  const started = performance.now();
  for (const rows of batches) write(rows);
  const ms = performance.now() - started;
  db.close();
  return ms;
}

async function sevenPostgres(url, rowBatches) {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  for (const statement of sevenColumnTable("plain_spans", { integer: "BIGINT" })) await client.query(statement);
  const statementFor = (rows) =>
    `INSERT INTO plain_spans (${SEVEN_COLUMNS}) VALUES ` +
    Array.from({ length: rows }, (_, r) => `(${Array.from({ length: 7 }, (_, c) => `$${r * 7 + c + 1}`).join(", ")})`).join(", ");
  const batches = rowBatches.map((batch) => batch.flatMap((span) => sevenValues(span, false)));
  const started = performance.now();
  for (const values of batches) await client.query(statementFor(values.length / 7), values);
  const ms = performance.now() - started;
  await client.end();
  return ms;
}

async function rawPostgres(url, rowBatches) {
  await (await openStorage(url)).close();
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  const statementFor = (rows) =>
    `INSERT INTO spans (${SPAN_COLUMNS}) VALUES ` +
    Array.from({ length: rows }, (_, r) => `(${Array.from({ length: COLUMN_COUNT }, (_, c) => `$${r * COLUMN_COUNT + c + 1}`).join(", ")})`).join(", ");
  const started = performance.now();
  for (const batch of rowBatches) {
    const receivedMs = Date.now();
    await client.query("BEGIN");
    await client.query(statementFor(batch.length), batch.flatMap((span) => rawValues(span, 1, span.sessionId, receivedMs, false)));
    await client.query("COMMIT");
  }
  const ms = performance.now() - started;
  await client.end();
  return ms;
}

// ---------------------------------------------------------------------------------------------
// The server, as users run it
// ---------------------------------------------------------------------------------------------

async function createProject(db) {
  const storage = await openStorage(db);
  try {
    const key = generateApiKey();
    const project = await storage.createProject("bench", key.lookup, key.hash);
    return { projectId: project.id, apiKey: key.apiKey };
  } finally {
    await storage.close();
  }
}

/** `agentops-server serve` on `db`, run by the `node` binary given (default: the bench's own). */
function serve(db, extraArgs = [], node = process.execPath) {
  return new Promise((resolve, reject) => {
    const child = spawn(node, [CLI, "serve", "--port", "0", "--db", db, "--no-dashboard", ...extraArgs], {
      stdio: ["ignore", "pipe", "inherit"],
    });
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error("serve did not start"));
    }, 60_000);
    child.on("exit", (code) => reject(new Error(`serve exited with ${code}`)));
    createInterface({ input: child.stdout }).on("line", (line) => {
      const match = /"address":"(http:\/\/127\.0\.0\.1:\d+)".*"msg":"listening"/.exec(line);
      if (match) {
        clearTimeout(timer);
        resolve({
          url: match[1],
          // CPU time of the server process so far (user + system; NaN where /proc is missing).
          cpuMs: () => {
            try {
              const fields = readFileSync(`/proc/${child.pid}/stat`, "utf8").split(") ")[1].split(" ");
              return ((Number(fields[11]) + Number(fields[12])) * 1000) / CLOCK_TICKS;
            } catch {
              return Number.NaN;
            }
          },
          stop: () =>
            new Promise((done) => {
              child.removeAllListeners("exit");
              child.on("exit", (code) => done(code));
              child.kill("SIGTERM");
            }),
        });
      }
    });
  });
}

function post(agent, url, path, apiKey, body) {
  return new Promise((resolve, reject) => {
    const request = http.request(
      url + path,
      {
        method: "POST",
        agent,
        headers: { "content-type": "application/x-protobuf", "x-agentops-api-key": apiKey, "content-length": body.length },
      },
      (response) => {
        response.resume();
        response.on("end", () => resolve({ status: response.statusCode, retryAfter: Number(response.headers["retry-after"] ?? 0) }));
      },
    );
    request.on("error", reject);
    request.end(body);
  });
}

function get(agent, url, path, apiKey) {
  return new Promise((resolve, reject) => {
    http
      .get(url + path, { agent, headers: { "x-agentops-api-key": apiKey } }, (response) => {
        let text = "";
        response.setEncoding("utf8");
        response.on("data", (chunk) => (text += chunk));
        response.on("end", () => resolve({ status: response.statusCode, text }));
      })
      .on("error", reject);
  });
}

/** Several clients, each on its own keep-alive connection, send all bodies; retries honour Retry-After. */
async function sendAll(url, apiKey, bodies) {
  let next = 0;
  let retries = 0;
  const deadline = Date.now() + STEP_TIMEOUT_MS;
  const client = async () => {
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    try {
      while (next < bodies.length) {
        const body = bodies[next++];
        for (;;) {
          if (Date.now() > deadline) throw new Error("ingest did not finish in time");
          const { status, retryAfter } = await post(agent, url, "/v1/traces", apiKey, body);
          if (status === 200) break;
          if (status !== 429 && status !== 503) throw new Error(`ingest answered ${status}`);
          retries++;
          await new Promise((resolve) => setTimeout(resolve, Math.max(retryAfter, 0.05) * 1000));
        }
      }
    } finally {
      agent.destroy();
    }
  };
  const started = performance.now();
  await Promise.all(Array.from({ length: CLIENTS }, client));
  return { ms: performance.now() - started, retries };
}

// ---------------------------------------------------------------------------------------------
// Runs
// ---------------------------------------------------------------------------------------------

/**
 * `rawInsert` writes the store's own rows, `sevenInsert` the 7-column baseline; `serveArgs()`:
 * extra `serve` arguments for each round's server (e.g. a fresh spool folder).
 */
async function throughput(store, freshDb, rawInsert, sevenInsert, serveArgs = () => []) {
  const bodies = makeRequests(SPANS, 20);
  const rowBatches = rowsOf(bodies);
  const raw = [];
  const seven = [];
  const viaHttp = [];
  let retries = 0;
  for (let round = 1; round <= ROUNDS; round++) {
    raw.push(await rawInsert(await freshDb(`raw_${round}`), rowBatches));
    seven.push(await sevenInsert(await freshDb(`seven_${round}`), rowBatches));
    const db = await freshDb(`http_${round}`);
    const { projectId, apiKey } = await createProject(db);
    const args = serveArgs();
    const server = await serve(db, args);
    try {
      const started = performance.now();
      const result = await sendAll(server.url, apiKey, bodies);
      if (args.length > 0) await readThrough(store, server, apiKey);
      viaHttp.push(performance.now() - started);
      retries += result.retries;
    } finally {
      await server.stop();
    }
    await expectStored(store, db, projectId, SPANS);
  }
  const rawMs = median(raw);
  const httpMs = median(viaHttp);
  return {
    store,
    spans: SPANS,
    clients: CLIENTS,
    batch: BATCH,
    rounds: ROUNDS,
    raw_insert_spans_per_s: rate(SPANS, rawMs),
    seven_column_insert_spans_per_s: rate(SPANS, median(seven)),
    http_ingest_spans_per_s: rate(SPANS, httpMs),
    ratio: Number((rawMs / httpMs).toFixed(2)),
    ratio_to_seven_columns: Number((median(seven) / httpMs).toFixed(2)),
    retries,
  };
}

/**
 * A long run through one server (`BENCH_SUSTAINED_SPANS`, default 1,000,000, one round, no
 * baselines): the rate a server keeps up once its memory is warm, which short rounds understate.
 * Printed: spans/s until a read shows them all, spans/s acknowledged, and the server's CPU per
 * span (from /proc, where there is one).
 */
async function sustained(store, freshDb, serveArgs = () => [], node = BENCH_NODE) {
  const spans = Number(process.env.BENCH_SUSTAINED_SPANS ?? 1_000_000);
  const bodies = makeRequests(spans, 20);
  const db = await freshDb("sustained");
  const { projectId, apiKey } = await createProject(db);
  const server = await serve(db, serveArgs(), node.binary);
  let result;
  try {
    const cpuBefore = server.cpuMs();
    const started = performance.now();
    const sent = await sendAll(server.url, apiKey, bodies);
    await readThrough(store, server, apiKey);
    const ms = performance.now() - started;
    const cpuMs = server.cpuMs() - cpuBefore;
    result = {
      store,
      server_node: node.version,
      spans,
      clients: CLIENTS,
      batch: BATCH,
      http_ingest_spans_per_s: rate(spans, ms),
      acknowledged_spans_per_s: rate(spans, sent.ms),
      server_cpu_us_per_span: Number.isFinite(cpuMs) ? Number(((cpuMs * 1000) / spans).toFixed(1)) : null,
      retries: sent.retries,
    };
  } finally {
    await server.stop();
  }
  await expectStored(store, db, projectId, spans);
  return result;
}

/**
 * One read on a server with a spool: what it acknowledged is not yet in the database, and a read
 * first inserts whatever the server holds, so timing until it answers times the whole ingest.
 */
async function readThrough(store, server, apiKey) {
  const agent = new http.Agent({ keepAlive: false });
  const { status } = await get(agent, server.url, "/v2/sessions?limit=1", apiKey);
  agent.destroy();
  if (status !== 200) throw new Error(`${store}: the list answered ${status}`);
}

/** Throws unless the project's sessions hold exactly `spans` events. */
async function expectStored(store, db, projectId, spans) {
  const storage = await openStorage(db);
  const page = await storage.listSessions(projectId, { limit: 200 });
  await storage.close();
  const stored = page.sessions.reduce((sum, stats) => sum + stats.events, 0);
  if (stored !== spans) throw new Error(`${store}: ${stored} events stored, ${spans} sent`);
}

/** 1M spans through the store (every tenth batch the big session's), then /stats over HTTP. */
async function statsLatency(store, db, afterBuild = async () => {}) {
  const { projectId, apiKey } = await createProject(db);
  const storage = await openStorage(db);
  const resource = { "service.name": "bench-agent", "host.name": "bench-host" };
  const newTrace = () => ({ traceId: hex(16), rootId: hex(8), next: 0 });
  const big = newTrace();
  let other = newTrace();
  let written = 0;
  let counter = 0;
  const nextSpan = (target) => {
    const index = target.next++;
    const startMs = T0 + index * 3;
    return normalizeSpan({
      traceId: target.traceId,
      spanId: (++counter).toString(16).padStart(16, "0"),
      parentSpanId: target.rootId,
      name: "span",
      startTimeUnixNano: (BigInt(startMs) * 1_000_000n).toString(),
      endTimeUnixNano: (BigInt(startMs + 2) * 1_000_000n).toString(),
      statusCode: 0,
      statusMessage: null,
      attributes: eventAttributes(index),
      resource,
      events: [],
      spanKind: 1,
      scope: "bench",
    });
  };
  const started = performance.now();
  for (let k = 0; written < TOTAL_SPANS; k++) {
    if (performance.now() - started > STEP_TIMEOUT_MS) throw new Error("building the large database took too long");
    const bigLeft = SESSION_SPANS - big.next;
    const othersLeft = TOTAL_SPANS - written - bigLeft;
    const useBig = bigLeft > 0 && (k % 10 === 0 || othersLeft <= 0);
    const target = useBig ? big : other;
    // Large batches: building the database is setup, not what is measured.
    const size = Math.min(BUILD_BATCH, useBig ? bigLeft : Math.min(othersLeft, 1000 - other.next));
    const spans = new Array(size);
    for (let i = 0; i < size; i++) spans[i] = nextSpan(target);
    await storage.ingest(projectId, spans);
    written += size;
    if (!useBig && other.next >= 1000) other = newTrace();
  }
  const buildMs = performance.now() - started;
  await storage.close();
  await afterBuild();

  const sessionId = `${big.traceId.slice(0, 8)}-${big.traceId.slice(8, 12)}-${big.traceId.slice(12, 16)}-${big.traceId.slice(16, 20)}-${big.traceId.slice(20)}`;
  const server = await serve(db);
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  try {
    const path = `/v2/sessions/${sessionId}/stats`;
    let events = 0;
    for (let i = 0; i < 50; i++) events = JSON.parse((await get(agent, server.url, path, apiKey)).text).events;
    const times = [];
    for (let i = 0; i < STATS_READS; i++) {
      const t = performance.now();
      const { status } = await get(agent, server.url, path, apiKey);
      times.push(performance.now() - t);
      if (status !== 200) throw new Error(`/stats answered ${status}`);
    }
    times.sort((a, b) => a - b);
    // A session still being written: one more span into it (from another connection, as another
    // server would), then /stats; the stores that aggregate on read pay for it here.
    const writer = await openStorage(db);
    const afterWrite = [];
    try {
      for (let i = 0; i < AFTER_WRITE_READS; i++) {
        await writer.ingest(projectId, [nextSpan(big)]);
        const t = performance.now();
        const { status } = await get(agent, server.url, path, apiKey);
        afterWrite.push(performance.now() - t);
        if (status !== 200) throw new Error(`/stats answered ${status}`);
      }
    } finally {
      await writer.close();
    }
    afterWrite.sort((a, b) => a - b);
    // The project-wide reads: the first page of the session list and usage by day and model.
    const list = await timedReads(agent, server.url, "/v2/sessions?limit=50", apiKey, (body) => body.sessions.length > 0);
    const usage = await timedReads(agent, server.url, "/v2/usage", apiKey, (body) => body.usage.length > 0);
    return {
      store,
      total_spans: written,
      session_events: events,
      build_spans_per_s: rate(written, buildMs),
      stats_http_p50_ms: Number(percentile(times, 50).toFixed(3)),
      stats_http_p99_ms: Number(percentile(times, 99).toFixed(3)),
      reads: STATS_READS,
      stats_after_write_http_p50_ms: Number(percentile(afterWrite, 50).toFixed(3)),
      stats_after_write_http_p99_ms: Number(percentile(afterWrite, 99).toFixed(3)),
      reads_after_write: AFTER_WRITE_READS,
      list_http_p50_ms: list.p50,
      list_http_p99_ms: list.p99,
      usage_http_p50_ms: usage.p50,
      usage_http_p99_ms: usage.p99,
      project_reads: PROJECT_READS,
    };
  } finally {
    agent.destroy();
    await server.stop();
  }
}

/** p50 / p99 of sequential GETs of `path` (after 3 unmeasured), each answer checked by `valid`. */
async function timedReads(agent, url, path, apiKey, valid) {
  const times = [];
  for (let i = 0; i < PROJECT_READS + 3; i++) {
    const t = performance.now();
    const { status, text } = await get(agent, url, path, apiKey);
    if (i >= 3) times.push(performance.now() - t);
    if (status !== 200 || !valid(JSON.parse(text))) throw new Error(`${path} answered ${status}: ${text.slice(0, 200)}`);
  }
  times.sort((a, b) => a - b);
  return { p50: Number(percentile(times, 50).toFixed(3)), p99: Number(percentile(times, 99).toFixed(3)) };
}

async function benchSqlite() {
  const directory = mkdtempSync(join(tmpdir(), "agentops-ingest-bench-"));
  try {
    const freshDb = async (name) => `sqlite:${join(directory, `${name}.db`)}`;
    const file = (db) => db.slice("sqlite:".length);
    console.log(JSON.stringify(await throughput("sqlite", freshDb, (db, rows) => rawSqlite(file(db), rows), (db, rows) => sevenSqlite(file(db), rows))));
    console.log(JSON.stringify(await statsLatency("sqlite", await freshDb("large"))));
  } finally {
    rmSync(directory, { recursive: true, force: true });
  }
}

async function benchPostgres() {
  const admin = new pg.Pool({ connectionString: PG_URL, max: 1 });
  const schemas = [];
  const freshDb = async (name) => {
    const schema = `agentops_ingest_bench_${process.pid}_${name}`;
    await admin.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
    await admin.query(`CREATE SCHEMA ${schema}`);
    schemas.push(schema);
    const url = new URL(PG_URL);
    url.searchParams.set("options", `-c search_path=${schema}`);
    return url.toString();
  };
  try {
    console.log(JSON.stringify(await throughput("postgres", freshDb, rawPostgres, sevenPostgres)));
    const large = await freshDb("large");
    const schema = schemas[schemas.length - 1];
    console.log(JSON.stringify(await statsLatency("postgres", large, () => admin.query(`ANALYZE ${schema}.sessions`))));
  } finally {
    for (const schema of schemas) await admin.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
    await admin.end();
  }
}

/**
 * The Node.js binaries the sustained run's server runs on: the bench's own, then
 * BENCH_SERVER_NODE (default the newest version the matrix tests) unless that is the same.
 */
async function serverNodes() {
  const nodes = [BENCH_NODE];
  const wanted = process.env.BENCH_SERVER_NODE ?? NODE_VERSIONS[NODE_VERSIONS.length - 1];
  if (wanted === "none" || `v${wanted}` === process.version) return nodes;
  nodes.push({ version: `v${wanted}`, binary: await nodeBinary(join(here, "..", "..", ".."), wanted) });
  return nodes;
}

const startedAt = performance.now();
if (STORES.has("sqlite")) await benchSqlite();
if (!STORES.has("postgres")) {
  // not asked for
} else if (PG_URL) {
  await benchPostgres();
} else {
  console.log("PostgreSQL: NOT RUN (set AGENTOPS_BENCH_PG_URL or AGENTOPS_TEST_PG_URL)");
}
if (!STORES.has("clickhouse")) {
  // not asked for
} else if (CLICKHOUSE_URL) {
  await benchClickHouse(CLICKHOUSE_URL, { throughput, statsLatency, sustained, serverNodes: await serverNodes() });
} else {
  console.log("ClickHouse: NOT RUN (set AGENTOPS_BENCH_CLICKHOUSE_URL or AGENTOPS_TEST_CLICKHOUSE_URL)");
}
console.log(`ingest bench done in ${((performance.now() - startedAt) / 1000).toFixed(1)} s`);
