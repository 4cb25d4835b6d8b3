import { delay, nextId, sendJson, SseWriter } from "./http";
import {
  answerTo,
  answerToToolResult,
  argumentsForSchema,
  countTokens,
  resolveUsage,
  splitDeltas,
  truncateToTokens,
} from "./text";
import type { HandlerContext, MockUsage, RouteHandler, ScriptedResponse } from "./types";

/**
 * The Anthropic Messages wire format: `POST /v1/messages` (also reached by `beta.messages.create`,
 * which adds `?beta=true` and an `anthropic-beta` header), plain JSON or streamed as server-sent
 * events, and `POST /v1/messages/count_tokens`, with Anthropic's error bodies.
 *
 * Usage follows Anthropic's convention: `input_tokens` counts only the uncached input, beside
 * `cache_read_input_tokens` and `cache_creation_input_tokens`. A scripted {@link MockUsage} is in
 * the GenAI convention (its `inputTokens` includes cache reads and writes), so the uncached part
 * is `inputTokens - cacheReadTokens - cacheWriteTokens`.
 *
 * Tool calls (`tool_use` blocks) happen when scripted, or on their own when the request offers
 * tools, its `tool_choice` is not `none`, the last message is the user's own text, and either
 * `tool_choice` forces a tool (`any` → the first one, `tool` → the named one) or the user's text
 * contains a tool's name. Their input follows the tool's `input_schema`. After a `tool_result` the
 * answer is `The tool returned <result>.` A scripted `text` beside scripted `toolCalls` comes
 * first, as a text block.
 */

/** Tokens the API counts per message on top of its content. */
const MESSAGE_OVERHEAD_TOKENS = 3;
/** Size of the pieces a tool's JSON input is streamed in. */
const JSON_PIECE_LENGTH = 8;

interface ToolUse {
  id: string;
  name: string;
  input: Record<string, unknown>;
  /** `input` as JSON, streamed in pieces. */
  json: string;
}

interface Conversation {
  /** Text of the last user message (the "prompt"). */
  prompt: string;
  /** Content of the last tool result when the conversation ends with one. */
  toolResult: string | undefined;
  /** Whether the last message is the user's own text (not a tool result). */
  endsWithUser: boolean;
  /** Input tokens of the whole request: system, messages and tool definitions. */
  inputTokens: number;
}

interface ToolDefinition {
  name: string;
  schema: unknown;
}

interface Answer {
  text: string;
  toolUses: ToolUse[];
  stopReason: "end_turn" | "max_tokens" | "stop_sequence" | "tool_use";
  stopSequence: string | null;
  usage: MockUsage;
}

export const anthropicRoutes: RouteHandler = async (path, context) => {
  if (context.request.method !== "POST") return false;
  switch (path) {
    case "/v1/messages":
      await messages(context);
      return true;
    case "/v1/messages/count_tokens":
      await countMessageTokens(context);
      return true;
    default:
      return false;
  }
};

// ---------------------------------------------------------------------------------------------
// Errors
// ---------------------------------------------------------------------------------------------

function errorFields(status: number): { type: string; message: string } {
  switch (status) {
    case 400:
      return { type: "invalid_request_error", message: "Invalid request." };
    case 401:
      return { type: "authentication_error", message: "invalid x-api-key" };
    case 403:
      return {
        type: "permission_error",
        message: "Your API key does not have permission to use the specified resource.",
      };
    case 404:
      return { type: "not_found_error", message: "The requested resource could not be found." };
    case 413:
      return {
        type: "request_too_large",
        message: "Request exceeds the maximum allowed number of bytes.",
      };
    case 429:
      return {
        type: "rate_limit_error",
        message: "Number of request tokens has exceeded your per-minute rate limit.",
      };
    case 529:
      return { type: "overloaded_error", message: "Overloaded" };
    default:
      return status >= 500
        ? { type: "api_error", message: "Internal server error" }
        : { type: "invalid_request_error", message: "Invalid request." };
  }
}

/** Answers with Anthropic's error body: `{ type: "error", error: { type, message }, request_id }`. */
function sendError(context: HandlerContext, status: number, message?: string): void {
  const fields = errorFields(status);
  const requestId = `req_${nextId()}`;
  const headers: Record<string, string> = { "request-id": requestId };
  if (status === 429) headers["retry-after"] = "1";
  if (status === 529 || status >= 500) headers["x-should-retry"] = "true";
  sendJson(
    context.response,
    status,
    {
      type: "error",
      error: { type: fields.type, message: message ?? fields.message },
      request_id: requestId,
    },
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

/** The API refuses requests without credentials; the mock accepts any key. */
function authenticated(context: HandlerContext): boolean {
  const headers = context.request.headers;
  if (headers["x-api-key"] || headers.authorization) return true;
  sendError(context, 401, "x-api-key header is required");
  return false;
}

/** Checks the body's required fields; answers 400 and returns false when one is missing or wrong. */
function validate(context: HandlerContext, needsMaxTokens: boolean): boolean {
  const body = context.body;
  if (!body || typeof body !== "object" || Array.isArray(body)) {
    sendError(context, 400, "There was an issue with the format or content of your request.");
    return false;
  }
  if (typeof body.model !== "string" || body.model.length === 0) {
    sendError(context, 400, "model: Field required");
    return false;
  }
  if (needsMaxTokens && (typeof body.max_tokens !== "number" || !(body.max_tokens >= 1))) {
    sendError(
      context,
      400,
      body.max_tokens === undefined
        ? "max_tokens: Field required"
        : "max_tokens: must be at least 1",
    );
    return false;
  }
  if (!Array.isArray(body.messages)) {
    sendError(context, 400, "messages: Field required");
    return false;
  }
  return true;
}

function successHeaders(): Record<string, string> {
  return { "request-id": `req_${nextId()}`, "anthropic-organization-id": "mock-organization" };
}

// ---------------------------------------------------------------------------------------------
// Reading requests
// ---------------------------------------------------------------------------------------------

/** Text of a content: a string or an array of blocks, of which `text` blocks count. */
function blocksText(content: unknown): string {
  if (typeof content === "string") return content;
  if (!Array.isArray(content)) return "";
  let text = "";
  for (const block of content) {
    if (
      block &&
      typeof block === "object" &&
      block.type === "text" &&
      typeof block.text === "string"
    ) {
      text += (text ? "\n" : "") + block.text;
    }
  }
  return text;
}

/** Tokens of every block of a message: text, tool calls, tool results. */
function contentTokens(content: unknown): number {
  if (typeof content === "string") return countTokens(content);
  if (!Array.isArray(content)) return 0;
  let tokens = 0;
  for (const block of content) {
    if (!block || typeof block !== "object") continue;
    if (block.type === "text" && typeof block.text === "string") tokens += countTokens(block.text);
    else if (block.type === "tool_use")
      tokens +=
        countTokens(String(block.name ?? "")) + countTokens(JSON.stringify(block.input ?? {}));
    else if (block.type === "tool_result") tokens += contentTokens(block.content);
  }
  return tokens;
}

function lastToolResult(content: unknown): string | undefined {
  if (!Array.isArray(content)) return undefined;
  let result: string | undefined;
  for (const block of content) {
    if (block && typeof block === "object" && block.type === "tool_result") {
      result = typeof block.content === "string" ? block.content : blocksText(block.content);
    }
  }
  return result;
}

function readConversation(body: any): Conversation {
  const messages: any[] = body.messages;
  let inputTokens = contentTokens(body.system);
  if (Array.isArray(body.tools) && body.tools.length > 0)
    inputTokens += countTokens(JSON.stringify(body.tools));
  let prompt = "";
  for (const message of messages) {
    inputTokens += contentTokens(message?.content) + MESSAGE_OVERHEAD_TOKENS;
    if (message?.role === "user") {
      const text = blocksText(message.content);
      if (text) prompt = text;
    }
  }
  const last = messages[messages.length - 1];
  const toolResult = last?.role === "user" ? lastToolResult(last.content) : undefined;
  return {
    prompt,
    toolResult,
    endsWithUser: last?.role === "user" && toolResult === undefined,
    inputTokens,
  };
}

function toolDefinitions(tools: unknown): ToolDefinition[] {
  if (!Array.isArray(tools)) return [];
  const result: ToolDefinition[] = [];
  for (const tool of tools) {
    if (tool && typeof tool.name === "string")
      result.push({ name: tool.name, schema: tool.input_schema });
  }
  return result;
}

function toolUse(name: string, input: Record<string, unknown>, id?: string): ToolUse {
  return { id: id ?? `toolu_${nextId()}`, name, input, json: JSON.stringify(input) };
}

function decideToolUses(
  body: any,
  conversation: Conversation,
  scripted: ScriptedResponse | undefined,
): ToolUse[] {
  if (scripted?.toolCalls) {
    return scripted.toolCalls.map((call) => toolUse(call.name, call.arguments ?? {}, call.id));
  }
  if (scripted?.text !== undefined) return [];
  const tools = toolDefinitions(body.tools);
  const choice = body.tool_choice;
  if (tools.length === 0 || choice?.type === "none" || !conversation.endsWithUser) return [];
  let chosen: ToolDefinition | undefined;
  if (choice?.type === "tool") chosen = tools.find((tool) => tool.name === choice.name);
  else if (choice?.type === "any") chosen = tools[0];
  else chosen = tools.find((tool) => conversation.prompt.includes(tool.name));
  if (!chosen) return [];
  return [toolUse(chosen.name, argumentsForSchema(chosen.schema, conversation.prompt))];
}

/** Cuts `text` at the first stop sequence it contains, if any. */
function applyStopSequences(
  text: string,
  stopSequences: unknown,
): { text: string; sequence: string | null } {
  if (!Array.isArray(stopSequences)) return { text, sequence: null };
  let cut = -1;
  let sequence: string | null = null;
  for (const candidate of stopSequences) {
    if (typeof candidate !== "string" || candidate.length === 0) continue;
    const at = text.indexOf(candidate);
    if (at !== -1 && (cut === -1 || at < cut)) {
      cut = at;
      sequence = candidate;
    }
  }
  return cut === -1 ? { text, sequence: null } : { text: text.slice(0, cut), sequence };
}

function answer(body: any, scripted: ScriptedResponse | undefined): Answer {
  const conversation = readConversation(body);
  const toolUses = decideToolUses(body, conversation, scripted);
  let text = "";
  let stopReason: Answer["stopReason"] = toolUses.length > 0 ? "tool_use" : "end_turn";
  let stopSequence: string | null = null;
  if (toolUses.length === 0 || scripted?.text !== undefined) {
    const full =
      scripted?.text ??
      (conversation.toolResult !== undefined
        ? answerToToolResult(conversation.toolResult)
        : answerTo(conversation.prompt));
    const stopped = applyStopSequences(full, body.stop_sequences);
    const truncated = truncateToTokens(stopped.text, body.max_tokens);
    text = truncated.text;
    if (truncated.truncated) stopReason = "max_tokens";
    else if (stopped.sequence !== null && toolUses.length === 0) {
      stopReason = "stop_sequence";
      stopSequence = stopped.sequence;
    }
  }
  let outputTokens = countTokens(text);
  for (const use of toolUses) outputTokens += countTokens(use.name) + countTokens(use.json);
  return {
    text,
    toolUses,
    stopReason,
    stopSequence,
    usage: resolveUsage(scripted, conversation.inputTokens, outputTokens),
  };
}

// ---------------------------------------------------------------------------------------------
// Writing answers
// ---------------------------------------------------------------------------------------------

/** The usage in Anthropic's convention: `input_tokens` leaves out cache reads and writes. */
function anthropicUsage(
  usage: MockUsage,
  outputTokens = usage.outputTokens,
): Record<string, unknown> {
  return {
    input_tokens: Math.max(0, usage.inputTokens - usage.cacheReadTokens - usage.cacheWriteTokens),
    cache_creation_input_tokens: usage.cacheWriteTokens,
    cache_read_input_tokens: usage.cacheReadTokens,
    cache_creation: {
      ephemeral_5m_input_tokens: usage.cacheWriteTokens,
      ephemeral_1h_input_tokens: 0,
    },
    output_tokens: outputTokens,
    output_tokens_details:
      usage.reasoningTokens > 0 ? { thinking_tokens: usage.reasoningTokens } : null,
    server_tool_use: null,
    service_tier: "standard",
  };
}

function contentBlocks(result: Answer): Record<string, unknown>[] {
  const blocks: Record<string, unknown>[] = [];
  if (result.text || result.toolUses.length === 0)
    blocks.push({ type: "text", text: result.text, citations: null });
  for (const use of result.toolUses)
    blocks.push({ type: "tool_use", id: use.id, name: use.name, input: use.input });
  return blocks;
}

function message(
  id: string,
  model: string,
  content: unknown[],
  result: Answer | undefined,
  usage: Record<string, unknown>,
) {
  return {
    id,
    type: "message",
    role: "assistant",
    model,
    content,
    stop_reason: result ? result.stopReason : null,
    stop_sequence: result ? result.stopSequence : null,
    usage,
  };
}

async function messages(context: HandlerContext): Promise<void> {
  if (!authenticated(context)) return;
  if (await scriptedError(context)) return;
  if (!validate(context, true)) return;
  const body = context.body;
  const result = answer(body, context.scripted);
  const id = `msg_${nextId()}`;

  if (body.stream === true) {
    await streamMessage(context, id, body.model, result);
    return;
  }

  await delay(context.scripted?.latencyMs ?? 0);
  sendJson(
    context.response,
    context.scripted?.status ?? 200,
    message(id, body.model, contentBlocks(result), result, anthropicUsage(result.usage)),
    successHeaders(),
    context.scripted,
  );
}

/**
 * The event sequence of a streamed Message: `message_start` (with the input usage), then per
 * block `content_block_start`, its deltas and `content_block_stop` (a `ping` after the first
 * start), then `message_delta` (stop reason and cumulative usage) and `message_stop`.
 */
async function streamMessage(
  context: HandlerContext,
  id: string,
  model: string,
  result: Answer,
): Promise<void> {
  const writer = new SseWriter(context, successHeaders());
  const send = (type: string, fields: Record<string, unknown>) =>
    writer.send({ type, ...fields }, type);

  const startOutput = Math.min(1, result.usage.outputTokens);
  await send("message_start", {
    message: message(id, model, [], undefined, anthropicUsage(result.usage, startOutput)),
  });

  let index = 0;
  if (result.text || result.toolUses.length === 0) {
    await send("content_block_start", {
      index,
      content_block: { type: "text", text: "", citations: null },
    });
    await send("ping", {});
    for (const piece of splitDeltas(result.text)) {
      await send("content_block_delta", { index, delta: { type: "text_delta", text: piece } });
    }
    await send("content_block_stop", { index });
    index += 1;
  }
  for (const use of result.toolUses) {
    await send("content_block_start", {
      index,
      content_block: { type: "tool_use", id: use.id, name: use.name, input: {} },
    });
    if (index === 0) await send("ping", {});
    await send("content_block_delta", {
      index,
      delta: { type: "input_json_delta", partial_json: "" },
    });
    for (let start = 0; start < use.json.length; start += JSON_PIECE_LENGTH) {
      await send("content_block_delta", {
        index,
        delta: {
          type: "input_json_delta",
          partial_json: use.json.slice(start, start + JSON_PIECE_LENGTH),
        },
      });
    }
    await send("content_block_stop", { index });
    index += 1;
  }

  const usage = anthropicUsage(result.usage);
  await send("message_delta", {
    delta: { stop_reason: result.stopReason, stop_sequence: result.stopSequence },
    usage: {
      input_tokens: usage.input_tokens,
      cache_creation_input_tokens: usage.cache_creation_input_tokens,
      cache_read_input_tokens: usage.cache_read_input_tokens,
      output_tokens: usage.output_tokens,
      output_tokens_details: usage.output_tokens_details,
      server_tool_use: null,
    },
  });
  await send("message_stop", {});
  writer.end();
}

// ---------------------------------------------------------------------------------------------
// POST /v1/messages/count_tokens
// ---------------------------------------------------------------------------------------------

async function countMessageTokens(context: HandlerContext): Promise<void> {
  if (!authenticated(context)) return;
  if (await scriptedError(context)) return;
  if (!validate(context, false)) return;
  await delay(context.scripted?.latencyMs ?? 0);
  sendJson(
    context.response,
    200,
    { input_tokens: readConversation(context.body).inputTokens },
    successHeaders(),
    context.scripted,
  );
}
