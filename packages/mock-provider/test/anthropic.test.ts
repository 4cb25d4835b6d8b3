import { startMockProvider, type MockProvider } from "@agentops/mock-provider";

/**
 * The Anthropic Messages wire format, checked at the HTTP level: status codes, headers, JSON
 * bodies and the exact server-sent event sequence. (The instrumentation package drives the real
 * `@anthropic-ai/sdk` client against these routes.)
 */

let provider: MockProvider;

beforeAll(async () => {
  provider = await startMockProvider();
});

afterEach(() => provider.reset());

afterAll(async () => {
  await provider.close();
});

const HEADERS = {
  "content-type": "application/json",
  "x-api-key": "test-key",
  "anthropic-version": "2023-06-01",
};

/** The JSON body of a response, loosely typed for assertions. */
function json(response: Response | Promise<Response>): Promise<any> {
  return Promise.resolve(response).then((value) => value.json());
}

function post(
  body: unknown,
  options: { path?: string; headers?: Record<string, string> } = {},
): Promise<Response> {
  return fetch(`${provider.anthropicBaseURL}${options.path ?? "/v1/messages"}`, {
    method: "POST",
    headers: options.headers ?? HEADERS,
    body: JSON.stringify(body),
  });
}

interface ServerSentEvent {
  event: string;
  data: any;
}

/** Parses a complete SSE body into its events (`event:` + JSON `data:` lines). */
function parseEvents(text: string): ServerSentEvent[] {
  const events: ServerSentEvent[] = [];
  for (const frame of text.split("\n\n")) {
    if (!frame.trim()) continue;
    let event = "";
    let data = "";
    for (const line of frame.split("\n")) {
      if (line.startsWith("event: ")) event = line.slice(7);
      else if (line.startsWith("data: ")) data += line.slice(6);
    }
    events.push({ event, data: JSON.parse(data) });
  }
  return events;
}

const QUESTION = {
  model: "claude-haiku-4-5",
  max_tokens: 256,
  messages: [{ role: "user", content: "What is the capital of France?" }],
};

describe("POST /v1/messages (JSON)", () => {
  it("answers deterministically from the prompt, with Anthropic's message shape and consistent usage", async () => {
    const first = await post(QUESTION);
    const second = await post({ ...QUESTION, model: "claude-sonnet-4-6" });
    expect(first.status).toBe(200);
    expect(first.headers.get("request-id")).toMatch(/^req_/);
    const message = await json(first);
    const other = await json(second);
    expect(message).toMatchObject({
      type: "message",
      role: "assistant",
      model: "claude-haiku-4-5",
      stop_reason: "end_turn",
      stop_sequence: null,
      content: [{ type: "text", text: 'Mock answer to "What is the capital of France?".' }],
    });
    expect(message.id).toMatch(/^msg_/);
    expect(other.model).toBe("claude-sonnet-4-6");
    expect(other.content[0].text).toBe(message.content[0].text);
    expect(message.usage.input_tokens).toBeGreaterThan(0);
    expect(message.usage.output_tokens).toBe(Math.ceil(message.content[0].text.length / 4));
    expect(message.usage.cache_read_input_tokens).toBe(0);
    expect(message.usage.cache_creation_input_tokens).toBe(0);
  });

  it("reports cache reads and writes outside input_tokens, as Anthropic does", async () => {
    const plain = await json(post(QUESTION));
    provider.script({ usage: { cacheReadTokens: 800, cacheWriteTokens: 200 } });
    const cached = await json(post(QUESTION));
    expect(cached.usage.input_tokens).toBe(plain.usage.input_tokens);
    expect(cached.usage.cache_read_input_tokens).toBe(800);
    expect(cached.usage.cache_creation_input_tokens).toBe(200);
    expect(cached.usage.cache_creation).toEqual({
      ephemeral_5m_input_tokens: 200,
      ephemeral_1h_input_tokens: 0,
    });

    // A scripted total (GenAI convention, cache included) is split back into Anthropic's buckets.
    provider.script({ usage: { inputTokens: 1000, cacheReadTokens: 800, outputTokens: 500 } });
    const totals = await json(post(QUESTION));
    expect(totals.usage).toMatchObject({
      input_tokens: 200,
      cache_read_input_tokens: 800,
      cache_creation_input_tokens: 0,
      output_tokens: 500,
    });
  });

  it("stops at max_tokens and at stop sequences with the matching stop_reason", async () => {
    const truncated = await json(post({ ...QUESTION, max_tokens: 2 }));
    expect(truncated.stop_reason).toBe("max_tokens");
    expect(truncated.content[0].text).toHaveLength(8);
    expect(truncated.usage.output_tokens).toBe(2);

    const stopped = await json(post({ ...QUESTION, stop_sequences: ["capital"] }));
    expect(stopped.stop_reason).toBe("stop_sequence");
    expect(stopped.stop_sequence).toBe("capital");
    expect(stopped.content[0].text).toBe('Mock answer to "What is the ');
  });

  it("returns scripted tool_use blocks after scripted text, with stop_reason tool_use", async () => {
    provider.script({
      text: "Let me check.",
      toolCalls: [{ id: "toolu_fixed", name: "get_weather", arguments: { city: "Paris" } }],
    });
    const message = await json(post(QUESTION));
    expect(message.stop_reason).toBe("tool_use");
    expect(message.content).toEqual([
      { type: "text", text: "Let me check.", citations: null },
      { type: "tool_use", id: "toolu_fixed", name: "get_weather", input: { city: "Paris" } },
    ]);
  });

  it("calls a tool on its own when tool_choice forces one, then answers its result", async () => {
    const tools = [
      {
        name: "get_weather",
        description: "Weather of a city",
        input_schema: {
          type: "object",
          properties: { city: { type: "string" }, days: { type: "integer" } },
          required: ["city", "days"],
        },
      },
    ];
    const call = await json(post({ ...QUESTION, tools, tool_choice: { type: "any" } }));
    expect(call.stop_reason).toBe("tool_use");
    expect(call.content).toHaveLength(1);
    const use = call.content[0];
    expect(use).toMatchObject({
      type: "tool_use",
      name: "get_weather",
      input: { city: "What is the capital of France?", days: 1 },
    });
    expect(use.id).toMatch(/^toolu_/);

    const followUp = await json(
      post({
        ...QUESTION,
        tools,
        messages: [
          ...QUESTION.messages,
          { role: "assistant", content: [use] },
          {
            role: "user",
            content: [{ type: "tool_result", tool_use_id: use.id, content: "18 degrees, sunny" }],
          },
        ],
      }),
    );
    expect(followUp.stop_reason).toBe("end_turn");
    expect(followUp.content[0].text).toBe("The tool returned 18 degrees, sunny.");
    expect(followUp.usage.input_tokens).toBeGreaterThan(call.usage.input_tokens);
  });

  it("accepts the beta route (?beta=true with an anthropic-beta header)", async () => {
    const response = await post(QUESTION, {
      path: "/v1/messages?beta=true",
      headers: { ...HEADERS, "anthropic-beta": "prompt-caching-2024-07-31" },
    });
    expect(response.status).toBe(200);
    expect((await json(response)).type).toBe("message");
    expect(provider.requests[0]!.headers["anthropic-beta"]).toBe("prompt-caching-2024-07-31");
  });

  it("waits the scripted latency before answering", async () => {
    provider.script({ latencyMs: 150 });
    const started = performance.now();
    const response = await post(QUESTION);
    await json(response);
    expect(performance.now() - started).toBeGreaterThanOrEqual(140);
  });
});

describe("POST /v1/messages (stream: true)", () => {
  it("sends the real event sequence, whose deltas rebuild the JSON answer and whose usage matches it", async () => {
    provider.script({ usage: { cacheReadTokens: 40, cacheWriteTokens: 10 } });
    const response = await post({ ...QUESTION, stream: true });
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toBe("text/event-stream");
    expect(response.headers.get("request-id")).toMatch(/^req_/);
    const events = parseEvents(await response.text());
    const plain = await json(post(QUESTION));

    const names = events.map((event) => event.event);
    expect(names.slice(0, 3)).toEqual(["message_start", "content_block_start", "ping"]);
    expect(names.slice(-4)).toEqual([
      "content_block_delta",
      "content_block_stop",
      "message_delta",
      "message_stop",
    ]);
    for (const event of events) expect(event.data.type).toBe(event.event);

    const start = events[0]!.data.message;
    expect(start).toMatchObject({
      type: "message",
      role: "assistant",
      model: "claude-haiku-4-5",
      content: [],
      stop_reason: null,
    });
    expect(start.usage).toMatchObject({
      input_tokens: plain.usage.input_tokens,
      cache_read_input_tokens: 40,
      cache_creation_input_tokens: 10,
      output_tokens: 1,
    });

    const text = events
      .filter((event) => event.event === "content_block_delta")
      .map((event) => {
        expect(event.data.delta.type).toBe("text_delta");
        return event.data.delta.text;
      })
      .join("");
    expect(text).toBe(plain.content[0].text);

    const delta = events.find((event) => event.event === "message_delta")!.data;
    expect(delta.delta).toEqual({ stop_reason: "end_turn", stop_sequence: null });
    expect(delta.usage.output_tokens).toBe(plain.usage.output_tokens);
    expect(delta.usage.input_tokens).toBe(plain.usage.input_tokens);
  });

  it("streams tool_use input as input_json_delta pieces that parse to the input", async () => {
    provider.script({
      toolCalls: [{ name: "search", arguments: { query: "weather in Paris", limit: 3 } }],
    });
    const events = parseEvents(await (await post({ ...QUESTION, stream: true })).text());
    const start = events.find((event) => event.event === "content_block_start")!.data;
    expect(start.content_block).toMatchObject({ type: "tool_use", name: "search", input: {} });
    const pieces = events
      .filter((event) => event.event === "content_block_delta")
      .map((event) => {
        expect(event.data.delta.type).toBe("input_json_delta");
        return event.data.delta.partial_json;
      });
    expect(pieces[0]).toBe("");
    expect(pieces.length).toBeGreaterThan(2);
    expect(JSON.parse(pieces.join(""))).toEqual({ query: "weather in Paris", limit: 3 });
    expect(events.find((event) => event.event === "message_delta")!.data.delta.stop_reason).toBe(
      "tool_use",
    );
  });

  it("drops the connection midway when scripted (destroyAfterEvents)", async () => {
    provider.script({ destroyAfterEvents: 3 });
    const response = await post({ ...QUESTION, stream: true });
    expect(response.status).toBe(200);
    await expect(response.text()).rejects.toThrow();
  });
});

describe("errors", () => {
  it.each([
    [400, "invalid_request_error"],
    [401, "authentication_error"],
    [403, "permission_error"],
    [404, "not_found_error"],
    [429, "rate_limit_error"],
    [500, "api_error"],
    [529, "overloaded_error"],
  ])("answers a scripted %i with Anthropic's error body (%s)", async (status, type) => {
    provider.script({ status, message: `scripted ${status}` });
    const response = await post(QUESTION);
    expect(response.status).toBe(status);
    expect(response.headers.get("request-id")).toMatch(/^req_/);
    const body = await json(response);
    expect(body).toEqual({
      type: "error",
      error: { type, message: `scripted ${status}` },
      request_id: response.headers.get("request-id"),
    });
    if (status === 429) expect(response.headers.get("retry-after")).toBe("1");
  });

  it("lets scripted headers override the defaults (retry-after)", async () => {
    provider.script({ status: 429, headers: { "retry-after": "7" } });
    const response = await post(QUESTION);
    expect(response.headers.get("retry-after")).toBe("7");
  });

  it("answers a scripted error before any stream starts", async () => {
    provider.script({ status: 529 });
    const response = await post({ ...QUESTION, stream: true });
    expect(response.status).toBe(529);
    expect(response.headers.get("content-type")).toBe("application/json");
    expect((await json(response)).error.type).toBe("overloaded_error");
  });

  it("refuses requests without credentials (401) and bodies missing required fields (400)", async () => {
    const anonymous = await post(QUESTION, { headers: { "content-type": "application/json" } });
    expect(anonymous.status).toBe(401);
    expect((await json(anonymous)).error.type).toBe("authentication_error");

    const noMaxTokens = await post({ model: "claude-haiku-4-5", messages: [] });
    expect(noMaxTokens.status).toBe(400);
    expect((await json(noMaxTokens)).error).toEqual({
      type: "invalid_request_error",
      message: "max_tokens: Field required",
    });

    const noMessages = await post({ model: "claude-haiku-4-5", max_tokens: 10 });
    expect(noMessages.status).toBe(400);
  });

  it("closes the socket without answering when scripted to destroy", async () => {
    provider.script({ destroy: true });
    await expect(post(QUESTION)).rejects.toThrow();
  });
});

describe("POST /v1/messages/count_tokens", () => {
  it("counts the same input tokens a message reports", async () => {
    const counted = await json(
      post(
        { model: QUESTION.model, messages: QUESTION.messages },
        { path: "/v1/messages/count_tokens" },
      ),
    );
    const message = await json(post(QUESTION));
    expect(counted).toEqual({ input_tokens: message.usage.input_tokens });
  });
});
