import * as crypto from "node:crypto";
import type { Attributes } from "@opentelemetry/api";
import {
  ATTR_AGENTOPS_ACTION_SCREENSHOT,
  ATTR_AGENTOPS_ACTION_TYPE,
  ATTR_AGENTOPS_ERROR_CODE,
  ATTR_AGENTOPS_ERROR_DETAILS,
  ATTR_AGENTOPS_ERROR_TRIGGER_EVENT_ID,
  ATTR_AGENTOPS_EVENT_ID,
  ATTR_AGENTOPS_EVENT_LOGS,
  ATTR_AGENTOPS_EVENT_PARAMS,
  ATTR_AGENTOPS_EVENT_RETURNS,
  ATTR_AGENTOPS_LLM_COST,
  ATTR_AGENTOPS_SPAN_KIND,
  ATTR_ERROR_TYPE,
  ATTR_EXCEPTION_MESSAGE,
  ATTR_EXCEPTION_STACKTRACE,
  ATTR_EXCEPTION_TYPE,
  ATTR_GEN_AI_INPUT_MESSAGES,
  ATTR_GEN_AI_OPERATION_NAME,
  ATTR_GEN_AI_OUTPUT_MESSAGES,
  ATTR_GEN_AI_PROVIDER_NAME,
  ATTR_GEN_AI_REQUEST_MODEL,
  ATTR_GEN_AI_RESPONSE_MODEL,
  ATTR_GEN_AI_SYSTEM,
  ATTR_GEN_AI_TOOL_NAME,
  ATTR_GEN_AI_USAGE_CACHE_READ_INPUT_TOKENS,
  ATTR_GEN_AI_USAGE_INPUT_TOKENS,
  ATTR_GEN_AI_USAGE_OUTPUT_TOKENS,
  ATTR_GEN_AI_USAGE_REASONING_OUTPUT_TOKENS,
  GenAiOperationValues,
  SpanKindValues,
} from "@agentops/semconv";
import type { TimestampInput } from "./types";

// Read once: a bundled CommonJS import is a property getter on every access.
const randomUUID = crypto.randomUUID;

/** The kinds of event, named as in AgentOps' export (`actions`, `llms`, `tools`, `errors`). */
export type EventType = "actions" | "llms" | "tools" | "errors";

/** Longest JSON or text kept in one attribute; longer values are cut and marked, so one huge
 * return value cannot make a whole export batch too large for the server. */
export const MAX_ATTRIBUTE_LENGTH = 64 * 1024;

/** Epoch ms of a timestamp input; `undefined` for nothing or something unreadable. */
export function toEpochMs(value: TimestampInput | undefined | null): number | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value === "number") return Number.isFinite(value) ? value : undefined;
  if (value instanceof Date) {
    const ms = value.getTime();
    return Number.isFinite(ms) ? ms : undefined;
  }
  if (typeof value === "string") {
    const ms = Date.parse(value);
    return Number.isFinite(ms) ? ms : undefined;
  }
  return undefined;
}

function cut(text: string): string {
  return text.length > MAX_ATTRIBUTE_LENGTH ? text.slice(0, MAX_ATTRIBUTE_LENGTH) + "…[truncated]" : text;
}

function replacer(_key: string, value: unknown): unknown {
  if (typeof value === "bigint") return value.toString();
  if (value instanceof Error) return { name: value.name, message: value.message };
  return value;
}

/** JSON of any value, never throwing (circular structures become a short note). */
export function safeJson(value: unknown): string {
  let json: string | undefined;
  try {
    // The plain call is several times faster than one with a replacer; the replacer is only for
    // what plain JSON cannot take (BigInt).
    json = JSON.stringify(value);
  } catch {
    try {
      json = JSON.stringify(value, replacer);
    } catch (error) {
      return JSON.stringify(`[unserializable: ${(error as Error)?.message ?? "error"}]`);
    }
  }
  return cut(json === undefined ? "null" : json);
}

function text(value: unknown): string {
  return cut(typeof value === "string" ? value : safeJson(value));
}

/** Fields every event accepts. */
export interface EventOptions {
  /** When the event started. Default: when it was constructed. */
  initTimestamp?: TimestampInput;
  /** When it ended. Default: when it is recorded. */
  endTimestamp?: TimestampInput;
  /** The event's id. Default: a new UUID. */
  id?: string;
}

/**
 * What all events share: an id, start and end timestamps (ISO 8601 strings when read), and the
 * span they become when recorded. Subclasses say what their span carries.
 */
export abstract class Event {
  /** The event's id (a UUID). */
  readonly id: string;
  abstract readonly eventType: EventType;
  /** @internal epoch ms */
  initMs: number;
  /** @internal epoch ms, set on record when absent */
  endMs: number | undefined;

  protected constructor(options: EventOptions) {
    this.id = typeof options.id === "string" && options.id ? options.id : randomUUID();
    this.initMs = toEpochMs(options.initTimestamp) ?? Date.now();
    this.endMs = toEpochMs(options.endTimestamp);
  }

  /** ISO 8601 start time. */
  get initTimestamp(): string {
    return new Date(this.initMs).toISOString();
  }
  set initTimestamp(value: TimestampInput) {
    this.initMs = toEpochMs(value) ?? this.initMs;
  }

  /** ISO 8601 end time, once known. */
  get endTimestamp(): string | undefined {
    return this.endMs === undefined ? undefined : new Date(this.endMs).toISOString();
  }
  set endTimestamp(value: TimestampInput | undefined) {
    this.endMs = toEpochMs(value);
  }

  /** @internal the span's name */
  abstract spanName(): string;
  /** @internal the span's attributes */
  abstract spanAttributes(captureContent: boolean): Attributes;
  /** @internal whether the span's status is ERROR, and its message */
  errorMessage(): string | undefined {
    return undefined;
  }
  /** @internal OpenTelemetry span kind (INTERNAL = 0, CLIENT = 2) */
  spanKind(): number {
    return 0;
  }
}

/** An action of the agent: something it did that is neither an LLM call nor a tool. */
export interface ActionEventOptions extends EventOptions {
  /** What kind of action, e.g. `"search"`. */
  actionType: string;
  params?: unknown;
  returns?: unknown;
  logs?: unknown;
  /** A URL or data URI of a screenshot. */
  screenshot?: string;
}

/**
 * An action the agent took.
 *
 * @example
 * session.record(new ActionEvent({ actionType: "search", params: { q }, returns: hits }));
 */
export class ActionEvent extends Event {
  readonly eventType = "actions" as const;
  actionType: string;
  params: unknown;
  returns: unknown;
  logs: unknown;
  screenshot: string | undefined;

  constructor(options: ActionEventOptions) {
    super(options ?? ({} as ActionEventOptions));
    this.actionType = String(options?.actionType ?? "action");
    this.params = options?.params;
    this.returns = options?.returns;
    this.logs = options?.logs;
    this.screenshot = options?.screenshot;
  }

  spanName(): string {
    return "action " + this.actionType;
  }

  spanAttributes(captureContent: boolean): Attributes {
    const attributes: Attributes = {
      [ATTR_AGENTOPS_SPAN_KIND]: SpanKindValues.ACTION,
      [ATTR_AGENTOPS_EVENT_ID]: this.id,
      [ATTR_AGENTOPS_ACTION_TYPE]: this.actionType,
    };
    if (captureContent) {
      if (this.params !== undefined) attributes[ATTR_AGENTOPS_EVENT_PARAMS] = safeJson(this.params);
      if (this.returns !== undefined) attributes[ATTR_AGENTOPS_EVENT_RETURNS] = safeJson(this.returns);
      if (this.logs !== undefined) attributes[ATTR_AGENTOPS_EVENT_LOGS] = text(this.logs);
      if (this.screenshot !== undefined) attributes[ATTR_AGENTOPS_ACTION_SCREENSHOT] = cut(String(this.screenshot));
    }
    return attributes;
  }
}

/** A call of a tool. */
export interface ToolEventOptions extends EventOptions {
  /** The tool's name. */
  name: string;
  params?: unknown;
  returns?: unknown;
  logs?: unknown;
}

/**
 * A tool call, in the GenAI conventions' `execute_tool` shape.
 *
 * @example
 * session.record(new ToolEvent({ name: "weather", params: { city }, returns: forecast }));
 */
export class ToolEvent extends Event {
  readonly eventType = "tools" as const;
  name: string;
  params: unknown;
  returns: unknown;
  logs: unknown;

  constructor(options: ToolEventOptions) {
    super(options ?? ({} as ToolEventOptions));
    this.name = String(options?.name ?? "tool");
    this.params = options?.params;
    this.returns = options?.returns;
    this.logs = options?.logs;
  }

  spanName(): string {
    return "execute_tool " + this.name;
  }

  spanAttributes(captureContent: boolean): Attributes {
    const attributes: Attributes = {
      [ATTR_AGENTOPS_SPAN_KIND]: SpanKindValues.TOOL,
      [ATTR_AGENTOPS_EVENT_ID]: this.id,
      [ATTR_GEN_AI_OPERATION_NAME]: GenAiOperationValues.EXECUTE_TOOL,
      [ATTR_GEN_AI_TOOL_NAME]: this.name,
    };
    if (captureContent) {
      if (this.params !== undefined) attributes[ATTR_AGENTOPS_EVENT_PARAMS] = safeJson(this.params);
      if (this.returns !== undefined) attributes[ATTR_AGENTOPS_EVENT_RETURNS] = safeJson(this.returns);
      if (this.logs !== undefined) attributes[ATTR_AGENTOPS_EVENT_LOGS] = text(this.logs);
    }
    return attributes;
  }
}

/** An LLM call recorded by hand (calls of instrumented clients are recorded without code). */
export interface LLMEventOptions extends EventOptions {
  model: string;
  /** A string, or chat messages (`{ role, content }`). */
  prompt?: unknown;
  /** A string, or the assistant message. */
  completion?: unknown;
  /** Input tokens, cached ones included. */
  promptTokens?: number;
  /** Output tokens, reasoning included. */
  completionTokens?: number;
  /** Input tokens read from the provider's cache (part of promptTokens). */
  cachedTokens?: number;
  /** Output tokens spent reasoning (part of completionTokens). */
  reasoningTokens?: number;
  /** Cost in USD; when given it wins over the price table. */
  cost?: number;
  /** `openai`, `anthropic`, … (helps the price table when a model name is shared). */
  provider?: string;
}

function toMessages(value: unknown, defaultRole: string): unknown[] {
  if (typeof value === "string") return [{ role: defaultRole, parts: [{ type: "text", content: value }] }];
  const list = Array.isArray(value) ? value : [value];
  return list.map((message: any) => {
    if (message && typeof message === "object" && typeof message.role === "string") {
      if (Array.isArray(message.parts)) return message;
      const content = message.content;
      return {
        role: message.role,
        parts: [{ type: "text", content: typeof content === "string" ? content : safeJson(content) }],
      };
    }
    return { role: defaultRole, parts: [{ type: "text", content: typeof message === "string" ? message : safeJson(message) }] };
  });
}

/**
 * An LLM call, in the GenAI conventions' `chat` shape.
 *
 * @example
 * session.record(new LLMEvent({ model: "gpt-4o", promptTokens: 1000, completionTokens: 500 }));
 */
export class LLMEvent extends Event {
  readonly eventType = "llms" as const;
  model: string;
  prompt: unknown;
  completion: unknown;
  promptTokens: number | undefined;
  completionTokens: number | undefined;
  cachedTokens: number | undefined;
  reasoningTokens: number | undefined;
  cost: number | undefined;
  provider: string | undefined;

  constructor(options: LLMEventOptions) {
    super(options ?? ({} as LLMEventOptions));
    this.model = String(options?.model ?? "unknown");
    this.prompt = options?.prompt;
    this.completion = options?.completion;
    this.promptTokens = options?.promptTokens;
    this.completionTokens = options?.completionTokens;
    this.cachedTokens = options?.cachedTokens;
    this.reasoningTokens = options?.reasoningTokens;
    this.cost = options?.cost;
    this.provider = options?.provider;
  }

  spanName(): string {
    return "chat " + this.model;
  }

  override spanKind(): number {
    return 2;
  }

  spanAttributes(captureContent: boolean): Attributes {
    const attributes: Attributes = {
      [ATTR_AGENTOPS_SPAN_KIND]: SpanKindValues.LLM,
      [ATTR_AGENTOPS_EVENT_ID]: this.id,
      [ATTR_GEN_AI_OPERATION_NAME]: GenAiOperationValues.CHAT,
      [ATTR_GEN_AI_REQUEST_MODEL]: this.model,
      [ATTR_GEN_AI_RESPONSE_MODEL]: this.model,
    };
    if (this.provider) {
      attributes[ATTR_GEN_AI_PROVIDER_NAME] = this.provider;
      attributes[ATTR_GEN_AI_SYSTEM] = this.provider;
    }
    if (typeof this.promptTokens === "number") attributes[ATTR_GEN_AI_USAGE_INPUT_TOKENS] = this.promptTokens;
    if (typeof this.completionTokens === "number") attributes[ATTR_GEN_AI_USAGE_OUTPUT_TOKENS] = this.completionTokens;
    if (typeof this.cachedTokens === "number") attributes[ATTR_GEN_AI_USAGE_CACHE_READ_INPUT_TOKENS] = this.cachedTokens;
    if (typeof this.reasoningTokens === "number") attributes[ATTR_GEN_AI_USAGE_REASONING_OUTPUT_TOKENS] = this.reasoningTokens;
    if (typeof this.cost === "number" && Number.isFinite(this.cost)) attributes[ATTR_AGENTOPS_LLM_COST] = this.cost;
    if (captureContent) {
      if (this.prompt !== undefined) attributes[ATTR_GEN_AI_INPUT_MESSAGES] = safeJson(toMessages(this.prompt, "user"));
      if (this.completion !== undefined) attributes[ATTR_GEN_AI_OUTPUT_MESSAGES] = safeJson(toMessages(this.completion, "assistant"));
    }
    return attributes;
  }
}

/** An error in the run. */
export interface ErrorEventOptions extends EventOptions {
  /** The error itself; its name, message and stack are recorded. */
  exception?: unknown;
  /** Default: the exception's name, else `"Error"`. */
  errorType?: string;
  code?: string | number;
  details?: unknown;
  /** The event during which the error happened (its id is recorded, its timestamps reused when none are given). */
  triggerEvent?: Event;
}

/**
 * An error of the run. Counted in the session's errors; its span has status ERROR.
 *
 * @example
 * session.record(new ErrorEvent({ exception: error, triggerEvent: toolEvent }));
 */
export class ErrorEvent extends Event {
  readonly eventType = "errors" as const;
  exception: unknown;
  errorType: string;
  code: string | number | undefined;
  details: unknown;
  triggerEvent: Event | undefined;

  constructor(options: ErrorEventOptions = {}) {
    const trigger = options?.triggerEvent;
    super({
      ...options,
      initTimestamp: options?.initTimestamp ?? (trigger ? trigger.initMs : undefined),
      endTimestamp: options?.endTimestamp ?? (trigger ? trigger.endMs : undefined),
    });
    this.exception = options?.exception;
    const exceptionName = (options?.exception as Error | undefined)?.name;
    this.errorType = options?.errorType ?? (typeof exceptionName === "string" && exceptionName ? exceptionName : "Error");
    this.code = options?.code;
    this.details = options?.details;
    this.triggerEvent = trigger;
  }

  spanName(): string {
    return "error " + this.errorType;
  }

  override errorMessage(): string {
    const exception = this.exception as Error | undefined;
    if (exception && typeof exception.message === "string") return exception.message;
    if (typeof this.details === "string") return this.details;
    return this.errorType;
  }

  spanAttributes(captureContent: boolean): Attributes {
    const attributes: Attributes = {
      [ATTR_AGENTOPS_SPAN_KIND]: SpanKindValues.ERROR,
      [ATTR_AGENTOPS_EVENT_ID]: this.id,
      [ATTR_ERROR_TYPE]: this.errorType,
      [ATTR_EXCEPTION_TYPE]: this.errorType,
    };
    const exception = this.exception as Error | undefined;
    if (exception !== undefined && exception !== null) {
      const message = typeof exception.message === "string" ? exception.message : text(exception);
      attributes[ATTR_EXCEPTION_MESSAGE] = cut(message);
      if (typeof exception.stack === "string") attributes[ATTR_EXCEPTION_STACKTRACE] = cut(exception.stack);
    }
    if (this.code !== undefined) attributes[ATTR_AGENTOPS_ERROR_CODE] = String(this.code);
    if (this.details !== undefined && captureContent) attributes[ATTR_AGENTOPS_ERROR_DETAILS] = text(this.details);
    if (this.triggerEvent?.id) attributes[ATTR_AGENTOPS_ERROR_TRIGGER_EVENT_ID] = this.triggerEvent.id;
    return attributes;
  }
}
