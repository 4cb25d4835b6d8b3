// One case of the end-to-end bench in a process of its own: the app's CPU time per event for
// making N events AND exporting them all (serialisation, HTTP) to the sink, until delivered.
//   agentops  session.record(ActionEvent with params and returns), the SDK's own pipeline
//   stock     the same span by hand: a child span of a root span, stock BatchSpanProcessor and
//             the stock OTLP/HTTP protobuf exporter
// Prints one JSON line: { name, cpuNs, wallNs } (medians over rounds, after warm-up rounds).
import { randomUUID } from "node:crypto";
import { createRequire } from "node:module";

const require = createRequire(import.meta.url);
const [name, sink, roundsArg, perRoundArg] = process.argv.slice(2);
const ROUNDS = Number(roundsArg ?? 15);
const PER_ROUND = Number(perRoundArg ?? 4000);
const WARMUP_ROUNDS = 5;

async function agentopsCase() {
  const agentops = require("../dist/index.js");
  const session = agentops.init({ apiKey: "ak_bench", endpoint: sink, instrumentLlmCalls: false, envDataOptOut: true, logLevel: "error" });
  return {
    run(i) {
      session.record(new agentops.ActionEvent({ actionType: "search", params: { q: "cats", page: i }, returns: ["a", "b"] }));
    },
    async drain() {
      if (!(await agentops.flush())) throw new Error("agentops: flush did not complete");
    },
    async close() {
      await agentops.shutdown();
    },
  };
}

async function stockCase() {
  const { NodeTracerProvider } = require("@opentelemetry/sdk-trace-node");
  const { BatchSpanProcessor } = require("@opentelemetry/sdk-trace-base");
  const { OTLPTraceExporter } = require("@opentelemetry/exporter-trace-otlp-proto");
  const { trace } = require("@opentelemetry/api");
  const processor = new BatchSpanProcessor(new OTLPTraceExporter({ url: `${sink}/v1/traces` }), {
    // Large enough that nothing of a round is dropped; the stock batch size.
    maxQueueSize: 262_144,
    maxExportBatchSize: 512,
  });
  const provider = new NodeTracerProvider({ spanProcessors: [processor] });
  const tracer = provider.getTracer("bench");
  const root = tracer.startSpan("session", { root: true });
  const parent = trace.setSpan(require("@opentelemetry/api").context.active(), root);
  return {
    run(i) {
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
    },
    async drain() {
      await provider.forceFlush();
    },
    async close() {
      root.end();
      await provider.shutdown();
    },
  };
}

const bench = name === "agentops" ? await agentopsCase() : name === "stock" ? await stockCase() : undefined;
if (!bench) throw new Error(`unknown case ${name}`);
const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
const cpu = [];
const wall = [];
for (let round = 0; round < WARMUP_ROUNDS + ROUNDS; round++) {
  const usage = process.cpuUsage();
  const start = process.hrtime.bigint();
  for (let i = 0; i < PER_ROUND; i++) bench.run(i);
  await bench.drain();
  if (round < WARMUP_ROUNDS) continue;
  wall.push(Number(process.hrtime.bigint() - start) / PER_ROUND);
  const used = process.cpuUsage(usage);
  cpu.push(((used.user + used.system) * 1000) / PER_ROUND);
}
await bench.close();
process.stdout.write(JSON.stringify({ name, cpuNs: median(cpu), wallNs: median(wall) }) + "\n");
