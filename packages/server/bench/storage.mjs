// Storage benchmark, run against the built package (`pnpm --filter @agentops/server build` first):
//
//   node bench/storage.mjs                      SQLite only
//   AGENTOPS_BENCH_PG_URL=postgres://… node bench/storage.mjs   SQLite and PostgreSQL
//
// 1. Ingest throughput: the same spans (batches of 512, the SDK's export batch) written by a raw
//    insert loop into an identical `spans` table (no idempotency, no rollups) and through the
//    store's `ingest` (idempotent insert + per-session rollups in one transaction). Target:
//    store ≥ 0.5 × raw.
// 2. `/stats` latency: `sessionStats` of a 100,000-event session in a database of 1,000,000
//    spans, p50 / p99 over many reads (target p50 ≤ 10 ms), beside one recomputation from the
//    spans for contrast. The other 900,000 spans (1,000-span sessions) are loaded in bulk SQL; the
//    big session goes through `ingest`.
//
// Sizes: BENCH_SPANS (throughput, default 100000), BENCH_TOTAL_SPANS (default 1000000),
// BENCH_SESSION_SPANS (default 100000), BENCH_STATS_READS (default 2000), BENCH_ROUNDS (throughput
// runs, alternating raw and store; medians reported, default 3). PostgreSQL work happens
// in a schema of its own, dropped at the end.
import { randomBytes, randomUUID } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { rawValues } from "./raw-rows.mjs";

const require = createRequire(import.meta.url);
const { openStorage } = require("../dist/index.js");
const Database = require("better-sqlite3");
const pg = require("pg");

const BATCH = 512;
const THROUGHPUT_SPANS = Number(process.env.BENCH_SPANS ?? 100_000);
const TOTAL_SPANS = Number(process.env.BENCH_TOTAL_SPANS ?? 1_000_000);
const SESSION_SPANS = Number(process.env.BENCH_SESSION_SPANS ?? 100_000);
const STATS_READS = Number(process.env.BENCH_STATS_READS ?? 2_000);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const PG_URL = process.env.AGENTOPS_BENCH_PG_URL ?? process.env.AGENTOPS_TEST_PG_URL;

const RESOURCE = {
  "service.name": "bench-agent",
  "host.name": "bench-host",
  "process.pid": 4242,
  "process.runtime.name": "nodejs",
  "process.runtime.version": "20.19.0",
  "os.type": "linux",
  "agentops.sdk.version": "0.1.0",
};

let spanCounter = 0;
const T0 = 1_768_478_400_000; // 2026-01-15T12:00:00Z

function uuidOf(hex) {
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** A normalised span as the receiver hands it to the store: an LLM call, a tool call or an action. */
function eventSpan(traceId, rootId, index) {
  spanCounter += 1;
  const spanId = spanCounter.toString(16).padStart(16, "0");
  const startMs = T0 + index * 3;
  const start = BigInt(startMs) * 1_000_000n + BigInt(index % 1000);
  const end = start + 2_500_000n;
  const which = index % 4;
  const common = {
    traceId,
    spanId,
    parentSpanId: rootId,
    sessionId: uuidOf(traceId),
    startTimeUnixNano: start.toString(),
    endTimeUnixNano: end.toString(),
    startMs,
    endMs: Number(end / 1_000_000n),
    statusCode: 0,
    statusMessage: null,
    resource: RESOURCE,
    events: [],
    model: null,
    provider: null,
    promptTokens: 0,
    completionTokens: 0,
    cachedTokens: 0,
    reasoningTokens: 0,
    cost: 0,
    isError: false,
    tags: null,
    endState: null,
    endStateReason: null,
    video: null,
  };
  if (which === 0) {
    return {
      ...common,
      name: "chat gpt-4o",
      kind: "llm",
      attributes: {
        "gen_ai.operation.name": "chat",
        "gen_ai.provider.name": "openai",
        "gen_ai.request.model": "gpt-4o",
        "gen_ai.response.model": "gpt-4o-2024-08-06",
        "gen_ai.response.id": `chatcmpl-${spanId}`,
        "gen_ai.response.finish_reasons": ["stop"],
        "gen_ai.usage.input_tokens": 1000 + (index % 50),
        "gen_ai.usage.output_tokens": 200 + (index % 30),
        "gen_ai.input.messages": JSON.stringify([
          { role: "user", parts: [{ type: "text", content: `question ${index}` }] },
        ]),
        "gen_ai.output.messages": JSON.stringify([
          { role: "assistant", parts: [{ type: "text", content: `answer ${index}` }] },
        ]),
        "agentops.event.id": randomUUID(),
      },
      model: "gpt-4o-2024-08-06",
      provider: "openai",
      promptTokens: 1000 + (index % 50),
      completionTokens: 200 + (index % 30),
      cost: 0.0045,
    };
  }
  if (which === 1) {
    return {
      ...common,
      name: "execute_tool search",
      kind: "tool",
      attributes: {
        "gen_ai.operation.name": "execute_tool",
        "gen_ai.tool.name": "search",
        "gen_ai.tool.call.id": `call_${spanId}`,
        "agentops.event.params": JSON.stringify({ q: `query ${index}` }),
        "agentops.event.returns": JSON.stringify({ hits: [index, index + 1] }),
        "agentops.event.id": randomUUID(),
      },
    };
  }
  return {
    ...common,
    name: "action fetch",
    kind: "action",
    attributes: {
      "agentops.span.kind": "action",
      "agentops.action.type": "fetch",
      "agentops.event.params": JSON.stringify({ url: `https://example.test/${index}` }),
      "agentops.event.returns": JSON.stringify({ status: 200 }),
      "agentops.event.id": randomUUID(),
    },
  };
}

function hex(bytes) {
  return randomBytes(bytes).toString("hex");
}

/** `count` event spans spread over `sessions` sessions, interleaved as concurrent agents would send them. */
function workload(count, sessions) {
  const traces = Array.from({ length: sessions }, () => ({
    traceId: hex(16),
    rootId: hex(8),
    next: 0,
  }));
  const spans = new Array(count);
  for (let i = 0; i < count; i++) {
    const trace = traces[i % sessions];
    spans[i] = eventSpan(trace.traceId, trace.rootId, trace.next++);
  }
  return spans;
}

function batches(spans, size = BATCH) {
  const out = [];
  for (let i = 0; i < spans.length; i += size) out.push(spans.slice(i, i + size));
  return out;
}

function rate(count, ms) {
  return Math.round((count / ms) * 1000);
}

function percentile(sorted, p) {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

const SPAN_COLUMNS =
  "project_pk, trace_id, span_id, parent_span_id, name, kind, start_ns, end_ns, status_code, status_message, " +
  "attributes, events, resource_id, model, provider, prompt_tokens, completion_tokens, cached_tokens, " +
  "reasoning_tokens, cost_pico, is_error, tags, end_state, end_state_reason, video, received_ms";
const COLUMN_COUNT = 26;


async function storeIngest(storage, projectId, spanBatches) {
  const started = performance.now();
  for (const batch of spanBatches) await storage.ingest(projectId, batch);
  return performance.now() - started;
}

async function statsLatency(storage, projectId, sessionId) {
  for (let i = 0; i < 50; i++) await storage.sessionStats(projectId, sessionId);
  const times = [];
  for (let i = 0; i < STATS_READS; i++) {
    const started = performance.now();
    await storage.sessionStats(projectId, sessionId);
    times.push(performance.now() - started);
  }
  times.sort((a, b) => a - b);
  const started = performance.now();
  const recomputed = await storage.recomputeStats(projectId, sessionId);
  const recomputeMs = performance.now() - started;
  const stats = await storage.sessionStats(projectId, sessionId);
  if (JSON.stringify(stats) !== JSON.stringify(recomputed))
    throw new Error("rollup differs from recomputation");
  return {
    p50: percentile(times, 50),
    p99: percentile(times, 99),
    recomputeMs,
    events: stats.events,
  };
}

/** A typical event span's attributes, as the filler's text. */
const FILLER_ATTRIBUTES = JSON.stringify(
  eventSpan("0".repeat(31) + "1", "0".repeat(15) + "1", 1).attributes,
);

/**
 * Fills the database with `TOTAL_SPANS - SESSION_SPANS` spans of 1,000-span sessions (and their
 * rollup rows) in bulk SQL — pushing 900,000 spans through `ingest` would only re-measure
 * throughput — then ingests the big session through the store, batch by batch.
 */
async function buildLargeDatabase(storage, projectId, fill) {
  const started = performance.now();
  await fill(TOTAL_SPANS - SESSION_SPANS, FILLER_ATTRIBUTES);
  const filledMs = performance.now() - started;
  const big = { traceId: hex(16), rootId: hex(8), next: 0 };
  const ingestStarted = performance.now();
  while (big.next < SESSION_SPANS) {
    const size = Math.min(BATCH, SESSION_SPANS - big.next);
    const spans = new Array(size);
    for (let i = 0; i < size; i++) spans[i] = eventSpan(big.traceId, big.rootId, big.next++);
    await storage.ingest(projectId, spans);
  }
  return {
    sessionId: uuidOf(big.traceId),
    spans: TOTAL_SPANS,
    fillMs: filledMs,
    sessionIngestMs: performance.now() - ingestStarted,
  };
}

const FILLER_SESSION_SQL = (divide) => `
INSERT INTO sessions (project_pk, trace_id, start_ms, end_ms, last_seen_ms, spans, llm_calls, tool_calls, actions,
  errors, prompt_tokens, completion_tokens, cached_tokens, reasoning_tokens, cost_pico)
SELECT project_pk, trace_id, min(start_ns) ${divide} 1000000, max(end_ns) ${divide} 1000000, max(received_ms), count(*),
  0, 0, count(*), 0, 0, 0, 0, 0, 0
FROM spans GROUP BY project_pk, trace_id`;

/** Bulk filler for SQLite: a recursive series, 1,000 consecutive spans per session. */
function sqliteFiller(path) {
  return async (count, attributes) => {
    const db = new Database(path);
    db.pragma("journal_mode = WAL");
    db.pragma("synchronous = NORMAL");
    db.transaction(() => {
      db.prepare(
        `WITH RECURSIVE g(n) AS (SELECT 1000 UNION ALL SELECT n + 1 FROM g WHERE n < ?)
         INSERT INTO spans (${SPAN_COLUMNS})
         SELECT 1, printf('%032x', n / 1000), printf('%016x', n), NULL, 'action fetch', 'action',
           ? + n * 3000000, ? + n * 3000000 + 2500000, 0, NULL, ?, NULL, 'bench-resource', NULL, NULL,
           0, 0, 0, 0, 0, 0, NULL, NULL, NULL, NULL, ?
         FROM g`,
      ).run(count + 999, BigInt(T0) * 1_000_000n, BigInt(T0) * 1_000_000n, attributes, Date.now());
      db.exec(FILLER_SESSION_SQL("/"));
    })();
    db.close();
  };
}

/** Bulk filler for PostgreSQL: generate_series, 1,000 consecutive spans per session. */
function postgresFiller(url) {
  return async (count, attributes) => {
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    try {
      await client.query("BEGIN");
      await client.query(
        `INSERT INTO spans (${SPAN_COLUMNS})
         SELECT 1, md5('filler' || (n / 1000))::uuid, lpad(to_hex(n), 16, '0'), NULL, 'action fetch', 'action',
           $1::bigint + n::bigint * 3000000, $1::bigint + n::bigint * 3000000 + 2500000, 0, NULL, $2, NULL, 'bench-resource', NULL, NULL,
           0, 0, 0, 0, 0, false, NULL, NULL, NULL, NULL, $3
         FROM generate_series(1000, $4::integer) AS n`,
        [String(BigInt(T0) * 1_000_000n), attributes, Date.now(), count + 999],
      );
      await client.query(FILLER_SESSION_SQL("/"));
      await client.query("COMMIT");
      await client.query("ANALYZE spans");
      await client.query("ANALYZE sessions");
    } finally {
      await client.end();
    }
  };
}

async function benchSqlite(results) {
  const directory = mkdtempSync(join(tmpdir(), "agentops-bench-"));
  try {
    const spanBatches = batches(workload(THROUGHPUT_SPANS, 20));
    const raw = [];
    const store = [];
    const redelivery = [];
    for (let round = 1; round <= ROUNDS; round++) {
      // Raw: the same rows into an identical table, one prepared INSERT per row, a transaction per batch.
      const rawPath = join(directory, `raw-${round}.db`);
      await (await openStorage(`sqlite:${rawPath}`)).close();
      const db = new Database(rawPath);
      db.pragma("journal_mode = WAL");
      db.pragma("synchronous = NORMAL");
      const insert = db.prepare(
        `INSERT INTO spans (${SPAN_COLUMNS}) VALUES (${Array(COLUMN_COUNT).fill("?").join(", ")})`,
      );
      const write = db.transaction((batch) => {
        const receivedMs = Date.now();
        for (const span of batch) insert.run(rawValues(span, 1, span.traceId, receivedMs, true));
      });
      let started = performance.now();
      for (const batch of spanBatches) write(batch);
      raw.push(performance.now() - started);
      db.close();

      const storage = await openStorage(`sqlite:${join(directory, `store-${round}.db`)}`);
      const project = await storage.createProject("bench", hex(8), "hash");
      store.push(await storeIngest(storage, project.id, spanBatches));
      // Redelivery of everything: conflicts only, no rollup change.
      started = performance.now();
      for (const batch of spanBatches) await storage.ingest(project.id, batch);
      redelivery.push(performance.now() - started);
      await storage.close();
    }
    results.push(throughputResult("sqlite", raw, store, redelivery));
    report(results[results.length - 1]);

    const largePath = join(directory, "large.db");
    const large = await openStorage(`sqlite:${largePath}`);
    const largeProject = await large.createProject("bench", hex(8), "hash");
    const built = await buildLargeDatabase(large, largeProject.id, sqliteFiller(largePath));
    const latency = await statsLatency(large, largeProject.id, built.sessionId);
    await large.close();
    results.push(largeResult("sqlite", built, latency));
    report(results[results.length - 1]);
  } finally {
    rmSync(directory, { recursive: true, force: true });
  }
}

async function benchPostgres(results) {
  const admin = new pg.Pool({ connectionString: PG_URL, max: 2 });
  const schemas = [];
  const schemaUrl = async (name) => {
    const schema = `agentops_bench_${process.pid}_${name}`;
    await admin.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
    await admin.query(`CREATE SCHEMA ${schema}`);
    schemas.push(schema);
    const url = new URL(PG_URL);
    url.searchParams.set("options", `-c search_path=${schema}`);
    return url.toString();
  };
  try {
    const spanBatches = batches(workload(THROUGHPUT_SPANS, 20));
    const statementFor = (rows) =>
      `INSERT INTO spans (${SPAN_COLUMNS}) VALUES ` +
      Array.from(
        { length: rows },
        (_, r) =>
          `(${Array.from({ length: COLUMN_COUNT }, (_, c) => `$${r * COLUMN_COUNT + c + 1}`).join(", ")})`,
      ).join(", ");
    const raw = [];
    const store = [];
    const redelivery = [];
    for (let round = 1; round <= ROUNDS; round++) {
      // Raw: the same rows into an identical table, one multi-row INSERT per batch in a transaction.
      const rawUrl = await schemaUrl(`raw_${round}`);
      await (await openStorage(rawUrl)).close();
      const client = new pg.Client({ connectionString: rawUrl });
      await client.connect();
      let started = performance.now();
      for (const batch of spanBatches) {
        const receivedMs = Date.now();
        const values = batch.flatMap((span) =>
          rawValues(span, 1, span.sessionId, receivedMs, false),
        );
        await client.query("BEGIN");
        await client.query(statementFor(batch.length), values);
        await client.query("COMMIT");
      }
      raw.push(performance.now() - started);
      await client.end();

      const storage = await openStorage(await schemaUrl(`store_${round}`));
      const project = await storage.createProject("bench", hex(8), "hash");
      store.push(await storeIngest(storage, project.id, spanBatches));
      started = performance.now();
      for (const batch of spanBatches) await storage.ingest(project.id, batch);
      redelivery.push(performance.now() - started);
      await storage.close();
    }
    results.push(throughputResult("postgres", raw, store, redelivery));
    report(results[results.length - 1]);

    const largeUrl = await schemaUrl("large");
    const large = await openStorage(largeUrl);
    const largeProject = await large.createProject("bench", hex(8), "hash");
    const built = await buildLargeDatabase(large, largeProject.id, postgresFiller(largeUrl));
    const latency = await statsLatency(large, largeProject.id, built.sessionId);
    await large.close();
    results.push(largeResult("postgres", built, latency));
    report(results[results.length - 1]);
  } finally {
    for (const schema of schemas) await admin.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
    await admin.end();
  }
}

function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

/** Medians over the rounds: the machine is shared, so single runs are noisy. */
function throughputResult(store, raw, ingest, redelivery) {
  const rawMs = median(raw);
  const storeMs = median(ingest);
  return {
    store,
    spans: THROUGHPUT_SPANS,
    rounds: raw.length,
    raw_spans_per_s: rate(THROUGHPUT_SPANS, rawMs),
    store_spans_per_s: rate(THROUGHPUT_SPANS, storeMs),
    ratio: Number((rawMs / storeMs).toFixed(2)),
    redelivery_spans_per_s: rate(THROUGHPUT_SPANS, median(redelivery)),
  };
}

function largeResult(store, built, latency) {
  return {
    store,
    total_spans: built.spans,
    fill_s: Number((built.fillMs / 1000).toFixed(1)),
    session_ingest_spans_per_s: rate(SESSION_SPANS, built.sessionIngestMs),
    session_events: latency.events,
    stats_p50_ms: Number(latency.p50.toFixed(3)),
    stats_p99_ms: Number(latency.p99.toFixed(3)),
    recompute_ms: Math.round(latency.recomputeMs),
  };
}

function report(result) {
  console.log(JSON.stringify(result));
}

const results = [];
const startedAt = performance.now();
await benchSqlite(results);
if (PG_URL) {
  await benchPostgres(results);
} else {
  console.log("PostgreSQL: NOT RUN (set AGENTOPS_BENCH_PG_URL or AGENTOPS_TEST_PG_URL)");
}
console.log(`storage bench done in ${((performance.now() - startedAt) / 1000).toFixed(1)} s`);
