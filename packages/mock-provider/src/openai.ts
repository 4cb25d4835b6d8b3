import { delay, nextId, sendJson, SseWriter } from "./http";
import {
  answerTo,
  answerToToolResult,
  argumentsForSchema,
  countTokens,
  embeddingOf,
  resolveUsage,
  splitDeltas,
  truncateToTokens,
} from "./text";
import type { HandlerContext, MockUsage, RouteHandler, ScriptedResponse } from "./types";

/**
 * The OpenAI wire format: `/v1/chat/completions`, `/v1/completions`, `/v1/embeddings` and
 * `/v1/responses`, plain and streamed (server-sent events), with OpenAI's error bodies.
 *
 * Tool calls happen when scripted, or on their own when the request offers tools, its
 * `tool_choice` is not `"none"`, the last message comes from the user, and either `tool_choice`
 * forces a tool (`"required"` → the first one, or a named function) or the user's text contains a
 * tool's name. Arguments then follow the tool's JSON schema (strings get the prompt, numbers 1).
 * After a tool result the answer is `The tool returned <result>.`
 */

const DEFAULT_EMBEDDING_DIMENSIONS = 8;
/** Tokens the API counts per chat message on top of its content. */
const MESSAGE_OVERHEAD_TOKENS = 3;

interface ToolCall {
  id: string;
  name: string;
  arguments: string;
}

interface Conversation {
  /** Text of the last user message (the "prompt"). */
  prompt: string;
  /** Output of the last tool result when the conversation ends with one. */
  toolResult: string | undefined;
  /** Whether the last message is the user's. */
  endsWithUser: boolean;
  /** Input tokens of the whole request. */
  inputTokens: number;
  /** Names of the tools the conversation has called so far. */
  calledTools: string[];
}

interface ToolDefinition {
  name: string;
  parameters: unknown;
}

interface Answer {
  text: string;
  toolCalls: ToolCall[];
  truncated: boolean;
  usage: MockUsage;
}

export const openaiRoutes: RouteHandler = async (path, context) => {
  if (context.request.method !== "POST") return false;
  switch (path) {
    case "/v1/chat/completions":
      await chatCompletions(context);
      return true;
    case "/v1/completions":
      await completions(context);
      return true;
    case "/v1/embeddings":
      await embeddings(context);
      return true;
    case "/v1/responses":
      await responses(context);
      return true;
    default:
      return false;
  }
};

// ---------------------------------------------------------------------------------------------
// Errors
// ---------------------------------------------------------------------------------------------

function errorFields(status: number): { type: string; code: string | null; message: string } {
  if (status === 401) {
    return { type: "invalid_request_error", code: "invalid_api_key", message: "Incorrect API key provided." };
  }
  if (status === 403) return { type: "invalid_request_error", code: "unsupported_country_region_territory", message: "Forbidden." };
  if (status === 404) return { type: "invalid_request_error", code: "model_not_found", message: "The model does not exist." };
  if (status === 429) {
    return { type: "requests", code: "rate_limit_exceeded", message: "Rate limit reached for requests." };
  }
  if (status >= 500) {
    return { type: "server_error", code: null, message: "The server had an error while processing your request." };
  }
  return { type: "invalid_request_error", code: null, message: "Invalid request." };
}

/** Answers with OpenAI's error body: `{ error: { message, type, param, code } }`. */
function sendError(context: HandlerContext, status: number, message?: string, param: string | null = null): void {
  const fields = errorFields(status);
  const headers: Record<string, string> = { "x-request-id": `req_${nextId()}` };
  if (status === 429) headers["retry-after"] = "1";
  sendJson(
    context.response,
    status,
    { error: { message: message ?? fields.message, type: fields.type, param, code: fields.code } },
    headers,
    context.scripted,
  );
}

/** Sends the scripted error, if any; true when it did. */
async function scriptedError(context: HandlerContext): Promise<boolean> {
  const scripted = context.scripted;
  if (!scripted || scripted.status === undefined || scripted.status < 400) return false;
  await delay(scripted.latencyMs ?? 0);
  sendError(context, scripted.status, scripted.message);
  return true;
}

/** Checks the fields every endpoint requires; answers 400 and returns false when one is missing. */
function validate(context: HandlerContext, required: string[]): boolean {
  const body = context.body;
  if (!body || typeof body !== "object") {
    sendError(context, 400, "We could not parse the JSON body of your request.");
    return false;
  }
  for (const field of required) {
    if (body[field] === undefined || body[field] === null) {
      sendError(context, 400, `Missing required parameter: '${field}'.`, field);
      return false;
    }
  }
  return true;
}

function successHeaders(): Record<string, string> {
  return { "x-request-id": `req_${nextId()}`, "openai-processing-ms": "1" };
}

// ---------------------------------------------------------------------------------------------
// Reading requests
// ---------------------------------------------------------------------------------------------

/** Text of a message content: a string or an array of `{ type: "text" | "input_text" | "output_text", text }`. */
function contentText(content: unknown): string {
  if (typeof content === "string") return content;
  if (!Array.isArray(content)) return "";
  let text = "";
  for (const part of content) {
    if (part && typeof part === "object" && typeof part.text === "string") text += (text ? "\n" : "") + part.text;
  }
  return text;
}

function readChatConversation(messages: any[]): Conversation {
  let prompt = "";
  let inputTokens = 0;
  const calledTools: string[] = [];
  for (const message of messages) {
    const text = contentText(message?.content);
    inputTokens += countTokens(text) + MESSAGE_OVERHEAD_TOKENS;
    if (message?.role === "user") prompt = text;
    if (Array.isArray(message?.tool_calls)) {
      for (const call of message.tool_calls) if (typeof call?.function?.name === "string") calledTools.push(call.function.name);
    }
  }
  const last = messages[messages.length - 1];
  return {
    prompt,
    toolResult: last?.role === "tool" ? contentText(last.content) : undefined,
    endsWithUser: last?.role === "user",
    inputTokens,
    calledTools,
  };
}

function readResponsesConversation(body: any): Conversation {
  let inputTokens = typeof body.instructions === "string" ? countTokens(body.instructions) : 0;
  if (typeof body.input === "string") {
    return { prompt: body.input, toolResult: undefined, endsWithUser: true, inputTokens: inputTokens + countTokens(body.input), calledTools: [] };
  }
  const items: any[] = Array.isArray(body.input) ? body.input : [];
  let prompt = "";
  const calledTools: string[] = [];
  for (const item of items) {
    if (item?.type === "function_call_output") {
      inputTokens += countTokens(typeof item.output === "string" ? item.output : JSON.stringify(item.output ?? ""));
      continue;
    }
    if (item?.type === "function_call") {
      inputTokens += countTokens(String(item.arguments ?? ""));
      if (typeof item.name === "string") calledTools.push(item.name);
      continue;
    }
    const text = contentText(item?.content);
    inputTokens += countTokens(text) + MESSAGE_OVERHEAD_TOKENS;
    if (item?.role === "user") prompt = text;
  }
  const last = items[items.length - 1];
  return {
    prompt,
    toolResult:
      last?.type === "function_call_output"
        ? typeof last.output === "string"
          ? last.output
          : JSON.stringify(last.output)
        : undefined,
    endsWithUser: last?.role === "user",
    inputTokens,
    calledTools,
  };
}

/** Chat tools are `{ type: "function", function: { name, parameters } }`; Responses tools are flat. */
function toolDefinitions(tools: unknown): ToolDefinition[] {
  if (!Array.isArray(tools)) return [];
  const result: ToolDefinition[] = [];
  for (const tool of tools) {
    const fn = tool?.function ?? tool;
    if (fn && typeof fn.name === "string") result.push({ name: fn.name, parameters: fn.parameters });
  }
  return result;
}

function forcedToolName(toolChoice: any): string | undefined {
  if (toolChoice && typeof toolChoice === "object") return toolChoice.function?.name ?? toolChoice.name;
  return undefined;
}

function decideToolCalls(body: any, conversation: Conversation, scripted: ScriptedResponse | undefined): ToolCall[] {
  if (scripted?.toolCalls) {
    return scripted.toolCalls.map((call, index) => ({
      id: call.id ?? `call_${nextId()}${index}`,
      name: call.name,
      arguments: JSON.stringify(call.arguments ?? {}),
    }));
  }
  if (scripted?.text !== undefined) return [];
  const tools = toolDefinitions(body.tools);
  if (tools.length === 0 || body.tool_choice === "none") return [];
  let chosen: ToolDefinition | undefined;
  if (!conversation.endsWithUser) {
    // After a tool result, the next tool the user's text names that was not called yet: so that
    // an agent can chain calls (a tool, then a handoff) without a script.
    if (conversation.toolResult === undefined) return [];
    chosen = tools.find((tool) => conversation.prompt.includes(tool.name) && !conversation.calledTools.includes(tool.name));
    return chosen ? [generatedCall(chosen, conversation)] : [];
  }
  const forced = forcedToolName(body.tool_choice);
  if (forced) chosen = tools.find((tool) => tool.name === forced);
  else if (body.tool_choice === "required") chosen = tools[0];
  else chosen = tools.find((tool) => conversation.prompt.includes(tool.name));
  if (!chosen) return [];
  return [generatedCall(chosen, conversation)];
}

function generatedCall(tool: ToolDefinition, conversation: Conversation): ToolCall {
  return {
    id: `call_${nextId()}`,
    name: tool.name,
    arguments: JSON.stringify(argumentsForSchema(tool.parameters, conversation.prompt)),
  };
}

function answer(
  body: any,
  conversation: Conversation,
  scripted: ScriptedResponse | undefined,
  maxTokens: number | undefined,
  choices: number,
): Answer {
  const toolCalls = decideToolCalls(body, conversation, scripted);
  let text = "";
  let truncated = false;
  if (toolCalls.length === 0) {
    const schema = structuredOutputSchema(body);
    const full =
      scripted?.text ??
      (schema !== undefined
        ? JSON.stringify(argumentsForSchema(schema, conversation.prompt))
        : conversation.toolResult !== undefined
          ? answerToToolResult(conversation.toolResult)
          : answerTo(conversation.prompt));
    ({ text, truncated } = truncateToTokens(full, maxTokens));
  }
  let outputTokens = countTokens(text);
  for (const call of toolCalls) outputTokens += countTokens(call.name) + countTokens(call.arguments);
  return {
    text,
    toolCalls,
    truncated,
    usage: resolveUsage(scripted, conversation.inputTokens, outputTokens * choices),
  };
}

/**
 * The JSON schema a request asks the answer to follow (structured outputs: chat's
 * `response_format`, the Responses API's `text.format`), so that clients that parse the answer
 * (`generateObject`, `zodResponseFormat`) get an object of that shape.
 */
function structuredOutputSchema(body: any): unknown {
  const format = body.response_format?.type === "json_schema" ? body.response_format.json_schema : body.text?.format;
  if (format?.type !== undefined && format.type !== "json_schema") return undefined;
  return format?.schema ?? undefined;
}

function choiceCount(body: any): number {
  return typeof body.n === "number" && body.n > 1 ? Math.min(Math.floor(body.n), 16) : 1;
}

function wantsStreamUsage(body: any): boolean {
  return body.stream_options?.include_usage === true;
}

function nowSeconds(): number {
  return Math.floor(Date.now() / 1000);
}

// ---------------------------------------------------------------------------------------------
// POST /v1/chat/completions
// ---------------------------------------------------------------------------------------------

function chatUsage(usage: MockUsage): Record<string, unknown> {
  return {
    prompt_tokens: usage.inputTokens,
    completion_tokens: usage.outputTokens,
    total_tokens: usage.inputTokens + usage.outputTokens,
    prompt_tokens_details: { cached_tokens: usage.cacheReadTokens, audio_tokens: 0 },
    completion_tokens_details: {
      reasoning_tokens: usage.reasoningTokens,
      audio_tokens: 0,
      accepted_prediction_tokens: 0,
      rejected_prediction_tokens: 0,
    },
  };
}

function chatFinishReason(result: Answer): string {
  if (result.toolCalls.length > 0) return "tool_calls";
  return result.truncated ? "length" : "stop";
}

async function chatCompletions(context: HandlerContext): Promise<void> {
  if (await scriptedError(context)) return;
  if (!validate(context, ["model", "messages"])) return;
  const body = context.body;
  if (!Array.isArray(body.messages)) {
    sendError(context, 400, "Invalid type for 'messages': expected an array.", "messages");
    return;
  }
  const choices = choiceCount(body);
  const result = answer(
    body,
    readChatConversation(body.messages),
    context.scripted,
    body.max_completion_tokens ?? body.max_tokens,
    choices,
  );
  const id = `chatcmpl-${nextId()}`;
  const created = nowSeconds();
  const finishReason = chatFinishReason(result);

  if (body.stream === true) {
    await streamChat(context, id, created, body.model, result, finishReason, choices);
    return;
  }

  await delay(context.scripted?.latencyMs ?? 0);
  const toolCalls = result.toolCalls.map((call) => ({
    id: call.id,
    type: "function",
    function: { name: call.name, arguments: call.arguments },
  }));
  const choiceList = [];
  for (let index = 0; index < choices; index += 1) {
    choiceList.push({
      index,
      message: {
        role: "assistant",
        content: toolCalls.length > 0 ? null : result.text,
        refusal: null,
        annotations: [],
        ...(toolCalls.length > 0 ? { tool_calls: toolCalls } : {}),
      },
      logprobs: null,
      finish_reason: finishReason,
    });
  }
  sendJson(
    context.response,
    context.scripted?.status ?? 200,
    {
      id,
      object: "chat.completion",
      created,
      model: body.model,
      choices: choiceList,
      usage: chatUsage(result.usage),
      service_tier: "default",
      system_fingerprint: "fp_mock",
    },
    successHeaders(),
    context.scripted,
  );
}

async function streamChat(
  context: HandlerContext,
  id: string,
  created: number,
  model: string,
  result: Answer,
  finishReason: string,
  choices: number,
): Promise<void> {
  const includeUsage = wantsStreamUsage(context.body);
  const writer = new SseWriter(context, successHeaders());
  const chunk = (choiceList: unknown[]) => ({
    id,
    object: "chat.completion.chunk",
    created,
    model,
    service_tier: "default",
    system_fingerprint: "fp_mock",
    choices: choiceList,
    ...(includeUsage ? { usage: null } : {}),
  });
  const deltaChoices = (delta: Record<string, unknown>, finish: string | null = null) => {
    const list = [];
    for (let index = 0; index < choices; index += 1) {
      list.push({ index, delta, logprobs: null, finish_reason: finish });
    }
    return list;
  };

  await writer.send(chunk(deltaChoices({ role: "assistant", content: "", refusal: null })));
  if (result.toolCalls.length > 0) {
    for (let callIndex = 0; callIndex < result.toolCalls.length; callIndex += 1) {
      const call = result.toolCalls[callIndex]!;
      await writer.send(
        chunk(
          deltaChoices({
            tool_calls: [{ index: callIndex, id: call.id, type: "function", function: { name: call.name, arguments: "" } }],
          }),
        ),
      );
      for (const piece of splitArguments(call.arguments)) {
        await writer.send(chunk(deltaChoices({ tool_calls: [{ index: callIndex, function: { arguments: piece } }] })));
      }
    }
  } else {
    for (const piece of splitDeltas(result.text)) {
      await writer.send(chunk(deltaChoices({ content: piece })));
    }
  }
  await writer.send(chunk(deltaChoices({}, finishReason)));
  if (includeUsage) {
    await writer.send({ ...chunk([]), usage: chatUsage(result.usage) });
  }
  await writer.send("[DONE]");
  writer.end();
}

/** Streams JSON arguments in a few pieces, as the API does. */
function splitArguments(text: string): string[] {
  const pieces: string[] = [];
  for (let start = 0; start < text.length; start += 8) pieces.push(text.slice(start, start + 8));
  return pieces;
}

// ---------------------------------------------------------------------------------------------
// POST /v1/completions
// ---------------------------------------------------------------------------------------------

function promptText(prompt: unknown): string {
  if (typeof prompt === "string") return prompt;
  if (Array.isArray(prompt)) return prompt.map((item) => (Array.isArray(item) ? item.join(" ") : String(item))).join("\n");
  return "";
}

function completionUsage(usage: MockUsage): Record<string, unknown> {
  return {
    prompt_tokens: usage.inputTokens,
    completion_tokens: usage.outputTokens,
    total_tokens: usage.inputTokens + usage.outputTokens,
  };
}

async function completions(context: HandlerContext): Promise<void> {
  if (await scriptedError(context)) return;
  if (!validate(context, ["model", "prompt"])) return;
  const body = context.body;
  const prompt = promptText(body.prompt);
  const choices = choiceCount(body);
  const conversation: Conversation = { prompt, toolResult: undefined, endsWithUser: false, inputTokens: countTokens(prompt), calledTools: [] };
  const result = answer({}, conversation, context.scripted, body.max_tokens, choices);
  const finishReason = result.truncated ? "length" : "stop";
  const id = `cmpl-${nextId()}`;
  const created = nowSeconds();
  const base = { id, object: "text_completion", created, model: body.model, system_fingerprint: "fp_mock" };
  const choiceList = (text: string, finish: string | null) => {
    const list = [];
    for (let index = 0; index < choices; index += 1) list.push({ text, index, logprobs: null, finish_reason: finish });
    return list;
  };

  if (body.stream === true) {
    const includeUsage = wantsStreamUsage(body);
    const writer = new SseWriter(context, successHeaders());
    for (const piece of splitDeltas(result.text)) {
      await writer.send({ ...base, choices: choiceList(piece, null) });
    }
    await writer.send({ ...base, choices: choiceList("", finishReason) });
    if (includeUsage) await writer.send({ ...base, choices: [], usage: completionUsage(result.usage) });
    await writer.send("[DONE]");
    writer.end();
    return;
  }

  await delay(context.scripted?.latencyMs ?? 0);
  sendJson(
    context.response,
    context.scripted?.status ?? 200,
    { ...base, choices: choiceList(result.text, finishReason), usage: completionUsage(result.usage) },
    successHeaders(),
    context.scripted,
  );
}

// ---------------------------------------------------------------------------------------------
// POST /v1/embeddings
// ---------------------------------------------------------------------------------------------

function embeddingInputs(input: unknown): string[] {
  if (typeof input === "string") return [input];
  if (!Array.isArray(input)) return [];
  if (input.length > 0 && typeof input[0] === "number") return [input.join(" ")];
  return input.map((item) => (Array.isArray(item) ? item.join(" ") : String(item)));
}

function toBase64(vector: number[]): string {
  const floats = Float32Array.from(vector);
  return Buffer.from(floats.buffer, floats.byteOffset, floats.byteLength).toString("base64");
}

async function embeddings(context: HandlerContext): Promise<void> {
  if (await scriptedError(context)) return;
  if (!validate(context, ["model", "input"])) return;
  const body = context.body;
  const inputs = embeddingInputs(body.input);
  const dimensions =
    typeof body.dimensions === "number" && body.dimensions > 0 ? Math.min(Math.floor(body.dimensions), 4096) : DEFAULT_EMBEDDING_DIMENSIONS;
  const base64 = body.encoding_format === "base64";
  let counted = 0;
  const data = inputs.map((text, index) => {
    counted += countTokens(text);
    const vector = embeddingOf(text, dimensions);
    return { object: "embedding", index, embedding: base64 ? toBase64(vector) : vector };
  });
  const usage = resolveUsage(context.scripted, counted, 0);
  await delay(context.scripted?.latencyMs ?? 0);
  sendJson(
    context.response,
    context.scripted?.status ?? 200,
    {
      object: "list",
      data,
      model: body.model,
      usage: { prompt_tokens: usage.inputTokens, total_tokens: usage.inputTokens },
    },
    successHeaders(),
    context.scripted,
  );
}

// ---------------------------------------------------------------------------------------------
// POST /v1/responses
// ---------------------------------------------------------------------------------------------

function responsesUsage(usage: MockUsage): Record<string, unknown> {
  return {
    input_tokens: usage.inputTokens,
    input_tokens_details: { cached_tokens: usage.cacheReadTokens },
    output_tokens: usage.outputTokens,
    output_tokens_details: { reasoning_tokens: usage.reasoningTokens },
    total_tokens: usage.inputTokens + usage.outputTokens,
  };
}

function messageItem(id: string, text: string, status: string): Record<string, unknown> {
  return {
    id,
    type: "message",
    status,
    role: "assistant",
    content: status === "in_progress" ? [] : [outputTextPart(text)],
  };
}

function outputTextPart(text: string): Record<string, unknown> {
  return { type: "output_text", text, annotations: [], logprobs: [] };
}

function functionCallItem(id: string, call: ToolCall, status: string): Record<string, unknown> {
  return {
    id,
    type: "function_call",
    status,
    call_id: call.id,
    name: call.name,
    arguments: status === "in_progress" ? "" : call.arguments,
  };
}

async function responses(context: HandlerContext): Promise<void> {
  if (await scriptedError(context)) return;
  if (!validate(context, ["model"])) return;
  const body = context.body;
  const result = answer(body, readResponsesConversation(body), context.scripted, body.max_output_tokens, 1);
  const id = `resp_${nextId()}`;
  const status = result.truncated ? "incomplete" : "completed";
  const itemIds = result.toolCalls.length > 0 ? result.toolCalls.map(() => `fc_${nextId()}`) : [`msg_${nextId()}`];
  const output =
    result.toolCalls.length > 0
      ? result.toolCalls.map((call, index) => functionCallItem(itemIds[index]!, call, "completed"))
      : [messageItem(itemIds[0]!, result.text, status)];
  const response = (state: string, items: unknown[], usage: unknown) => ({
    id,
    object: "response",
    created_at: nowSeconds(),
    status: state,
    background: false,
    error: null,
    incomplete_details: state === "incomplete" ? { reason: "max_output_tokens" } : null,
    instructions: body.instructions ?? null,
    max_output_tokens: body.max_output_tokens ?? null,
    model: body.model,
    output: items,
    parallel_tool_calls: body.parallel_tool_calls ?? true,
    previous_response_id: body.previous_response_id ?? null,
    reasoning: { effort: body.reasoning?.effort ?? null, summary: null },
    store: body.store ?? true,
    temperature: body.temperature ?? 1,
    text: body.text ?? { format: { type: "text" } },
    tool_choice: body.tool_choice ?? "auto",
    tools: body.tools ?? [],
    top_p: body.top_p ?? 1,
    truncation: body.truncation ?? "disabled",
    usage,
    user: null,
    metadata: body.metadata ?? {},
  });

  if (body.stream !== true) {
    await delay(context.scripted?.latencyMs ?? 0);
    sendJson(
      context.response,
      context.scripted?.status ?? 200,
      response(status, output, responsesUsage(result.usage)),
      successHeaders(),
      context.scripted,
    );
    return;
  }

  const writer = new SseWriter(context, successHeaders());
  let sequence = 0;
  const send = (type: string, fields: Record<string, unknown>) =>
    writer.send({ type, sequence_number: sequence++, ...fields }, type);

  await send("response.created", { response: response("in_progress", [], null) });
  await send("response.in_progress", { response: response("in_progress", [], null) });
  if (result.toolCalls.length > 0) {
    for (let index = 0; index < result.toolCalls.length; index += 1) {
      const call = result.toolCalls[index]!;
      const itemId = itemIds[index]!;
      await send("response.output_item.added", { output_index: index, item: functionCallItem(itemId, call, "in_progress") });
      for (const piece of splitArguments(call.arguments)) {
        await send("response.function_call_arguments.delta", { item_id: itemId, output_index: index, delta: piece });
      }
      await send("response.function_call_arguments.done", {
        item_id: itemId,
        output_index: index,
        name: call.name,
        arguments: call.arguments,
      });
      await send("response.output_item.done", { output_index: index, item: functionCallItem(itemId, call, "completed") });
    }
  } else {
    const itemId = itemIds[0]!;
    const part = { item_id: itemId, output_index: 0, content_index: 0 };
    await send("response.output_item.added", { output_index: 0, item: messageItem(itemId, "", "in_progress") });
    await send("response.content_part.added", { ...part, part: outputTextPart("") });
    for (const piece of splitDeltas(result.text)) {
      await send("response.output_text.delta", { ...part, delta: piece, logprobs: [] });
    }
    await send("response.output_text.done", { ...part, text: result.text, logprobs: [] });
    await send("response.content_part.done", { ...part, part: outputTextPart(result.text) });
    await send("response.output_item.done", { output_index: 0, item: output[0] });
  }
  await send(status === "incomplete" ? "response.incomplete" : "response.completed", {
    response: response(status, output, responsesUsage(result.usage)),
  });
  writer.end();
}
