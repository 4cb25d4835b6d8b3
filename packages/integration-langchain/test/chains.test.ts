/**
 * Chains, retrievers, streaming, failures and content capture, in-process with the real LangChain
 * and the mock provider (see handler.test.ts for agents and tool loops).
 */
import { SpanStatusCode, type TracerProvider } from "@opentelemetry/api";
import { z } from "zod";
import { ChatOpenAI } from "@langchain/openai";
import { tool } from "@langchain/core/tools";
import { Document } from "@langchain/core/documents";
import { BaseRetriever } from "@langchain/core/retrievers";
import { ChatPromptTemplate } from "@langchain/core/prompts";
import { StringOutputParser } from "@langchain/core/output_parsers";
import { RunnableLambda, RunnableSequence } from "@langchain/core/runnables";
import { AgentOpsCallbackHandler } from "@agentops/langchain";
import { byRunType, clientSpans, parentId, startTracing, totals, type Tracing } from "./helpers";

let tracing: Tracing;
let handler: AgentOpsCallbackHandler;

beforeAll(async () => {
  tracing = await startTracing();
  handler = new AgentOpsCallbackHandler({ tracerProvider: tracing.tracerProvider, captureContent: false });
});

afterEach(() => {
  tracing.provider.reset();
  tracing.exporter.reset();
});

afterAll(() => tracing.stop());

class AtlasRetriever extends BaseRetriever {
  override lc_namespace = ["test", "retrievers"];
  override async _getRelevantDocuments(query: string): Promise<Document[]> {
    return [new Document({ pageContent: `Oslo is the capital of Norway (${query})`, metadata: { source: "atlas" } })];
  }
}

/** retrieve → prompt → model → parser; the retriever called from a lambda, given the lambda's config (its callbacks). */
function ragChain(streaming = false) {
  const retriever = new AtlasRetriever();
  const prompt = ChatPromptTemplate.fromMessages([
    ["system", "Answer from this context: {context}"],
    ["human", "{question}"],
  ]);
  const model = new ChatOpenAI({ model: "gpt-4o", apiKey: "mock", configuration: { baseURL: tracing.provider.openaiBaseURL }, maxRetries: 0, streaming });
  const gather = RunnableLambda.from(async (question: string, config) => ({
    question,
    context: (await retriever.invoke(question, config)).map((doc) => doc.pageContent).join("\n"),
  })).withConfig({ runName: "gather" });
  return RunnableSequence.from([gather, prompt, model, new StringOutputParser()]);
}

const spansNow = () => tracing.exporter.getFinishedSpans();

it("traces a chain (prompt | model | parser) with a retriever: the sequence as the agent run, the retriever as an action", async () => {
  tracing.provider.script({ path: "/chat/completions", text: "Oslo.", usage: { inputTokens: 420, outputTokens: 7 } });
  await expect(ragChain().invoke("Where is Oslo?", { callbacks: [handler] })).resolves.toBe("Oslo.");
  const spans = spansNow();
  const [retrieval] = byRunType(spans, "retriever");
  expect(retrieval!.name).toBe("retrieve AtlasRetriever");
  expect(retrieval!.attributes["agentops.action.type"]).toBe("retriever");
  expect(JSON.parse(String(retrieval!.attributes["agentops.event.params"]))).toEqual({ name: "AtlasRetriever", query: "Where is Oslo?" });
  expect(JSON.parse(String(retrieval!.attributes["agentops.event.returns"]))).toEqual([{ page_content: "Oslo is the capital of Norway (Where is Oslo?)", metadata: { source: "atlas" } }]);
  const gather = spans.find((span) => span.name === "gather")!;
  expect(parentId(retrieval!)).toBe(gather.spanContext().spanId);

  const chains = byRunType(spans, "chain");
  const root = chains.find((span) => span.attributes["langchain.parent_run_id"] === undefined)!;
  expect(root.name).toBe("invoke_agent RunnableSequence");
  // gather, the prompt and the parser: steps of the sequence.
  expect(chains.filter((span) => parentId(span) === root.spanContext().spanId).map((span) => span.name).sort()).toEqual(["ChatPromptTemplate", "StrOutputParser", "gather"]);
  // Content capture off: no chain inputs, no messages.
  expect(spans.some((span) => span.attributes["gen_ai.input.messages"] !== undefined || (span.attributes["langchain.run_type"] === "chain" && span.attributes["agentops.event.params"] !== undefined))).toBe(false);
  expect(totals(spans)).toMatchObject({ llm: 1, tool: 0, agent: 1, action: chains.length - 1 + byRunType(spans, "retriever").length, prompt: 420, completion: 7, errors: 0 });
});

it("ends a streamed model call's span with the usage of the stream", async () => {
  tracing.provider.script({ path: "/chat/completions", text: "Oslo, Norway.", usage: { inputTokens: 300, outputTokens: 12, cacheReadTokens: 100 } });
  let text = "";
  for await (const chunk of await ragChain(true).stream("Where is Oslo?", { callbacks: [handler] })) text += chunk;
  expect(text).toBe("Oslo, Norway.");
  const spans = spansNow();
  const [chat] = byRunType(spans, "chat_model");
  expect(chat!.ended).toBe(true);
  expect(chat!.attributes).toMatchObject({ "gen_ai.usage.input_tokens": 300, "gen_ai.usage.output_tokens": 12, "gen_ai.usage.cache_read.input_tokens": 100, "langchain.client_calls": 1 });
  const [client] = clientSpans(spans);
  expect(parentId(client!)).toBe(chat!.spanContext().spanId);
  expect(totals(spans)).toMatchObject({ llm: 1, prompt: 300, completion: 12, cached: 100 });
});

it("records failures: a failing tool as a failed tool call, a failing model call once, a failing chain as ERROR", async () => {
  const bookHotel = tool(async () => {
    throw new Error("no rooms left");
  }, { name: "book_hotel", description: "Books a hotel", schema: z.object({ city: z.string() }) });
  await expect(bookHotel.invoke({ city: "Oslo" }, { callbacks: [handler] })).rejects.toThrow("no rooms left");
  const [toolSpan] = byRunType(spansNow(), "tool");
  expect(toolSpan!.status).toEqual({ code: SpanStatusCode.ERROR, message: "no rooms left" });
  expect(toolSpan!.events.find((event) => event.name === "exception")?.attributes?.["exception.message"]).toBe("no rooms left");

  tracing.provider.script({ path: "/chat/completions", status: 500, message: "overloaded" });
  const model = new ChatOpenAI({ model: "gpt-4o", apiKey: "mock", configuration: { baseURL: tracing.provider.openaiBaseURL }, maxRetries: 0 });
  await expect(model.invoke("Hi", { callbacks: [handler] })).rejects.toThrow();
  const [chat] = byRunType(spansNow(), "chat_model");
  expect(chat!.status.code).toBe(SpanStatusCode.ERROR);
  expect(chat!.attributes["langchain.client_calls"]).toBe(1);

  const failing = RunnableLambda.from(() => {
    throw new Error("bad step");
  });
  await expect(failing.invoke(1, { callbacks: [handler] })).rejects.toThrow("bad step");
  const spans = spansNow();
  expect(byRunType(spans, "chain")[0]!.status.code).toBe(SpanStatusCode.ERROR);
  // The tool and the model call (its client span) are errors; a failed chain is not counted as one.
  expect(totals(spans)).toMatchObject({ tool: 1, llm: 1, errors: 2 });
});

it("records messages and chain inputs when content capture is on", async () => {
  const capturing = new AgentOpsCallbackHandler({ tracerProvider: tracing.tracerProvider, captureContent: true });
  tracing.provider.script({ path: "/chat/completions", text: "Oslo." });
  await ragChain().invoke("Where is Oslo?", { callbacks: [capturing] });
  const spans = spansNow();
  const [chat] = byRunType(spans, "chat_model");
  const input = JSON.parse(String(chat!.attributes["gen_ai.input.messages"]));
  expect(input.map((message: { role: string }) => message.role)).toEqual(["system", "user"]);
  expect(input[1].parts).toEqual([{ type: "text", content: "Where is Oslo?" }]);
  expect(JSON.parse(String(chat!.attributes["gen_ai.output.messages"]))).toEqual([{ role: "assistant", parts: [{ type: "text", content: "Oslo." }], finish_reason: "stop" }]);
  const root = byRunType(spans, "chain").find((span) => span.attributes["langchain.parent_run_id"] === undefined)!;
  expect(JSON.parse(String(root.attributes["agentops.event.params"]))).toEqual({ input: "Where is Oslo?" });
  expect(JSON.parse(String(root.attributes["agentops.event.returns"]))).toEqual({ output: "Oslo." });
});

it("traces each run once when two handlers are given, and never throws into LangChain", async () => {
  tracing.provider.script({ path: "/chat/completions", text: "Oslo." }, { path: "/chat/completions", text: "Oslo." });
  const second = new AgentOpsCallbackHandler({ tracerProvider: tracing.tracerProvider });
  await ragChain().invoke("Where is Oslo?", { callbacks: [handler, second] });
  const spans = spansNow();
  expect(byRunType(spans, "chat_model")).toHaveLength(1);
  expect(byRunType(spans, "retriever")).toHaveLength(1);

  // A tracer that throws costs the spans, not the call.
  const broken = { getTracer: () => { throw new Error("broken tracer"); } } as unknown as TracerProvider;
  await expect(ragChain().invoke("Where is Oslo?", { callbacks: [new AgentOpsCallbackHandler({ tracerProvider: broken })] })).resolves.toBe("Oslo.");

  // Garbage in every callback: nothing thrown.
  const calls: Array<() => unknown> = [
    () => handler.handleChainStart(null as never, undefined as never, undefined as never),
    () => handler.handleChainEnd(null as never, "unknown-run"),
    () => handler.handleChainError("not an error" as never, "unknown-run"),
    () => handler.handleChatModelStart({} as never, "not messages" as never, "run-x", undefined, 42 as never, undefined, null as never),
    () => handler.handleLLMEnd({ generations: "nope" } as never, "run-x"),
    () => handler.handleLLMStart(undefined as never, [1, 2] as never, "run-y"),
    () => handler.handleLLMError(undefined as never, "run-y"),
    () => handler.handleToolStart(undefined as never, { circular: globalThis } as never, "run-z"),
    () => handler.handleToolEnd(Symbol("odd") as never, "run-z"),
    () => handler.handleRetrieverStart(undefined as never, undefined as never, "run-r"),
    () => handler.handleRetrieverEnd([{ pageContent: 1 }] as never, "run-r"),
  ];
  for (const call of calls) expect(call).not.toThrow();
  expect(handler.copy()).toBeInstanceOf(AgentOpsCallbackHandler);
});

it("ends the runs an outermost run left open when it ends, and forgets them", async () => {
  handler.handleChainStart({ lc: 1, type: "not_implemented", id: ["app", "Graph"] } as never, {}, "root-1");
  handler.handleChainStart({} as never, {}, "hidden-1", "root-1", ["langsmith:hidden"]);
  handler.handleToolStart({} as never, "{}", "tool-1", "hidden-1", [], {}, "lookup");
  handler.handleChainEnd({}, "root-1");
  const spans = spansNow();
  const root = spans.find((span) => span.name === "invoke_agent Graph")!;
  const [left] = byRunType(spans, "tool");
  // The tool run went under the root, through the hidden run; it ended with the root.
  expect(left!.name).toBe("execute_tool lookup");
  expect(parentId(left!)).toBe(root.spanContext().spanId);
  // Its late end finds nothing to end twice.
  expect(() => handler.handleToolEnd("late", "tool-1")).not.toThrow();
  expect(byRunType(spansNow(), "tool")).toHaveLength(1);
});
