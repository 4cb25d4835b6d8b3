/**
 * The SDK's analytics and the server's stats read spans through one span model, so they agree on
 * every span, whatever vocabulary wrote it. A corpus of spans per vocabulary goes through the real
 * SDK (a session of its own each) into a real server on SQLite; every figure of
 * `getAnalytics()` (plus cached and reasoning tokens and the exact cost) must equal
 * `GET /v2/sessions/:id/stats`, and the figures must be the ones expected by hand.
 */
import { SpanStatusCode, trace, type Attributes } from "@opentelemetry/api";
import { startTestBackend, type TestBackend } from "@agentops/test-support";
import * as agentops from "agentops";

interface CorpusSpan {
  name: string;
  attributes: Attributes;
  failed?: boolean;
  /** Children started under this span (framework spans nest their model calls). */
  children?: CorpusSpan[];
}

interface Vocabulary {
  name: string;
  spans: CorpusSpan[];
  /** What the corpus must count for, decided by hand (so that agreement on zeros cannot pass). */
  expected: { llm_calls: number; tool_calls: number; actions: number; errors: number; prompt_tokens: number; completion_tokens: number; priced: boolean };
}

const VOCABULARIES: Vocabulary[] = [
  {
    name: "agentops' own events",
    spans: [
      { name: "chat gpt-4o", attributes: { "agentops.span.kind": "llm", "gen_ai.operation.name": "chat", "gen_ai.provider.name": "openai", "gen_ai.request.model": "gpt-4o", "gen_ai.usage.input_tokens": 1000, "gen_ai.usage.output_tokens": 500 } },
      { name: "chat custom", attributes: { "agentops.span.kind": "llm", "gen_ai.request.model": "my-model", "gen_ai.usage.input_tokens": 10, "gen_ai.usage.output_tokens": 5, "agentops.llm.cost": 0.25 } },
      { name: "execute_tool search", attributes: { "agentops.span.kind": "tool", "gen_ai.operation.name": "execute_tool", "gen_ai.tool.name": "search" } },
      { name: "execute_tool book", attributes: { "agentops.span.kind": "tool", "gen_ai.tool.name": "book" }, failed: true },
      { name: "action plan", attributes: { "agentops.span.kind": "action", "agentops.action.type": "plan" } },
      { name: "error TypeError", attributes: { "agentops.span.kind": "error", "error.type": "TypeError" }, failed: true },
    ],
    expected: { llm_calls: 2, tool_calls: 2, actions: 1, errors: 2, prompt_tokens: 1010, completion_tokens: 505, priced: true },
  },
  {
    name: "GenAI conventions, current names",
    spans: [
      {
        name: "invoke_agent planner",
        attributes: { "gen_ai.operation.name": "invoke_agent", "gen_ai.agent.name": "planner" },
        children: [
          {
            name: "chat claude-sonnet-4-5",
            attributes: {
              "gen_ai.operation.name": "chat",
              "gen_ai.provider.name": "anthropic",
              "gen_ai.request.model": "claude-sonnet-4-5",
              "gen_ai.usage.input_tokens": 1000,
              "gen_ai.usage.cache_read.input_tokens": 800,
              "gen_ai.usage.cache_creation.input_tokens": 100,
              "gen_ai.usage.output_tokens": 500,
              "gen_ai.usage.reasoning.output_tokens": 120,
            },
          },
          { name: "execute_tool get_weather", attributes: { "gen_ai.operation.name": "execute_tool", "gen_ai.tool.name": "get_weather" } },
        ],
      },
      { name: "embeddings text-embedding-3-small", attributes: { "gen_ai.operation.name": "embeddings", "gen_ai.provider.name": "openai", "gen_ai.request.model": "text-embedding-3-small", "gen_ai.usage.input_tokens": 300 } },
      { name: "chat gpt-4o-mini", attributes: { "gen_ai.operation.name": "chat", "gen_ai.provider.name": "openai", "gen_ai.request.model": "gpt-4o-mini", "gen_ai.response.model": "gpt-4o-mini-2024-07-18", "gen_ai.usage.input_tokens": 40, "gen_ai.usage.output_tokens": 0 }, failed: true },
    ],
    // invoke_agent is an agent run: one action, its calls counted once each.
    expected: { llm_calls: 3, tool_calls: 1, actions: 1, errors: 1, prompt_tokens: 1340, completion_tokens: 500, priced: true },
  },
  {
    name: "GenAI conventions, legacy names",
    spans: [
      { name: "openai.chat", attributes: { "gen_ai.system": "openai", "gen_ai.request.model": "gpt-4o-mini", "gen_ai.usage.prompt_tokens": 120, "gen_ai.usage.completion_tokens": 30 } },
      { name: "gpt-4o call", attributes: { "gen_ai.request.model": "gpt-4o", "gen_ai.usage.prompt_tokens": "64", "gen_ai.usage.completion_tokens": "16" } },
    ],
    expected: { llm_calls: 2, tool_calls: 0, actions: 0, errors: 0, prompt_tokens: 184, completion_tokens: 46, priced: true },
  },
  {
    name: "OpenLLMetry",
    spans: [
      {
        name: "anthropic.chat",
        attributes: {
          "llm.request.type": "chat",
          "gen_ai.system": "Anthropic",
          "gen_ai.request.model": "claude-3-5-haiku-20241022",
          // Anthropic's input count without its cache reads and writes, as OpenLLMetry writes it.
          "gen_ai.usage.prompt_tokens": 100,
          "gen_ai.usage.cache_read_input_tokens": 50,
          "gen_ai.usage.cache_creation_input_tokens": 25,
          "gen_ai.usage.completion_tokens": 40,
        },
      },
      { name: "openai.embeddings", attributes: { "llm.request.type": "embedding", "gen_ai.system": "openai", "gen_ai.request.model": "text-embedding-3-small", "gen_ai.usage.prompt_tokens": 12 } },
      { name: "workflow.task", attributes: { "traceloop.span.kind": "task" } },
    ],
    expected: { llm_calls: 2, tool_calls: 0, actions: 0, errors: 0, prompt_tokens: 187, completion_tokens: 40, priced: true },
  },
  {
    name: "OpenInference",
    spans: [
      { name: "ChatCompletion", attributes: { "openinference.span.kind": "LLM", "llm.model_name": "gpt-4o", "llm.provider": "openai", "llm.token_count.prompt": 900, "llm.token_count.prompt_details.cache_read": 300, "llm.token_count.completion": 100, "llm.token_count.completion_details.reasoning": 20 } },
      { name: "CreateEmbeddings", attributes: { "openinference.span.kind": "EMBEDDING", "llm.model_name": "text-embedding-3-small", "llm.token_count.prompt": 50 } },
      { name: "lookup", attributes: { "openinference.span.kind": "TOOL", "tool.name": "lookup" }, failed: true },
      { name: "RunnableSequence", attributes: { "openinference.span.kind": "CHAIN" } },
    ],
    expected: { llm_calls: 2, tool_calls: 1, actions: 0, errors: 1, prompt_tokens: 950, completion_tokens: 100, priced: true },
  },
  {
    name: "AgentOps' Python SDK",
    spans: [
      { name: "openai.chat.completion", attributes: { "agentops.span.kind": "llm.call", "gen_ai.system": "openai", "gen_ai.request.model": "gpt-4o", "gen_ai.usage.prompt_tokens": 200, "gen_ai.usage.completion_tokens": 80 } },
      { name: "search.tool", attributes: { "agentops.span.kind": "tool.usage", "gen_ai.usage.total_cost": 0.125 } },
      { name: "think.action", attributes: { "agentops.span.kind": "agent.action" } },
      { name: "fetch.operation", attributes: { "agentops.span.kind": "operation" } },
      { name: "summarise.task", attributes: { "agentops.span.kind": "task" }, failed: true },
      { name: "researcher.agent", attributes: { "agentops.span.kind": "agent" } },
      { name: "pipeline.workflow", attributes: { "agentops.span.kind": "workflow" } },
    ],
    expected: { llm_calls: 1, tool_calls: 1, actions: 3, errors: 0, prompt_tokens: 200, completion_tokens: 80, priced: true },
  },
  {
    name: "OpenAI Agents spans as AgentOps' npm SDK re-emits them",
    spans: [
      { name: "generation", attributes: { "openai_agents.span_id": "span_gen_1", "gen_ai.request.model": "gpt-4o-mini", "gen_ai.usage.input_tokens": 75, "gen_ai.usage.output_tokens": 25 } },
      { name: "function", attributes: { "openai_agents.span_id": "span_fn_1", "function.name": "get_weather" } },
      { name: "agent", attributes: { "openai_agents.span_id": "span_agent_1", "agent.name": "Assistant" } },
    ],
    expected: { llm_calls: 1, tool_calls: 1, actions: 0, errors: 0, prompt_tokens: 75, completion_tokens: 25, priced: true },
  },
  {
    name: "OpenAI Agents spans as @agentops/openai-agents writes them",
    spans: [
      {
        name: "invoke_agent Triage",
        attributes: { "openai_agents.span_type": "agent", "openai_agents.span_id": "span_a", "gen_ai.operation.name": "invoke_agent", "gen_ai.agent.name": "Triage", "agentops.action.type": "agent" },
        children: [
          {
            name: "turn 1 Triage",
            attributes: { "openai_agents.span_type": "turn", "openai_agents.span_id": "span_t" },
            children: [
              // A model call the openai instrumentation traced: its client span counts, not the model span.
              {
                name: "chat gpt-4o",
                attributes: { "openai_agents.span_type": "response", "openai_agents.span_id": "span_r1", "openai_agents.client_calls": 1, "gen_ai.operation.name": "chat", "gen_ai.provider.name": "openai", "gen_ai.request.model": "gpt-4o", "gen_ai.usage.input_tokens": 1000, "gen_ai.usage.output_tokens": 50 },
                children: [{ name: "chat gpt-4o", attributes: { "gen_ai.operation.name": "chat", "gen_ai.provider.name": "openai", "gen_ai.request.model": "gpt-4o", "gen_ai.usage.input_tokens": 1000, "gen_ai.usage.output_tokens": 50 } }],
              },
              // One nobody else traced: the model span counts.
              { name: "chat gpt-4o", attributes: { "openai_agents.span_type": "generation", "openai_agents.span_id": "span_g2", "openai_agents.client_calls": 0, "gen_ai.operation.name": "chat", "gen_ai.request.model": "gpt-4o", "gen_ai.usage.input_tokens": 200, "gen_ai.usage.output_tokens": 20 } },
              { name: "execute_tool get_weather", attributes: { "openai_agents.span_type": "function", "openai_agents.span_id": "span_f", "gen_ai.operation.name": "execute_tool", "gen_ai.tool.name": "get_weather" }, failed: true },
              { name: "handoff Triage -> Booking", attributes: { "openai_agents.span_type": "handoff", "openai_agents.span_id": "span_h", "agentops.action.type": "handoff" } },
            ],
          },
        ],
      },
      { name: "task Agent workflow", attributes: { "openai_agents.span_type": "task", "openai_agents.span_id": "span_k" } },
    ],
    expected: { llm_calls: 2, tool_calls: 1, actions: 2, errors: 1, prompt_tokens: 1200, completion_tokens: 70, priced: true },
  },
  {
    name: "Vercel AI SDK 5 telemetry",
    spans: [
      {
        name: "ai.generateText",
        attributes: { "operation.name": "ai.generateText", "ai.model.id": "gpt-4o-mini", "ai.model.provider": "openai.chat", "ai.usage.promptTokens": 30, "ai.usage.completionTokens": 12 },
        children: [
          {
            name: "ai.generateText.doGenerate",
            attributes: {
              "operation.name": "ai.generateText.doGenerate",
              "gen_ai.system": "openai.chat",
              "gen_ai.request.model": "gpt-4o-mini",
              "gen_ai.response.model": "gpt-4o-mini-2024-07-18",
              "gen_ai.usage.input_tokens": 30,
              "gen_ai.usage.output_tokens": 12,
            },
          },
        ],
      },
    ],
    expected: { llm_calls: 1, tool_calls: 0, actions: 0, errors: 0, prompt_tokens: 30, completion_tokens: 12, priced: true },
  },
  {
    name: "Vercel AI SDK 6 telemetry: tools, steps, embed",
    spans: [
      {
        name: "ai.generateText",
        attributes: { "ai.operationId": "ai.generateText", "ai.model.id": "gpt-4o-mini", "ai.model.provider": "openai.responses", "ai.usage.inputTokens": 140, "ai.usage.outputTokens": 35 },
        children: [
          {
            name: "ai.generateText.doGenerate",
            attributes: { "ai.operationId": "ai.generateText.doGenerate", "ai.model.id": "gpt-4o-mini", "ai.model.provider": "openai.responses", "gen_ai.system": "openai.responses", "gen_ai.request.model": "gpt-4o-mini", "ai.usage.inputTokens": 60, "ai.usage.inputTokenDetails.cacheReadTokens": 20, "ai.usage.outputTokens": 15, "ai.usage.outputTokenDetails.reasoningTokens": 5, "gen_ai.usage.input_tokens": 60, "gen_ai.usage.output_tokens": 15 },
          },
          { name: "ai.toolCall", attributes: { "ai.operationId": "ai.toolCall", "ai.toolCall.name": "get_weather", "ai.toolCall.args": '{"city":"Paris"}' } },
          {
            name: "ai.generateText.doGenerate",
            attributes: { "ai.operationId": "ai.generateText.doGenerate", "ai.model.id": "gpt-4o-mini", "ai.model.provider": "openai.responses", "gen_ai.system": "openai.responses", "gen_ai.request.model": "gpt-4o-mini", "ai.usage.inputTokens": 80, "ai.usage.outputTokens": 20, "gen_ai.usage.input_tokens": 80, "gen_ai.usage.output_tokens": 20 },
          },
        ],
      },
      {
        name: "ai.embed",
        attributes: { "ai.operationId": "ai.embed", "ai.model.id": "text-embedding-3-small", "ai.model.provider": "openai.embedding", "ai.usage.tokens": 9 },
        children: [{ name: "ai.embed.doEmbed", attributes: { "ai.operationId": "ai.embed.doEmbed", "ai.model.id": "text-embedding-3-small", "ai.model.provider": "openai.embedding", "ai.usage.tokens": 9 } }],
      },
    ],
    // Three model calls, the outer operations two actions whose summed usage is not counted again.
    expected: { llm_calls: 3, tool_calls: 1, actions: 2, errors: 0, prompt_tokens: 149, completion_tokens: 35, priced: true },
  },
  {
    name: "GenAI agent spans as the Vercel AI SDK 7 writes them",
    spans: [
      {
        name: "invoke_agent gpt-4o-mini",
        attributes: { "gen_ai.operation.name": "invoke_agent", "gen_ai.provider.name": "openai", "gen_ai.request.model": "gpt-4o-mini", "gen_ai.usage.input_tokens": 44, "gen_ai.usage.output_tokens": 33 },
        children: [
          {
            name: "step 1",
            attributes: { "gen_ai.operation.name": "agent_step" },
            children: [
              { name: "chat gpt-4o-mini", attributes: { "gen_ai.operation.name": "chat", "gen_ai.provider.name": "openai", "gen_ai.request.model": "gpt-4o-mini", "gen_ai.usage.input_tokens": 12, "gen_ai.usage.output_tokens": 14 } },
              { name: "execute_tool get_weather", attributes: { "gen_ai.operation.name": "execute_tool", "gen_ai.tool.name": "get_weather" } },
            ],
          },
          {
            name: "step 2",
            attributes: { "gen_ai.operation.name": "agent_step" },
            children: [{ name: "chat gpt-4o-mini", attributes: { "gen_ai.operation.name": "chat", "gen_ai.provider.name": "openai", "gen_ai.request.model": "gpt-4o-mini", "gen_ai.usage.input_tokens": 32, "gen_ai.usage.output_tokens": 19 } }],
          },
        ],
      },
      {
        name: "embeddings text-embedding-3-small",
        attributes: { "gen_ai.operation.name": "embeddings", "gen_ai.provider.name": "openai", "gen_ai.request.model": "text-embedding-3-small" },
        children: [{ name: "embeddings text-embedding-3-small", attributes: { "gen_ai.operation.name": "embeddings", "gen_ai.provider.name": "openai", "gen_ai.request.model": "text-embedding-3-small", "gen_ai.usage.input_tokens": 1 } }],
      },
    ],
    expected: { llm_calls: 3, tool_calls: 1, actions: 2, errors: 0, prompt_tokens: 45, completion_tokens: 33, priced: true },
  },
  {
    name: "a model no price table knows",
    spans: [{ name: "chat in-house-7b", attributes: { "gen_ai.operation.name": "chat", "gen_ai.provider.name": "self-hosted", "gen_ai.request.model": "in-house-7b", "gen_ai.usage.input_tokens": 500, "gen_ai.usage.output_tokens": 100 } }],
    expected: { llm_calls: 1, tool_calls: 0, actions: 0, errors: 0, prompt_tokens: 500, completion_tokens: 100, priced: false },
  },
];

let backend: TestBackend;
let url: string;
let apiKey: string;

beforeAll(async () => {
  backend = await startTestBackend("agreement");
  ({ url, apiKey } = backend);
  agentops.init({ apiKey, endpoint: url, autoStartSession: false, instrumentLlmCalls: false, envDataOptOut: true, logLevel: "error" });
});

afterAll(async () => {
  await agentops.shutdown();
  await backend?.close();
});

function emit(spans: CorpusSpan[]): void {
  const tracer = trace.getTracer("corpus");
  for (const corpusSpan of spans) {
    tracer.startActiveSpan(corpusSpan.name, { attributes: corpusSpan.attributes }, (span) => {
      if (corpusSpan.children) emit(corpusSpan.children);
      if (corpusSpan.failed) span.setStatus({ code: SpanStatusCode.ERROR, message: "failed" });
      span.end();
    });
  }
}

describe.each(VOCABULARIES.map((vocabulary) => [vocabulary.name, vocabulary] as const))("%s", (_name, vocabulary) => {
  it("gives the same analytics in the SDK as the server's stats", async () => {
    const session = agentops.startSession({ tags: ["agreement"] });
    session.run(() => emit(vocabulary.spans));
    const cost = await session.endSession("Success");
    const analytics = session.getAnalytics();
    const totals = session.totals;

    const response = await fetch(`${url}/v2/sessions/${session.id}/stats`, { headers: { "x-agentops-api-key": apiKey } });
    expect(response.status).toBe(200);
    const stats = (await response.json()) as Record<string, unknown>;

    const sdk = {
      llm_calls: analytics.llmCalls,
      tool_calls: analytics.toolCalls,
      actions: analytics.actions,
      errors: analytics.errors,
      prompt_tokens: analytics.promptTokens,
      completion_tokens: analytics.completionTokens,
      total_tokens: analytics.totalTokens,
      cached_tokens: totals.cachedTokens,
      reasoning_tokens: totals.reasoningTokens,
      cost: analytics.cost,
    };
    const server = Object.fromEntries(Object.keys(sdk).map((key) => [key, stats[key]]));
    expect(sdk).toEqual(server);
    expect(cost).toBe(stats.cost);

    const { priced, ...counts } = vocabulary.expected;
    expect(sdk).toMatchObject(counts);
    if (priced) expect(Number(sdk.cost)).toBeGreaterThan(0);
    else expect(sdk.cost).toBe("0.000000");
  });
});
