// One benchmark case in a process of its own: warms up, then prints the median ns/op (wall
// clock) and CPU ns/op over rounds of `record` or the same span by hand. Used by run.mjs.
import { randomUUID } from "node:crypto";
import { createRequire } from "node:module";

const require = createRequire(import.meta.url);
const agentops = require("../dist/index.js");

const [name, roundsArg, perRoundArg] = process.argv.slice(2);
const ROUNDS = Number(roundsArg ?? 40);
const PER_ROUND = Number(perRoundArg ?? 2000);

const noopExporter = {
  export(_spans, done) {
    done({ code: 0 });
  },
  shutdown: async () => {},
  forceFlush: async () => {},
};
const session = agentops.init({ exporter: noopExporter, instrumentLlmCalls: false, envDataOptOut: true, logLevel: "error" });
const tracer = agentops.getClient().tracer;
const parent = session.context;

const cases = {
  // An action with params and returns, through the SDK.
  record(i) {
    session.record(new agentops.ActionEvent({ actionType: "search", params: { q: "cats", page: i }, returns: ["a", "b"] }));
  },
  // What a user writing the same span by hand with the OpenTelemetry API does: the same
  // attributes, an id, params and returns serialised to JSON, the same provider and processor.
  raw(i) {
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
  recordBare() {
    session.record(new agentops.ActionEvent({ actionType: "search" }));
  },
  rawBare() {
    const now = Date.now();
    tracer
      .startSpan(
        "action search",
        { startTime: now, attributes: { "agentops.span.kind": "action", "agentops.event.id": randomUUID(), "agentops.action.type": "search" } },
        parent,
      )
      .end(now);
  },
};

const body = cases[name];
if (!body) throw new Error(`unknown case ${name}`);
const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

for (let warm = 0; warm < 20; warm++) {
  for (let i = 0; i < PER_ROUND; i++) body(i);
  await agentops.flush();
}
const wall = [];
const cpu = [];
// No forced GC between rounds: it throws away warmed-up state that a running app keeps, and
// penalises whichever case touches more code.
for (let round = 0; round < ROUNDS; round++) {
  const usage = process.cpuUsage();
  const start = process.hrtime.bigint();
  for (let i = 0; i < PER_ROUND; i++) body(i);
  wall.push(Number(process.hrtime.bigint() - start) / PER_ROUND);
  const used = process.cpuUsage(usage);
  cpu.push(((used.user + used.system) * 1000) / PER_ROUND);
  await agentops.flush();
}
process.stdout.write(JSON.stringify({ name, wallNs: median(wall), cpuNs: median(cpu) }) + "\n");
await agentops.shutdown();
