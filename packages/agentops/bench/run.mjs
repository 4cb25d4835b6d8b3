// ns per session.record(event) vs ns per the same span written by hand with the OpenTelemetry
// API (same attributes, id, JSON-serialised params and returns), through the same provider,
// processor and a no-op exporter; and the same for a bare event. Each measurement runs in a
// fresh process (warmed up, one case only, as an app would run it), the cases alternate over
// several repetitions in one run to cancel drift, and the medians give the ratios.
// Then end to end: events made and exported to a discarding OTLP sink (e2e-case.mjs, sink.mjs),
// the SDK against the stock BatchSpanProcessor and OTLP proto exporter, in paired runs.
// Run against the built package: `pnpm build && pnpm bench:sdk`.
import { execFileSync, spawn } from "node:child_process";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";

const CASE = fileURLToPath(new URL("./case.mjs", import.meta.url));
const E2E_CASE = fileURLToPath(new URL("./e2e-case.mjs", import.meta.url));
const SINK = fileURLToPath(new URL("./sink.mjs", import.meta.url));
const E2E_ROUNDS = process.env.BENCH_E2E_ROUNDS ?? "15";
const E2E_PER_ROUND = process.env.BENCH_E2E_PER_ROUND ?? "4000";
const REPETITIONS = Number(process.env.BENCH_REPETITIONS ?? 7);
const ROUNDS = process.env.BENCH_ROUNDS ?? "40";
const PER_ROUND = process.env.BENCH_PER_ROUND ?? "2000";
const CASES = ["record", "raw", "recordBare", "rawBare"];

const results = Object.fromEntries(CASES.map((name) => [name, []]));
for (let repetition = 0; repetition < REPETITIONS; repetition++) {
  const order = repetition % 2 === 0 ? CASES : [...CASES].reverse();
  for (const name of order) {
    const output = execFileSync(process.execPath, [CASE, name, ROUNDS, PER_ROUND], { encoding: "utf8" });
    results[name].push(JSON.parse(output.trim().split("\n").pop()));
  }
}

// End to end: the same events made AND exported over OTLP/HTTP protobuf to a discarding sink in a
// process of its own, until delivered: session.record through the SDK's pipeline against the
// same span by hand through the stock BatchSpanProcessor and OTLP proto exporter.
const sink = spawn(process.execPath, [SINK], { stdio: ["pipe", "pipe", "inherit"] });
const sinkUrl = await new Promise((resolve) => createInterface({ input: sink.stdout }).once("line", resolve));
const e2e = { agentops: [], stock: [] };
const e2eRatios = [];
for (let repetition = 0; repetition < REPETITIONS; repetition++) {
  const order = repetition % 2 === 0 ? ["agentops", "stock"] : ["stock", "agentops"];
  const figures = {};
  for (const name of order) {
    const output = execFileSync(process.execPath, [E2E_CASE, name, sinkUrl, E2E_ROUNDS, E2E_PER_ROUND], { encoding: "utf8" });
    figures[name] = JSON.parse(output.trim().split("\n").pop());
    e2e[name].push(figures[name]);
  }
  e2eRatios.push(figures.agentops.cpuNs / figures.stock.cpuNs);
}
sink.stdin.end();

const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
const figure = (name) => ({ wall: median(results[name].map((r) => r.wallNs)), cpu: median(results[name].map((r) => r.cpuNs)) });
const record = figure("record");
const raw = figure("raw");
const recordBare = figure("recordBare");
const rawBare = figure("rawBare");
// CPU time of the process is the headline: other processes on a busy machine inflate wall
// clock at random, not the work done. Wall clock is shown beside it.
const ratio = record.cpu / raw.cpu;
const bareRatio = recordBare.cpu / rawBare.cpu;
const ns = (value) => value.toFixed(0).padStart(7);
console.log(`agentops SDK benchmark: ${REPETITIONS} alternating processes per case, each the median of ${ROUNDS} rounds of ${PER_ROUND} ops`);
console.log("ns/op of CPU time [wall clock]");
console.log(`  session.record(ActionEvent with params, returns)  ${ns(record.cpu)} [${ns(record.wall)}]`);
console.log(`  the same span by hand (raw OpenTelemetry)         ${ns(raw.cpu)} [${ns(raw.wall)}]`);
console.log(`  ratio                                             ${ratio.toFixed(2).padStart(7)} [${(record.wall / raw.wall).toFixed(2).padStart(7)}]  target <= 1.3, goal 1.1`);
console.log(`  session.record(bare ActionEvent)                  ${ns(recordBare.cpu)} [${ns(recordBare.wall)}]`);
console.log(`  the same bare span by hand                        ${ns(rawBare.cpu)} [${ns(rawBare.wall)}]`);
console.log(`  ratio                                             ${bareRatio.toFixed(2).padStart(7)} [${(recordBare.wall / rawBare.wall).toFixed(2).padStart(7)}]`);
const e2eRecord = median(e2e.agentops.map((r) => r.cpuNs));
const e2eStock = median(e2e.stock.map((r) => r.cpuNs));
const e2eRatio = median(e2eRatios);
const e2eMin = Math.min(...e2eRatios);
const e2eMax = Math.max(...e2eRatios);
console.log("end to end, made and exported (OTLP/HTTP protobuf to a discarding sink), ns/event of CPU time [wall clock]");
console.log(`  session.record(ActionEvent with params, returns)  ${ns(e2eRecord)} [${ns(median(e2e.agentops.map((r) => r.wallNs)))}]`);
console.log(`  the same span, stock BatchSpanProcessor + OTLP    ${ns(e2eStock)} [${ns(median(e2e.stock.map((r) => r.wallNs)))}]`);
console.log(
  `  ratio (median of ${REPETITIONS} paired runs)              ${e2eRatio.toFixed(2).padStart(7)}  runs ${e2eMin.toFixed(2)}–${e2eMax.toFixed(2)}  target <= 1.15`,
);
console.log(
  JSON.stringify({
    e2eRecordNs: Math.round(e2eRecord),
    e2eStockNs: Math.round(e2eStock),
    e2eRatio: Number(e2eRatio.toFixed(3)),
    e2eRatioMin: Number(e2eMin.toFixed(3)),
    e2eRatioMax: Number(e2eMax.toFixed(3)),
    bench: "sdk",
    recordNs: Math.round(record.cpu),
    rawNs: Math.round(raw.cpu),
    ratio: Number(ratio.toFixed(3)),
    recordBareNs: Math.round(recordBare.cpu),
    rawBareNs: Math.round(rawBare.cpu),
    bareRatio: Number(bareRatio.toFixed(3)),
    wallRatio: Number((record.wall / raw.wall).toFixed(3)),
  }),
);
