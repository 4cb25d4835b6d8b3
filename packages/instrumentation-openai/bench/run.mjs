// Per-call latency of chat.completions.create against the mock provider (a separate process):
// (a) uninstrumented, (b) @agentops/instrumentation-openai, (c) @traceloop/instrumentation-openai,
// all in one process, on the same kind of tracer provider (BatchSpanProcessor, no-op exporter).
// Rounds interleave the three variants in rotating order so that drift hits them alike.
//
//   node --expose-gc bench/run.mjs [--rounds 15] [--calls 200] [--warmup 3] [--content] [--max-seconds 120]
import { spawn } from "node:child_process";
import { once } from "node:events";
import { createRequire } from "node:module";
import path from "node:path";
import { createInterface } from "node:readline";
import { context } from "@opentelemetry/api";
import { AsyncLocalStorageContextManager } from "@opentelemetry/context-async-hooks";
import { BatchSpanProcessor } from "@opentelemetry/sdk-trace-base";
import { NodeTracerProvider } from "@opentelemetry/sdk-trace-node";
import { OpenAIInstrumentation as TraceloopInstrumentation } from "@traceloop/instrumentation-openai";
import { OpenAIInstrumentation } from "@agentops/instrumentation-openai";
import OpenAI from "openai";

function option(name, fallback) {
  const index = process.argv.indexOf(`--${name}`);
  if (index === -1) return fallback;
  const value = Number(process.argv[index + 1]);
  return Number.isFinite(value) && value > 0 ? value : fallback;
}

const ROUNDS = option("rounds", 15);
const CALLS = option("calls", 200);
const WARMUP = option("warmup", 3);
const MAX_SECONDS = option("max-seconds", 120);
const CONTENT = process.argv.includes("--content");

const require = createRequire(import.meta.url);
const mockCli = path.join(path.dirname(require.resolve("@agentops/mock-provider/package.json")), "dist", "cli.js");

async function startProvider() {
  const child = spawn(process.execPath, [mockCli, "--port", "0"], { stdio: ["ignore", "pipe", "inherit"] });
  const [url] = await once(createInterface({ input: child.stdout }), "line");
  return { url, child };
}

const noopExporter = {
  export(_spans, done) {
    done({ code: 0 });
  },
  shutdown: () => Promise.resolve(),
  forceFlush: () => Promise.resolve(),
};

context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
// The same OpenTelemetry setup in every variant, as in any app that has one: AsyncLocalStorage
// starts tracking async resources at its first `run`, after which every promise in the process
// pays for it. Without this, the uninstrumented variant would run without that cost and the
// first instrumented call would switch it on, charging it to the instrumentation.
context.with(context.active(), () => {});
const tracerProvider = new NodeTracerProvider({
  spanProcessors: [new BatchSpanProcessor(noopExporter, { maxQueueSize: 65_536, maxExportBatchSize: 2_048 })],
});

const ours = new OpenAIInstrumentation({ enabled: false, captureContent: CONTENT });
ours.setTracerProvider(tracerProvider);
ours.manuallyInstrument(OpenAI);

const peer = new TraceloopInstrumentation({ enabled: false, traceContent: CONTENT, enrichTokens: false });
peer.setTracerProvider(tracerProvider);

// Only one variant patches the client at a time.
const variants = [
  { name: "uninstrumented", on() {}, off() {} },
  { name: "@agentops/instrumentation-openai", on: () => ours.enable(), off: () => ours.disable() },
  {
    name: "@traceloop/instrumentation-openai 0.27.0",
    on: () => peer.manuallyInstrument(OpenAI),
    off: () => peer.unpatch({ OpenAI }),
  },
];

const { url, child } = await startProvider();
const client = new OpenAI({ apiKey: "bench", baseURL: `${url}/v1`, maxRetries: 0 });
const body = {
  model: "gpt-4o-mini",
  temperature: 0,
  messages: [
    { role: "system", content: "You are terse." },
    { role: "user", content: "What is the capital of France?" },
  ],
};

/** Wall-clock and CPU (user + system, this process only) nanoseconds per call. */
async function measure(variant, calls) {
  variant.on();
  globalThis.gc?.();
  const cpuBefore = process.cpuUsage();
  const started = process.hrtime.bigint();
  for (let index = 0; index < calls; index += 1) {
    const completion = await client.chat.completions.create(body);
    if (completion.choices.length !== 1) throw new Error("unexpected answer");
  }
  const elapsed = process.hrtime.bigint() - started;
  const cpu = process.cpuUsage(cpuBefore);
  variant.off();
  return { wall: Number(elapsed) / calls, cpu: ((cpu.user + cpu.system) * 1000) / calls };
}

function median(values) {
  const sorted = [...values].sort((left, right) => left - right);
  const middle = sorted.length >> 1;
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

const format = (ns) => `${Math.round(ns).toLocaleString("en-US")} ns`;

try {
  const deadline = Date.now() + MAX_SECONDS * 1000;
  for (let round = 0; round < WARMUP; round += 1) {
    for (const variant of variants) await measure(variant, CALLS);
  }
  const samples = variants.map(() => []);
  let rounds = 0;
  for (; rounds < ROUNDS && Date.now() < deadline; rounds += 1) {
    for (let step = 0; step < variants.length; step += 1) {
      const index = (rounds + step) % variants.length;
      samples[index].push(await measure(variants[index], CALLS));
    }
  }
  await tracerProvider.forceFlush();

  console.log(
    `chat.completions.create against the mock provider: ${rounds} rounds x ${CALLS} calls per variant, ` +
      `content capture ${CONTENT ? "on" : "off"}, node ${process.version}`,
  );
  // Wall-clock latency is what a caller sees; CPU time of this process is what the instrumentation
  // adds, and is far less disturbed by other processes competing for the cores.
  for (const metric of ["wall", "cpu"]) {
    const series = samples.map((runs) => runs.map((run) => run[metric]));
    const [base, mine, theirs] = series;
    const ourOverhead = median(mine.map((value, round) => value - base[round]));
    const peerOverhead = median(theirs.map((value, round) => value - base[round]));
    console.log(metric === "wall" ? "latency (wall clock)" : "CPU time of the calling process");
    for (let index = 0; index < variants.length; index += 1) {
      console.log(`  ${variants[index].name.padEnd(42)} ${format(median(series[index])).padStart(14)}/call (median of rounds)`);
    }
    console.log(`  overhead (b - a), ours: ${format(ourOverhead).padStart(12)}/call (median of per-round differences)`);
    console.log(`  overhead (c - a), peer: ${format(peerOverhead).padStart(12)}/call`);
    console.log(`  ours / peer overhead:   ${peerOverhead > 0 ? (ourOverhead / peerOverhead).toFixed(2) : "n/a"}`);
    const centre = median(base);
    console.log(`  noise: median absolute deviation of (a) ${format(median(base.map((value) => Math.abs(value - centre))))}/call`);
  }
} finally {
  await tracerProvider.shutdown();
  child.kill("SIGTERM");
}
