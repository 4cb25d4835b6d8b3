// ns per session.record(event) vs ns per raw OpenTelemetry span carrying the same data, through
// the same provider, processor and a no-op exporter, in one run, interleaved, and their ratio.
// "Raw" is what a user writing the span by hand with the OpenTelemetry API would do for the
// same event: the same attributes, an id, the params and returns serialised to JSON.
// Run against the built package: `pnpm build && pnpm bench:sdk`.
import { randomUUID } from "node:crypto";
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

// Each round is timed twice: the CPU time of this process (user + system), which other
// processes on a busy machine disturb far less, and the wall clock. Ratios use CPU time.
function timed(body) {
  const cpu = process.cpuUsage();
  const start = process.hrtime.bigint();
  body();
  const wall = Number(process.hrtime.bigint() - start) / PER_ROUND;
  const used = process.cpuUsage(cpu);
  return { wall, cpu: ((used.user + used.system) * 1000) / PER_ROUND };
}

const cases = {
  // An action with params and returns.
  record: () =>
    timed(() => {
      for (let i = 0; i < PER_ROUND; i++) {
        session.record(new agentops.ActionEvent({ actionType: "search", params: { q: "cats", page: i }, returns: ["a", "b"] }));
      }
    }),
  raw: () =>
    timed(() => {
      for (let i = 0; i < PER_ROUND; i++) {
        const now = Date.now();
        tracer
          .startSpan(
            "action search",
            {
              startTime: now,
              attributes: {
                "agentops.span.kind": "action",
                "agentops.event.id": randomUUID(),
                "agentops.action.type": "search",
                "agentops.event.params": JSON.stringify({ q: "cats", page: i }),
                "agentops.event.returns": JSON.stringify(["a", "b"]),
              },
            },
            parent,
          )
          .end(now);
      }
    }),
  // A bare action.
  recordBare: () =>
    timed(() => {
      for (let i = 0; i < PER_ROUND; i++) session.record(new agentops.ActionEvent({ actionType: "search" }));
    }),
  rawBare: () =>
    timed(() => {
      for (let i = 0; i < PER_ROUND; i++) {
        tracer
          .startSpan(
            "action search",
            { attributes: { "agentops.span.kind": "action", "agentops.event.id": randomUUID(), "agentops.action.type": "search" } },
            parent,
          )
          .end();
      }
    }),
};

const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
};

const results = Object.fromEntries(Object.keys(cases).map((name) => [name, []]));
const names = Object.keys(cases);
for (let round = -5; round < ROUNDS; round++) {
  // Rotate the order so drift and GC hit every case alike; drain the queue between cases.
  for (let k = 0; k < names.length; k++) {
    const name = names[(k + Math.max(round, 0)) % names.length];
    const result = cases[name]();
    if (round >= 0) results[name].push(result);
    await agentops.flush();
  }
  globalThis.gc?.();
}

const figure = (name) => ({ cpu: median(results[name].map((r) => r.cpu)), wall: median(results[name].map((r) => r.wall)) });
const record = figure("record");
const raw = figure("raw");
const recordBare = figure("recordBare");
const rawBare = figure("rawBare");
const ratio = record.cpu / raw.cpu;
const bareRatio = recordBare.cpu / rawBare.cpu;
const ns = (value) => value.toFixed(0).padStart(7);
console.log("agentops SDK benchmark: median of %d rounds of %d ops; ns/op of CPU time [wall clock]", ROUNDS, PER_ROUND);
console.log("  session.record(ActionEvent with params, returns)  %s [%s]", ns(record.cpu), ns(record.wall));
console.log("  the same span by hand (raw OpenTelemetry)         %s [%s]", ns(raw.cpu), ns(raw.wall));
console.log("  ratio                                             %s [%s]  target <= 1.3, goal 1.1", ratio.toFixed(2).padStart(7), (record.wall / raw.wall).toFixed(2));
console.log("  session.record(bare ActionEvent)                  %s [%s]", ns(recordBare.cpu), ns(recordBare.wall));
console.log("  the same bare span by hand                        %s [%s]", ns(rawBare.cpu), ns(rawBare.wall));
console.log("  ratio                                             %s [%s]", bareRatio.toFixed(2).padStart(7), (recordBare.wall / rawBare.wall).toFixed(2));
console.log(
  JSON.stringify({
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
await session.endSession("Success");
await agentops.shutdown();
