import OpenAI from "openai";
import { startMockProvider, type MockProvider } from "@agentops/mock-provider";

let provider: MockProvider;
let client: OpenAI;

beforeAll(async () => {
  provider = await startMockProvider();
  client = new OpenAI({ apiKey: "test-key", baseURL: provider.openaiBaseURL, maxRetries: 0 });
});

afterEach(() => provider.reset());

afterAll(async () => {
  await provider.close();
});

describe("chat completions", () => {
  it("answers deterministically from the prompt, echoing the model, with consistent usage", async () => {
    const first = await client.chat.completions.create({
      model: "gpt-4o-mini",
      messages: [
        { role: "system", content: "Be brief." },
        { role: "user", content: "What is the capital of France?" },
      ],
    });
    const second = await client.chat.completions.create({
      model: "gpt-4o",
      messages: [
        { role: "system", content: "Be brief." },
        { role: "user", content: "What is the capital of France?" },
      ],
    });
    expect(first.model).toBe("gpt-4o-mini");
    expect(second.model).toBe("gpt-4o");
    expect(first.object).toBe("chat.completion");
    expect(first.choices[0]!.message.content).toBe('Mock answer to "What is the capital of France?".');
    expect(second.choices[0]!.message.content).toBe(first.choices[0]!.message.content);
    expect(first.choices[0]!.finish_reason).toBe("stop");
    const usage = first.usage!;
    expect(usage.prompt_tokens).toBeGreaterThan(0);
    expect(usage.completion_tokens).toBe(Math.ceil(first.choices[0]!.message.content!.length / 4));
    expect(usage.total_tokens).toBe(usage.prompt_tokens + usage.completion_tokens);
    expect(first._request_id).toMatch(/^req_/);
  });

  it("reports scripted cached and reasoning tokens inside the totals", async () => {
    provider.script({ usage: { cacheReadTokens: 100, reasoningTokens: 20 } });
    const completion = await client.chat.completions.create({
      model: "o3-mini",
      messages: [{ role: "user", content: "hi" }],
    });
    const usage = completion.usage!;
    expect(usage.prompt_tokens_details!.cached_tokens).toBe(100);
    expect(usage.prompt_tokens).toBeGreaterThanOrEqual(100);
    expect(usage.completion_tokens_details!.reasoning_tokens).toBe(20);
    expect(usage.completion_tokens).toBeGreaterThanOrEqual(20);
  });

  it("returns n choices and truncates to max_completion_tokens with finish_reason length", async () => {
    const completion = await client.chat.completions.create({
      model: "gpt-4o-mini",
      n: 2,
      max_completion_tokens: 2,
      messages: [{ role: "user", content: "Tell me a long story about dragons" }],
    });
    expect(completion.choices).toHaveLength(2);
    expect(completion.choices[1]!.index).toBe(1);
    expect(completion.choices[0]!.finish_reason).toBe("length");
    expect(completion.choices[0]!.message.content).toHaveLength(8);
  });

  it("streams content deltas, then [DONE]; no usage chunk unless asked", async () => {
    const stream = await client.chat.completions.create({
      model: "gpt-4o-mini",
      stream: true,
      messages: [{ role: "user", content: "Stream please" }],
    });
    let text = "";
    const chunks = [];
    for await (const chunk of stream) {
      chunks.push(chunk);
      text += chunk.choices[0]?.delta.content ?? "";
    }
    expect(text).toBe('Mock answer to "Stream please".');
    expect(chunks.length).toBeGreaterThan(3);
    expect(chunks.every((chunk) => chunk.choices.length === 1 && chunk.usage === undefined)).toBe(true);
    expect(chunks[chunks.length - 1]!.choices[0]!.finish_reason).toBe("stop");
  });

  it("streams a final usage chunk with empty choices when include_usage is set", async () => {
    provider.script({ usage: { cacheReadTokens: 4 } });
    const stream = await client.chat.completions.create({
      model: "gpt-4o-mini",
      stream: true,
      stream_options: { include_usage: true },
      messages: [{ role: "user", content: "Count me" }],
    });
    const chunks = [];
    for await (const chunk of stream) chunks.push(chunk);
    const last = chunks[chunks.length - 1]!;
    expect(last.choices).toEqual([]);
    expect(last.usage!.prompt_tokens_details!.cached_tokens).toBe(4);
    expect(last.usage!.completion_tokens).toBe(Math.ceil('Mock answer to "Count me".'.length / 4));
    expect(chunks.slice(0, -1).every((chunk) => chunk.usage === null)).toBe(true);
  });

  it("makes scripted tool calls, plain and streamed", async () => {
    provider.script({ toolCalls: [{ name: "get_weather", arguments: { city: "Paris" }, id: "call_1" }] });
    const completion = await client.chat.completions.create({
      model: "gpt-4o-mini",
      messages: [{ role: "user", content: "Weather?" }],
    });
    const choice = completion.choices[0]!;
    expect(choice.finish_reason).toBe("tool_calls");
    expect(choice.message.content).toBeNull();
    expect(choice.message.tool_calls).toEqual([
      { id: "call_1", type: "function", function: { name: "get_weather", arguments: '{"city":"Paris"}' } },
    ]);

    provider.script({ toolCalls: [{ name: "get_weather", arguments: { city: "Rome" } }] });
    const stream = await client.chat.completions.create({
      model: "gpt-4o-mini",
      stream: true,
      messages: [{ role: "user", content: "Weather?" }],
    });
    let name = "";
    let args = "";
    let finish: string | null = null;
    for await (const chunk of stream) {
      const call = chunk.choices[0]?.delta.tool_calls?.[0];
      name += call?.function?.name ?? "";
      args += call?.function?.arguments ?? "";
      finish = chunk.choices[0]?.finish_reason ?? finish;
    }
    expect(name).toBe("get_weather");
    expect(JSON.parse(args)).toEqual({ city: "Rome" });
    expect(finish).toBe("tool_calls");
  });

  it("calls a tool on its own when the user names it, then answers the tool result", async () => {
    const tools: OpenAI.Chat.ChatCompletionTool[] = [
      {
        type: "function",
        function: {
          name: "search_docs",
          parameters: { type: "object", properties: { query: { type: "string" }, limit: { type: "integer" } }, required: ["query"] },
        },
      },
    ];
    const first = await client.chat.completions.create({
      model: "gpt-4o-mini",
      tools,
      messages: [{ role: "user", content: "Use search_docs for pricing" }],
    });
    const call = first.choices[0]!.message.tool_calls![0]!;
    expect(call.type === "function" && call.function.name).toBe("search_docs");
    expect(call.type === "function" && JSON.parse(call.function.arguments)).toEqual({ query: "Use search_docs for pricing" });

    const second = await client.chat.completions.create({
      model: "gpt-4o-mini",
      tools,
      messages: [
        { role: "user", content: "Use search_docs for pricing" },
        first.choices[0]!.message,
        { role: "tool", tool_call_id: call.id, content: "42 results" },
      ],
    });
    expect(second.choices[0]!.message.content).toBe("The tool returned 42 results.");
    expect(second.choices[0]!.message.tool_calls).toBeUndefined();

    const none = await client.chat.completions.create({
      model: "gpt-4o-mini",
      tools,
      tool_choice: "none",
      messages: [{ role: "user", content: "Use search_docs for pricing" }],
    });
    expect(none.choices[0]!.message.tool_calls).toBeUndefined();
  });

  it("answers 400 for a missing required field", async () => {
    await expect(client.chat.completions.create({ model: "gpt-4o-mini" } as never)).rejects.toMatchObject({
      status: 400,
      error: { param: "messages" },
    });
  });
});

describe("errors", () => {
  it.each([
    [400, OpenAI.BadRequestError, "invalid_request_error"],
    [401, OpenAI.AuthenticationError, "invalid_request_error"],
    [429, OpenAI.RateLimitError, "requests"],
    [500, OpenAI.InternalServerError, "server_error"],
  ])("answers a scripted %i with the OpenAI error body", async (status, errorClass, type) => {
    provider.script({ status, message: `scripted ${status}` });
    const error = await client.chat.completions
      .create({ model: "gpt-4o-mini", messages: [{ role: "user", content: "hi" }] })
      .then(
        () => undefined,
        (caught: unknown) => caught,
      );
    expect(error).toBeInstanceOf(errorClass);
    const apiError = error as InstanceType<typeof OpenAI.APIError>;
    expect(apiError.status).toBe(status);
    expect(apiError.error).toMatchObject({ message: `scripted ${status}`, type, param: null });
    expect(apiError.requestID).toMatch(/^req_/);
    if (status === 429) expect(apiError.headers?.get("retry-after")).toBe("1");
  });

  it("lets scripted headers override the defaults", async () => {
    provider.script({ status: 429, headers: { "retry-after": "7" } });
    const error = (await client.embeddings.create({ model: "text-embedding-3-small", input: "x" }).catch((e: unknown) => e)) as
      | InstanceType<typeof OpenAI.APIError>
      | undefined;
    expect(error?.headers?.get("retry-after")).toBe("7");
  });

  it("drops the connection for destroy: the client sees a connection error", async () => {
    provider.script({ destroy: true });
    await expect(
      client.chat.completions.create({ model: "gpt-4o-mini", messages: [{ role: "user", content: "hi" }] }),
    ).rejects.toBeInstanceOf(OpenAI.APIConnectionError);
  });

  it("drops a stream midway for destroyAfterEvents", async () => {
    provider.script({ destroyAfterEvents: 2 });
    const stream = await client.chat.completions.create({
      model: "gpt-4o-mini",
      stream: true,
      messages: [{ role: "user", content: "a long enough prompt to stream in many pieces" }],
    });
    const seen: unknown[] = [];
    const consume = async () => {
      for await (const chunk of stream) seen.push(chunk);
    };
    await expect(consume()).rejects.toThrow();
    expect(seen).toHaveLength(2);
  });

  it("delays the answer by the scripted latency", async () => {
    provider.script({ latencyMs: 150 });
    const started = performance.now();
    await client.chat.completions.create({ model: "gpt-4o-mini", messages: [{ role: "user", content: "hi" }] });
    expect(performance.now() - started).toBeGreaterThanOrEqual(140);
  });

  it("answers 404 with a JSON body for unknown routes", async () => {
    const response = await fetch(`${provider.url}/v1/unknown`, { method: "POST", body: "{}" });
    expect(response.status).toBe(404);
    expect(await response.json()).toMatchObject({ error: { type: "not_found" } });
  });
});

describe("scripting and recording", () => {
  it("consumes scripted answers in order, only by requests whose path matches", async () => {
    provider.script({ path: "/embeddings", status: 500 }, { text: "first" }, { text: "second" });
    const one = await client.chat.completions.create({ model: "m", messages: [{ role: "user", content: "a" }] });
    const two = await client.chat.completions.create({ model: "m", messages: [{ role: "user", content: "b" }] });
    const three = await client.chat.completions.create({ model: "m", messages: [{ role: "user", content: "c" }] });
    expect([one, two, three].map((c) => c.choices[0]!.message.content)).toEqual(["first", "second", 'Mock answer to "c".']);
    await expect(client.embeddings.create({ model: "e", input: "x" })).rejects.toMatchObject({ status: 500 });
  });

  it("records method, path, headers and parsed body of each request", async () => {
    await client.chat.completions.create({ model: "gpt-4o-mini", temperature: 0, messages: [{ role: "user", content: "hi" }] });
    expect(provider.requests).toHaveLength(1);
    const [request] = provider.requests;
    expect(request).toMatchObject({ method: "POST", path: "/v1/chat/completions" });
    expect(request!.headers.authorization).toBe("Bearer test-key");
    expect(request!.body).toMatchObject({ model: "gpt-4o-mini", temperature: 0 });
    provider.reset();
    expect(provider.requests).toHaveLength(0);
  });
});

describe("completions", () => {
  it("answers plain and streamed, with usage on request", async () => {
    const completion = await client.completions.create({ model: "gpt-3.5-turbo-instruct", prompt: "Say hi" });
    expect(completion.object).toBe("text_completion");
    expect(completion.model).toBe("gpt-3.5-turbo-instruct");
    expect(completion.choices[0]!.text).toBe('Mock answer to "Say hi".');
    expect(completion.usage).toEqual({ prompt_tokens: 2, completion_tokens: 6, total_tokens: 8 });

    const stream = await client.completions.create({
      model: "gpt-3.5-turbo-instruct",
      prompt: "Say hi",
      stream: true,
      stream_options: { include_usage: true },
    });
    let text = "";
    let usage;
    for await (const chunk of stream) {
      text += chunk.choices[0]?.text ?? "";
      if (chunk.usage) usage = chunk.usage;
    }
    expect(text).toBe(completion.choices[0]!.text);
    expect(usage).toEqual(completion.usage);
  });
});

describe("embeddings", () => {
  it("answers floats, and base64 that the client decodes to the same vector", async () => {
    const floats = await client.embeddings.create({
      model: "text-embedding-3-small",
      input: ["alpha", "beta"],
      encoding_format: "float",
    });
    expect(floats.data).toHaveLength(2);
    expect(floats.data[0]!.embedding).toHaveLength(8);
    expect(floats.usage).toEqual({ prompt_tokens: 3, total_tokens: 3 });
    // the client asks for base64 by default and decodes it
    const decoded = await client.embeddings.create({ model: "text-embedding-3-small", input: ["alpha", "beta"] });
    expect(provider.requests[1]!.body.encoding_format).toBe("base64");
    expect(Array.from(decoded.data[1]!.embedding)).toEqual(floats.data[1]!.embedding);
    const sized = await client.embeddings.create({ model: "m", input: "alpha", dimensions: 3, encoding_format: "float" });
    expect(sized.data[0]!.embedding).toHaveLength(3);
  });
});

describe("responses", () => {
  it("answers a plain response with output_text and usage", async () => {
    provider.script({ usage: { cacheReadTokens: 10, reasoningTokens: 3 } });
    const response = await client.responses.create({ model: "gpt-4.1", instructions: "Be brief.", input: "Hello there" });
    expect(response.object).toBe("response");
    expect(response.status).toBe("completed");
    expect(response.model).toBe("gpt-4.1");
    expect(response.output_text).toBe('Mock answer to "Hello there".');
    expect(response.usage).toMatchObject({
      input_tokens_details: { cached_tokens: 10 },
      output_tokens_details: { reasoning_tokens: 3 },
    });
    expect(response.usage!.input_tokens).toBeGreaterThanOrEqual(10);
    expect(response.usage!.total_tokens).toBe(response.usage!.input_tokens + response.usage!.output_tokens);
  });

  it("streams the real event sequence, ending with response.completed carrying usage", async () => {
    const stream = await client.responses.create({
      model: "gpt-4.1",
      input: [{ role: "user", content: [{ type: "input_text", text: "Stream it" }] }],
      stream: true,
    });
    const types: string[] = [];
    let text = "";
    let completed;
    for await (const event of stream) {
      types.push(event.type);
      if (event.type === "response.output_text.delta") text += event.delta;
      if (event.type === "response.completed") completed = event.response;
    }
    expect(types.slice(0, 4)).toEqual([
      "response.created",
      "response.in_progress",
      "response.output_item.added",
      "response.content_part.added",
    ]);
    expect(types.slice(-4)).toEqual([
      "response.output_text.done",
      "response.content_part.done",
      "response.output_item.done",
      "response.completed",
    ]);
    expect(text).toBe('Mock answer to "Stream it".');
    expect(completed!.usage!.output_tokens).toBe(Math.ceil(text.length / 4));
  });

  it("makes function calls and answers their output", async () => {
    provider.script({ toolCalls: [{ name: "lookup", arguments: { id: 7 }, id: "call_9" }] });
    const response = await client.responses.create({
      model: "gpt-4.1",
      input: "Look it up",
      tools: [{ type: "function", name: "lookup", parameters: {}, strict: false }],
    });
    expect(response.output[0]).toMatchObject({ type: "function_call", call_id: "call_9", name: "lookup", arguments: '{"id":7}' });

    const stream = await client.responses.create({
      model: "gpt-4.1",
      stream: true,
      input: [
        { role: "user", content: "Look it up" },
        { type: "function_call", call_id: "call_9", name: "lookup", arguments: '{"id":7}' },
        { type: "function_call_output", call_id: "call_9", output: "found it" },
      ],
    });
    let final;
    for await (const event of stream) if (event.type === "response.completed") final = event.response;
    expect(final!.output_text ?? (final!.output[0] as { content: Array<{ text: string }> }).content[0]!.text).toBe(
      "The tool returned found it.",
    );
  });

  it("after a tool result, calls the next tool the user named that was not called yet, then answers", async () => {
    const tools = [
      { type: "function" as const, name: "get_weather", parameters: { type: "object", properties: { city: { type: "string" } } }, strict: false },
      { type: "function" as const, name: "transfer_to_booking", parameters: {}, strict: false },
    ];
    const ask = "get_weather, then transfer_to_booking";
    const first = await client.responses.create({ model: "gpt-4o", input: ask, tools });
    expect(first.output[0]).toMatchObject({ type: "function_call", name: "get_weather" });
    const call = first.output[0] as { call_id: string; name: string; arguments: string };
    const turn = [
      { role: "user" as const, content: ask },
      { type: "function_call" as const, call_id: call.call_id, name: call.name, arguments: call.arguments },
      { type: "function_call_output" as const, call_id: call.call_id, output: "Sunny" },
    ];
    const second = await client.responses.create({ model: "gpt-4o", input: turn, tools });
    expect(second.output[0]).toMatchObject({ type: "function_call", name: "transfer_to_booking" });
    const handoff = second.output[0] as { call_id: string; name: string; arguments: string };
    const third = await client.responses.create({
      model: "gpt-4o",
      input: [...turn, { type: "function_call", call_id: handoff.call_id, name: handoff.name, arguments: handoff.arguments }, { type: "function_call_output", call_id: handoff.call_id, output: "{}" }],
      tools,
    });
    expect(third.output_text).toBe("The tool returned {}.");
  });
});
