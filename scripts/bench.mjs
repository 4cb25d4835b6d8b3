#!/usr/bin/env node
// `pnpm bench`: runs the benchmark script of each package against its built output (`pnpm build`
// first), one after the other, shows their output, and ends with one table of the figures and
// ratios they report.
//
//   node scripts/bench.mjs [sdk] [llm] [server] [--quick]
//
//   sdk     packages/agentops                  `bench`: ns per session.record(event) vs a raw span, and
//                                              end to end vs the stock BatchSpanProcessor + OTLP exporter
//   llm     packages/instrumentation-openai    `bench`: overhead per chat.completions.create call
//   server  packages/server                    `bench`: storage (no HTTP), then HTTP ingest and /stats
//
// --quick runs smaller sizes (a smoke test of the figures; not comparable with the targets).
// The server benches also measure PostgreSQL when AGENTOPS_BENCH_PG_URL is set, and ClickHouse
// (with and without the spool, and a long run through one server) when AGENTOPS_BENCH_CLICKHOUSE_URL is.
import { spawn } from "node:child_process";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const quick = process.argv.includes("--quick");
const selected = process.argv.slice(2).filter((arg) => !arg.startsWith("--"));

const BENCHES = [
  {
    id: "sdk",
    package: "agentops",
    quickEnv: {
      BENCH_REPETITIONS: "3",
      BENCH_ROUNDS: "10",
      BENCH_PER_ROUND: "1000",
      BENCH_E2E_ROUNDS: "4",
      BENCH_E2E_PER_ROUND: "1000",
    },
  },
  {
    id: "llm",
    package: "@agentops/instrumentation-openai",
    quickArgs: ["--rounds", "5", "--calls", "50", "--warmup", "1"],
  },
  {
    id: "server",
    package: "@agentops/server",
    quickEnv: {
      BENCH_SPANS: "20000",
      BENCH_TOTAL_SPANS: "200000",
      BENCH_SESSION_SPANS: "20000",
      BENCH_STATS_READS: "300",
      BENCH_ROUNDS: "1",
    },
  },
];

const unknown = selected.filter((id) => !BENCHES.some((bench) => bench.id === id));
if (unknown.length > 0) {
  console.error(
    `unknown bench ${unknown.join(", ")}; choose from ${BENCHES.map((bench) => bench.id).join(", ")}`,
  );
  process.exit(2);
}

/** pnpm itself: the running one under `pnpm bench`, else the pinned version through npx. */
function pnpm(args) {
  const execPath = process.env.npm_execpath ?? "";
  return /pnpm\.c?js$/.test(execPath)
    ? [process.execPath, [execPath, ...args]]
    : ["npx", ["-y", "pnpm@10.20.0", ...args]];
}

/** Runs one package's `bench` script, echoing its output; resolves with the output and exit code. */
function runBench(bench) {
  const [command, args] = pnpm([
    "--filter",
    bench.package,
    "run",
    "bench",
    ...(quick ? (bench.quickArgs ?? []) : []),
  ]);
  const env = { ...process.env, ...(quick ? bench.quickEnv : {}) };
  return new Promise((resolveRun) => {
    const child = spawn(command, args, { cwd: root, env, stdio: ["ignore", "pipe", "pipe"] });
    let output = "";
    const echo = (chunk) => {
      output += chunk;
      process.stdout.write(chunk);
    };
    child.stdout.on("data", echo);
    child.stderr.on("data", echo);
    child.on("close", (code) => resolveRun({ output, code }));
  });
}

/** The JSON objects printed on lines of their own. */
function jsonLines(output) {
  const objects = [];
  for (const line of output.split("\n")) {
    const text = line.trim();
    if (!text.startsWith("{")) continue;
    try {
      objects.push(JSON.parse(text));
    } catch {
      // a line that only looks like JSON
    }
  }
  return objects;
}

const integer = (value) => Math.round(value).toLocaleString("en-US");
const rows = [];
const notes = [];
const row = (bench, figure, value, target = "") => rows.push([bench, figure, value, target]);

/** `{"bench":"sdk","recordNs":…,"rawNs":…,"ratio":…}`, with the bare-event and wall-clock figures when present. */
function sdkFigures(output) {
  const result = jsonLines(output).find((object) => object.bench === "sdk");
  if (!result) return notes.push('sdk: no {"bench":"sdk"} line in the output');
  row(
    "sdk",
    "session.record(ActionEvent with params, returns)",
    `${integer(result.recordNs)} ns/op CPU`,
  );
  row(
    "sdk",
    "the same span by hand (raw OpenTelemetry), same provider",
    `${integer(result.rawNs)} ns/op CPU`,
  );
  row("sdk", "ratio record / raw", result.ratio.toFixed(2), "≤ 1.3 (goal 1.1)");
  if (typeof result.recordBareNs === "number") {
    row("sdk", "session.record(bare ActionEvent)", `${integer(result.recordBareNs)} ns/op CPU`);
    row("sdk", "the same bare span by hand", `${integer(result.rawBareNs)} ns/op CPU`);
    row("sdk", "ratio record / raw, bare", result.bareRatio.toFixed(2));
  }
  if (typeof result.wallRatio === "number")
    row("sdk", "ratio record / raw, wall clock instead of CPU time", result.wallRatio.toFixed(2));
  if (typeof result.e2eRatio === "number") {
    row(
      "sdk",
      "end to end: session.record, made and exported over OTLP",
      `${integer(result.e2eRecordNs)} ns/event CPU`,
    );
    row(
      "sdk",
      "end to end: the same span, stock BatchSpanProcessor + OTLP proto exporter",
      `${integer(result.e2eStockNs)} ns/event CPU`,
    );
    row(
      "sdk",
      "ratio end to end (median of paired runs; their range is the noise)",
      `${result.e2eRatio.toFixed(2)} (${result.e2eRatioMin.toFixed(2)}–${result.e2eRatioMax.toFixed(2)})`,
      "≤ 1.15",
    );
  }
}

/**
 * The openai bench prints no JSON line: its text is read instead ("latency (wall clock)" and
 * "CPU time of the calling process" sections, each with per-variant medians and overheads).
 */
function llmFigures(output) {
  notes.push(
    "llm: the instrumentation-openai bench prints no JSON line; its figures are read from its text output",
  );
  let section;
  let found = false;
  for (const line of output.split("\n")) {
    if (/^latency \(wall clock\)/.test(line)) section = "wall";
    else if (/^CPU time of the calling process/.test(line)) section = "CPU";
    if (!section) continue;
    const variant =
      /^\s+(uninstrumented|@agentops\/instrumentation-openai|@traceloop\/instrumentation-openai[^ ]*(?: [\d.]+)?)\s+([\d,]+) ns\/call/.exec(
        line,
      );
    const overhead = /overhead \((b|c) - a\), (ours|peer):\s+(-?[\d,]+) ns\/call/.exec(line);
    const ratio = /ours \/ peer overhead:\s+(\S+)/.exec(line);
    if (variant) row("llm", `${section}: ${variant[1]}`, `${variant[2]} ns/call`);
    else if (overhead)
      row(
        "llm",
        `${section}: overhead, ${overhead[2] === "ours" ? "@agentops" : "Traceloop"}`,
        `${overhead[3]} ns/call`,
      );
    else if (ratio) row("llm", `${section}: overhead ours / Traceloop`, ratio[1]);
    found ||= Boolean(variant || overhead || ratio);
  }
  if (!found) notes.push("llm: no figures found in the output");
}

/** The storage and ingest benches print one JSON object per measurement. */
function serverFigures(output) {
  const objects = jsonLines(output).filter((object) => typeof object.store === "string");
  for (const result of objects) {
    const store = result.store;
    if ("store_spans_per_s" in result) {
      row(
        "server",
        `${store} storage: raw insert (no idempotency, no rollups)`,
        `${integer(result.raw_spans_per_s)} spans/s`,
      );
      row(
        "server",
        `${store} storage: ingest (idempotent + rollups)`,
        `${integer(result.store_spans_per_s)} spans/s`,
      );
      row("server", `${store} storage: ingest / raw insert`, result.ratio.toFixed(2), "≥ 0.5");
      row(
        "server",
        `${store} storage: redelivered batches (counted once)`,
        `${integer(result.redelivery_spans_per_s)} spans/s`,
      );
    } else if ("stats_p50_ms" in result) {
      const size = `${integer(result.session_events)}-event session, ${integer(result.total_spans)} spans`;
      row(
        "server",
        `${store} storage: sessionStats p50 / p99 (${size})`,
        `${result.stats_p50_ms} / ${result.stats_p99_ms} ms`,
        "p50 ≤ 10 ms",
      );
      row(
        "server",
        `${store} storage: stats recomputed from the spans`,
        `${result.recompute_ms} ms`,
      );
    } else if ("http_ingest_spans_per_s" in result && "server_node" in result) {
      // A long run through one server (ClickHouse with the spool): no baselines, its CPU instead.
      row(
        "server",
        `${store} HTTP: ${integer(result.spans)} spans through one server on Node.js ${result.server_node}, until readable`,
        `${integer(result.http_ingest_spans_per_s)} spans/s (${integer(result.acknowledged_spans_per_s)} acknowledged` +
          (result.server_cpu_us_per_span === null
            ? ")"
            : `, server CPU ${result.server_cpu_us_per_span} µs/span)`),
        store.startsWith("clickhouse") ? "≥ 100,000 spans/s" : "",
      );
    } else if ("http_ingest_spans_per_s" in result) {
      row(
        "server",
        `${store} HTTP: OTLP ingest (${result.clients} clients, ${result.batch}-span batches)`,
        `${integer(result.http_ingest_spans_per_s)} spans/s`,
      );
      row(
        "server",
        `${store} HTTP: insert of the store's own rows, same run`,
        `${integer(result.raw_insert_spans_per_s)} spans/s (ingest / it: ${result.ratio.toFixed(2)})`,
      );
      row(
        "server",
        `${store} HTTP: plain 7-column, 2-index insert, same run`,
        `${integer(result.seven_column_insert_spans_per_s)} spans/s`,
      );
      row(
        "server",
        `${store} HTTP: ingest / 7-column insert`,
        result.ratio_to_seven_columns.toFixed(2),
        "≥ 0.5",
      );
    } else if ("stats_http_p50_ms" in result) {
      const size = `${integer(result.session_events)}-event session, ${integer(result.total_spans)} spans`;
      row(
        "server",
        `${store} HTTP: GET /v2/sessions/:id/stats p50 / p99 (${size})`,
        `${result.stats_http_p50_ms} / ${result.stats_http_p99_ms} ms`,
        "p50 ≤ 10 ms",
      );
    }
  }
  if (objects.length === 0) notes.push("server: no JSON result lines in the output");
  if (/PostgreSQL: NOT RUN/.test(output))
    notes.push("server: PostgreSQL not measured (set AGENTOPS_BENCH_PG_URL)");
  if (/ClickHouse: NOT RUN/.test(output))
    notes.push("server: ClickHouse not measured (set AGENTOPS_BENCH_CLICKHOUSE_URL)");
}

const FIGURES = { sdk: sdkFigures, llm: llmFigures, server: serverFigures };

const startedAt = performance.now();
const failed = [];
for (const bench of BENCHES) {
  if (selected.length > 0 && !selected.includes(bench.id)) continue;
  console.log(
    `\n=== ${bench.id}: pnpm --filter ${bench.package} run bench${quick ? " (quick sizes)" : ""}\n`,
  );
  const { output, code } = await runBench(bench);
  if (code !== 0) failed.push(`${bench.id} (exit ${code})`);
  FIGURES[bench.id](output);
}

const header = ["bench", "figure", "value", "target"];
const widths = header.map((title, column) =>
  Math.max(title.length, ...rows.map((cells) => String(cells[column]).length)),
);
const format = (cells) =>
  cells
    .map((cell, column) => String(cell).padEnd(widths[column]))
    .join("  ")
    .trimEnd();
console.log(
  `\n=== figures${quick ? " (quick sizes: not comparable with the targets)" : ""}, node ${process.version}, ${((performance.now() - startedAt) / 1000).toFixed(0)} s\n`,
);
console.log(format(header));
console.log(format(widths.map((width) => "-".repeat(width))));
for (const cells of rows) console.log(format(cells));
for (const note of notes) console.log(`note: ${note}`);
if (failed.length > 0) {
  console.log(`failed: ${failed.join(", ")}`);
  process.exitCode = 1;
}
