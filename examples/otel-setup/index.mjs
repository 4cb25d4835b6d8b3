// An app that already has OpenTelemetry: its tracer provider is registered first, with its own
// exporter. agentops.init() then adds the SDK's span processor to that provider instead of
// replacing it: the app's exporter sees the session's spans too, and the agentops server gets
// only the spans of sessions.
import { createRequire } from "node:module";
import { trace } from "@opentelemetry/api";
import { SimpleSpanProcessor } from "@opentelemetry/sdk-trace-base";
import { NodeTracerProvider } from "@opentelemetry/sdk-trace-node";
import * as agentops from "agentops";
import { localBackend } from "example-shared";

// The app's exporter (in a real app: OTLP to a collector, Jaeger, …); this one prints span names.
const seen = [];
const appExporter = {
  export(spans, done) {
    for (const span of spans) seen.push(span.name);
    done({ code: 0 });
  },
  shutdown: async () => {},
};
const provider = new NodeTracerProvider({ spanProcessors: [new SimpleSpanProcessor(appExporter)] });
provider.register();

const backend = await localBackend(); // the server and mock LLM provider of the environment, or local ones
const session = agentops.init({ tags: ["otel-setup"] }); // joins the registered provider
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
await provider.forceFlush();
console.log(`session ${session.id}: ${session.getAnalytics().llmCalls} LLM call, cost $${cost}`);
console.log(`the app's exporter saw: ${seen.join(", ")}`);
await backend.close();
await provider.shutdown();
