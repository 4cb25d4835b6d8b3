// ns per session.record(event) vs ns per raw OpenTelemetry span through the same provider,
// processor and a no-op exporter, in one run, interleaved, and their ratio.
// Run against the built package: `pnpm build && pnpm bench:sdk`.
import { createRequire } from "node:module";

const require = createRequire(import.meta.url);
const agentops = require("../dist/index.js");

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 30);
const PER_ROUND = Number(process.env.BENCH_PER_ROUND ?? 2000);

const noopExporter = {
  export(_spans, done) {
    done({ code: 0 });
  },
  shutdown: async () => {},
  forceFlush: async () => {},
};

const session = agentops.init({
  exporter: noopExporter,
  instrumentLlmCalls: false,
  envDataOptOut: true,
  logLevel: "error",
  maxQueueSize: 512,
});
const tracer = agentops.getClient().tracer;
const parent = session.context;

function recordRound() {
  const start = process.hrtime.bigint();
  for (let i = 0; i < PER_ROUND; i++) {
    session.record(new agentops.ActionEvent({ actionType: "search", params: { q: "cats", page: i }, returns: ["a", "b"] }));
  }
  return Number(process.hrtime.bigint() - start) / PER_ROUND;
}

function rawRound() {
  const start = process.hrtime.bigint();
  for (let i = 0; i < PER_ROUND; i++) {
    tracer
      .startSpan("action search", { attributes: { "agentops.span.kind": "x", kind: "search", q: "cats", page: i, n: 2 } }, parent)
      .end();
  }
  return Number(process.hrtime.bigint() - start) / PER_ROUND;
}

const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
};

// Warm up both paths.
for (let i = 0; i < 5; i++) {
  recordRound();
  rawRound();
  await agentops.flush();
}

const ours = [];
const raw = [];
for (let round = 0; round < ROUNDS; round++) {
  // Alternate the order so drift and GC hit both alike; drain the queue between rounds.
  if (round % 2 === 0) {
    ours.push(recordRound());
    await agentops.flush();
    raw.push(rawRound());
  } else {
    raw.push(rawRound());
    await agentops.flush();
    ours.push(recordRound());
  }
  await agentops.flush();
  globalThis.gc?.();
}

const recordNs = median(ours);
const rawNs = median(raw);
const ratio = recordNs / rawNs;
console.log("agentops SDK benchmark (median of %d rounds of %d ops)", ROUNDS, PER_ROUND);
console.log("  session.record(new ActionEvent(...))  %s ns/op", recordNs.toFixed(0));
console.log("  raw span, same provider               %s ns/op", rawNs.toFixed(0));
console.log("  ratio record/raw                      %s (target <= 1.3, goal 1.1)", ratio.toFixed(2));
console.log(JSON.stringify({ bench: "sdk", recordNs: Math.round(recordNs), rawNs: Math.round(rawNs), ratio: Number(ratio.toFixed(3)) }));
await session.endSession("Success");
await agentops.shutdown();
