// The ClickHouse part of the ingest bench (bench/ingest.mjs runs it when
// AGENTOPS_BENCH_CLICKHOUSE_URL or AGENTOPS_TEST_CLICKHOUSE_URL is set): the same throughput and
// `/stats` runs as for the other stores, each in a database of its own, dropped at the end; the
// throughput run twice, the second time with the server's write-ahead spool (`--spool-dir`),
// then a long run with the spool (BENCH_SUSTAINED_SPANS, default 1,000,000), once per Node.js the
// server is asked to run on (see ingest.mjs).
//
// The plain insert it compares against: the same rows (decoded and normalised by the server's
// code) into an identical `spans` table, one JSONEachRow insert per 512-span batch through the
// same client, uncompressed, sequential: no HTTP server, no decoding, no gzip, no metadata keys.
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createRequire } from "node:module";
import { performance } from "node:perf_hooks";
import { SEVEN_COLUMNS, sevenValues } from "./seven-columns.mjs";

const require = createRequire(import.meta.url);
const { openStorage, parseStorageUrl } = require("../dist/index.js");
const { createClient, ClickHouseLogLevel } = require("@clickhouse/client");

/** A plain row of the `spans` table for a normalised span (columns the store derives left at their defaults). */
function plainRow(span, projectId, receivedMs) {
  return {
    project_id: projectId,
    trace_id: span.traceId,
    span_id: span.spanId,
    parent_span_id: span.parentSpanId,
    name: span.name,
    kind: span.kind,
    start_ns: span.startTimeUnixNano,
    end_ns: span.endTimeUnixNano,
    status_code: span.statusCode,
    status_message: span.statusMessage,
    attributes: JSON.stringify(span.attributes),
    events: span.events.length === 0 ? null : JSON.stringify(span.events),
    resource_id: "bench-resource",
    model: span.model,
    provider: span.provider,
    prompt_tokens: span.promptTokens,
    completion_tokens: span.completionTokens,
    cached_tokens: span.cachedTokens,
    reasoning_tokens: span.reasoningTokens,
    cost_pico: String(Math.round(span.cost * 1e12)),
    is_error: span.isError ? 1 : 0,
    received_ms: receivedMs,
  };
}

/**
 * Runs the ClickHouse throughput and `/stats` benches with the ingest bench's own `throughput`
 * and `statsLatency` (so every store is measured the same way) and prints their results; the
 * sustained run once per entry of `serverNodes` ({ version, binary } of the server's Node.js).
 */
export async function benchClickHouse(url, { throughput, statsLatency, sustained, serverNodes }) {
  const { target } = parseStorageUrl(url);
  const admin = createClient({
    url: target.endpoint,
    username: target.username,
    password: target.password,
    // Dropping a database of 500,000 spans took over a minute on a busy machine (18.16).
    request_timeout: 10 * 60_000,
    log: { level: ClickHouseLogLevel.OFF },
  });
  const databases = [];
  const prefix = `agentops_ingest_bench_${process.pid}_${randomBytes(2).toString("hex")}`;
  const freshDb = async (name) => {
    const database = `${prefix}_${databases.length}_${name}`; // each call its own, runs reuse names
    databases.push(database);
    const fresh = new URL(url);
    fresh.pathname = `/${database}`;
    return fresh.toString();
  };
  const rawInsert = async (db, rowBatches) => {
    await (await openStorage(db)).close(); // the same schema
    const table = `${new URL(db).pathname.slice(1)}.spans`;
    const started = performance.now();
    for (const batch of rowBatches) {
      const receivedMs = Date.now();
      await admin.insert({ table, values: batch.map((span) => plainRow(span, "bench", receivedMs)), format: "JSONEachRow" });
    }
    return performance.now() - started;
  };
  const spools = [];
  const spoolArgs = () => {
    spools.push(mkdtempSync(join(tmpdir(), "agentops-bench-spool-")));
    return ["--spool-dir", spools[spools.length - 1]];
  };
  // The 7-column baseline: a MergeTree ordered by (trace, span), the same 512-row inserts.
  const sevenInsert = async (db, rowBatches) => {
    const table = `${new URL(db).pathname.slice(1)}.plain_spans`;
    await admin.command({ query: `CREATE DATABASE IF NOT EXISTS ${new URL(db).pathname.slice(1)}` });
    await admin.command({
      query: `CREATE TABLE ${table} (trace_id String, span_id String, parent_span_id Nullable(String), name String,
        start_ns UInt64, end_ns UInt64, attributes String) ENGINE = MergeTree ORDER BY (trace_id, span_id)`,
    });
    const columns = SEVEN_COLUMNS.split(", ");
    const batches = rowBatches.map((batch) =>
      batch.map((span) => Object.fromEntries(sevenValues(span, false).map((value, i) => [columns[i], value]))),
    );
    const started = performance.now();
    for (const values of batches) await admin.insert({ table, values, format: "JSONEachRow" });
    return performance.now() - started;
  };
  try {
    console.log(JSON.stringify(await throughput("clickhouse", freshDb, rawInsert, sevenInsert)));
    // The same, with the server's write-ahead spool: batches acknowledged once on disk, inserted in bulk.
    console.log(JSON.stringify(await throughput("clickhouse+spool", freshDb, rawInsert, sevenInsert, spoolArgs)));
    // And for long: the spool's inserts and memory reach their steady size only after a while;
    // with the server on each Node.js asked for (the JavaScript engine is most of its CPU).
    for (const node of serverNodes) console.log(JSON.stringify(await sustained("clickhouse+spool", freshDb, spoolArgs, node)));
    // Merges are ClickHouse's business, not the bench's: /stats is read as the parts stand.
    console.log(JSON.stringify(await statsLatency("clickhouse", await freshDb("large"))));
  } finally {
    for (const database of databases) await admin.command({ query: `DROP DATABASE IF EXISTS ${database}` });
    for (const spool of spools) rmSync(spool, { recursive: true, force: true });
    await admin.close();
  }
}
