// LangChain.js and LangGraph.js runs as an agentops session: a ReAct agent calls a tool, then a
// retrieval chain (retriever | prompt | model | parser) answers, streamed. The graph, its nodes,
// the chains, the tool, the retriever and the model calls show up in the session, nested as
// LangChain ran them.
import * as agentops from "agentops";
import { registerAgentOpsCallbackHandler } from "@agentops/langchain";
import { localBackend } from "example-shared";

const backend = await localBackend(); // the server and mock LLM provider of the environment, or local ones

const session = agentops.init({ tags: ["langchain"] }); // reads AGENTOPS_API_KEY and AGENTOPS_API_ENDPOINT
// The one line: every LangChain run from here on is traced (or pass
// `callbacks: [new AgentOpsCallbackHandler()]` to the runs you want).
registerAgentOpsCallbackHandler();
// Loaded after init(), so that the openai client @langchain/openai uses is traced too.
const { ChatOpenAI } = await import("@langchain/openai");
const { tool } = await import("@langchain/core/tools");
const { Document } = await import("@langchain/core/documents");
const { BaseRetriever } = await import("@langchain/core/retrievers");
const { ChatPromptTemplate } = await import("@langchain/core/prompts");
const { StringOutputParser } = await import("@langchain/core/output_parsers");
const { RunnableLambda, RunnableSequence } = await import("@langchain/core/runnables");
const { createReactAgent } = await import("@langchain/langgraph/prebuilt");
const { z } = await import("zod");

const model = new ChatOpenAI({ model: "gpt-4o", apiKey: "mock", configuration: { baseURL: `${process.env.MOCK_PROVIDER_URL}/v1` } });

const getWeather = tool(async ({ city }) => `Sunny in ${city}`, {
  name: "get_weather",
  description: "The weather in a city",
  schema: z.object({ city: z.string() }),
});
const agent = createReactAgent({ llm: model, tools: [getWeather] });
// The mock provider calls the tools a prompt names; a real model decides for itself.
const state = await agent.invoke({ messages: [{ role: "user", content: "Oslo next week: get_weather" }] });
console.log(`agent: ${state.messages.at(-1).content}`);

class AtlasRetriever extends BaseRetriever {
  lc_namespace = ["example", "retrievers"];
  async _getRelevantDocuments(query) {
    return [new Document({ pageContent: "Oslo is the capital of Norway.", metadata: { query } })];
  }
}
const retriever = new AtlasRetriever();
const chain = RunnableSequence.from([
  RunnableLambda.from(async (question, config) => ({
    question,
    context: (await retriever.invoke(question, config)).map((doc) => doc.pageContent).join("\n"),
  })),
  ChatPromptTemplate.fromMessages([["system", "Answer from: {context}"], ["human", "{question}"]]),
  model,
  new StringOutputParser(),
]);
let answer = "";
for await (const chunk of await chain.stream("Where is Oslo?")) answer += chunk;
console.log(`chain: ${answer}`);

const cost = await session.endSession("Success");
const analytics = session.getAnalytics();
console.log(
  `session ${session.id}: ${analytics.llmCalls} LLM calls, ${analytics.toolCalls} tool call, ${analytics.actions} actions (graph, nodes, chains, retriever), cost $${cost}`,
);
await backend.close();
