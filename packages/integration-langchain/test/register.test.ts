/**
 * registerAgentOpsCallbackHandler: every LangChain run started after it is traced without a
 * `callbacks` option, and a run given a handler as well is traced once.
 */
import { ChatOpenAI } from "@langchain/openai";
import { ChatPromptTemplate } from "@langchain/core/prompts";
import { StringOutputParser } from "@langchain/core/output_parsers";
import { AgentOpsCallbackHandler, registerAgentOpsCallbackHandler } from "@agentops/langchain";
import { byRunType, clientSpans, startTracing, totals, type Tracing } from "./helpers";

let tracing: Tracing;

beforeAll(async () => {
  tracing = await startTracing();
});

afterAll(() => tracing.stop());

it("traces runs given no callbacks once the handler is registered, each run once", async () => {
  const chain = ChatPromptTemplate.fromTemplate("Where is {city}?")
    .pipe(new ChatOpenAI({ model: "gpt-4o", apiKey: "mock", configuration: { baseURL: tracing.provider.openaiBaseURL }, maxRetries: 0 }))
    .pipe(new StringOutputParser());
  tracing.provider.script(
    { path: "/chat/completions", text: "Norway.", usage: { inputTokens: 120, outputTokens: 3 } },
    { path: "/chat/completions", text: "Norway.", usage: { inputTokens: 120, outputTokens: 3 } },
    { path: "/chat/completions", text: "Norway.", usage: { inputTokens: 120, outputTokens: 3 } },
  );
  // Before: no handler, no LangChain spans (the client span alone).
  await expect(chain.invoke({ city: "Oslo" })).resolves.toBe("Norway.");
  expect(byRunType(tracing.exporter.getFinishedSpans(), "chat_model")).toHaveLength(0);
  expect(clientSpans(tracing.exporter.getFinishedSpans())).toHaveLength(1);
  tracing.exporter.reset();

  const registered = registerAgentOpsCallbackHandler({ tracerProvider: tracing.tracerProvider });
  expect(registered).toBeInstanceOf(AgentOpsCallbackHandler);
  await expect(chain.invoke({ city: "Oslo" })).resolves.toBe("Norway.");
  let spans = tracing.exporter.getFinishedSpans();
  expect(byRunType(spans, "chain").map((span) => span.name).sort()).toEqual(["ChatPromptTemplate", "StrOutputParser", "invoke_agent RunnableSequence"]);
  expect(totals(spans)).toMatchObject({ llm: 1, agent: 1, action: 2, prompt: 120, completion: 3 });
  tracing.exporter.reset();

  // Given a handler of its own as well: still one span per run.
  await chain.invoke({ city: "Oslo" }, { callbacks: [new AgentOpsCallbackHandler({ tracerProvider: tracing.tracerProvider })] });
  spans = tracing.exporter.getFinishedSpans();
  expect(byRunType(spans, "chat_model")).toHaveLength(1);
  expect(totals(spans)).toMatchObject({ llm: 1, agent: 1, action: 2, prompt: 120, completion: 3 });
});
