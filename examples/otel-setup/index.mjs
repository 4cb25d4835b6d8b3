// An app that already has OpenTelemetry, set up with its own NodeSDK and its own exporter. It adds
// agentops' span processor to its span processors; agentops.init() then uses that processor and
// that provider (it adds no second one): the app's exporter receives every span, the sessions'
// included, and the agentops server receives the spans of sessions.
import { createRequire } from "node:module";
import { trace } from "@opentelemetry/api";
import { NodeSDK } from "@opentelemetry/sdk-node";
import { SimpleSpanProcessor } from "@opentelemetry/sdk-trace-base";
import * as agentops from "agentops";
import { localBackend } from "example-shared";

const backend = await localBackend(); // the server and mock LLM provider of the environment, or local ones

// The app's exporter (in a real app: OTLP to a collector, Jaeger, …); this one collects span names.
const seen = [];
const appExporter = {
  export(spans, done) {
    for (const span of spans) seen.push(span.name);
    done({ code: 0 });
  },
  shutdown: async () => {},
};
const sdk = new NodeSDK({
  serviceName: "otel-setup-example",
  spanProcessors: [
    // Reads AGENTOPS_API_KEY and AGENTOPS_API_ENDPOINT, like init(); options can be passed too.
    new agentops.AgentOpsSpanProcessor(),
    new SimpleSpanProcessor(appExporter),
  ],
});
sdk.start();

const session = agentops.init({ tags: ["otel-setup"] }); // uses the SDK's provider and processor
const { OpenAI } = createRequire(import.meta.url)("openai"); // loaded after init(): traced
const openai = new OpenAI({ apiKey: "mock", baseURL: `${process.env.MOCK_PROVIDER_URL}/v1` });

// The app's own span, made inside the session: the LLM call inside it is a child of it.
const tracer = trace.getTracer("my-app");
await session.run(() =>
  tracer.startActiveSpan("handle-request", async (span) => {
    await openai.chat.completions.create({
      model: "gpt-4o-mini",
      messages: [{ role: "user", content: "Hello from my app" }],
    });
    span.end();
  }),
);

const cost = await session.endSession("Success");
console.log(`session ${session.id}: ${session.getAnalytics().llmCalls} LLM call, cost $${cost}`);
console.log(`the app's exporter saw: ${seen.join(", ")}`);
await backend.close();
await sdk.shutdown();
