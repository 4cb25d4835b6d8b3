import type { Span } from "@opentelemetry/api";
import { ATTR_ERROR_TYPE, ATTR_GEN_AI_RESPONSE_FINISH_REASONS } from "@agentops/semconv";
import { setResponseAttributes, setResponseIdentity, setUsage } from "./attributes";
import { setOutputContent, setOutputMessages } from "./content";
import { type Message, streamedOutputMessage, type ToolCallRecord } from "./messages";
import type { Operation } from "./operations";
import { field, isRecord } from "./values";

/**
 * Summarises a stream chunk by chunk: identity from the first chunk, finish reasons and usage as
 * they come, and (only when content is captured) the text and tool-call deltas of each choice.
 * Responses streams carry the whole final response in their last event, which is used as is.
 */
export class StreamAccumulator {
  private identified = false;
  private finishReasons: string[] | undefined;
  private texts: string[] | undefined;
  private toolCalls: Array<ToolCallRecord[] | undefined> | undefined;
  /** The final `response` of a Responses stream. */
  finalResponse: unknown;
  /** An `error` event of a Responses stream. */
  private errorEvent: Record<string, unknown> | undefined;

  constructor(
    private readonly span: Span,
    private readonly operation: Operation,
    private readonly captureContent: boolean,
    private readonly usageInjected: boolean,
  ) {}

  /** Records one item; returns true when the caller must not see it (the usage chunk we asked for). */
  observe(item: unknown): boolean {
    if (!isRecord(item)) return false;
    if (this.operation.api === "responses") {
      this.observeEvent(item);
      return false;
    }
    if (!this.identified) {
      this.identified = true;
      setResponseIdentity(this.span, item);
    }
    const usage = item.usage;
    if (usage) setUsage(this.span, usage);
    const choices = item.choices;
    if (this.usageInjected) {
      if (usage && Array.isArray(choices) && choices.length === 0) return true;
      // the caller did not ask for usage: give chunks the shape they would have had
      if (usage === null) delete item.usage;
    }
    if (!Array.isArray(choices)) return false;
    for (let position = 0; position < choices.length; position += 1) {
      const choice: unknown = choices[position];
      if (!isRecord(choice)) continue;
      const index = typeof choice.index === "number" ? choice.index : position;
      if (typeof choice.finish_reason === "string") (this.finishReasons ??= [])[index] = choice.finish_reason;
      if (this.captureContent) this.collectContent(index, choice);
    }
    return false;
  }

  private collectContent(index: number, choice: Record<string, unknown>): void {
    const texts = (this.texts ??= []);
    const delta = this.operation.api === "chat" ? field(choice.delta, "content") : choice.text;
    if (texts[index] === undefined) texts[index] = "";
    if (typeof delta === "string") texts[index] += delta;
    const toolDeltas = field(choice.delta, "tool_calls");
    if (!Array.isArray(toolDeltas)) return;
    const perChoice = (this.toolCalls ??= []);
    const calls = (perChoice[index] ??= []);
    for (const toolDelta of toolDeltas) {
      if (!isRecord(toolDelta)) continue;
      const callIndex = typeof toolDelta.index === "number" ? toolDelta.index : calls.length;
      const call = (calls[callIndex] ??= { id: undefined, name: undefined, arguments: "" });
      if (typeof toolDelta.id === "string") call.id = toolDelta.id;
      const name = field(toolDelta.function, "name");
      const args = field(toolDelta.function, "arguments");
      if (typeof name === "string") call.name = (call.name ?? "") + name;
      if (typeof args === "string") call.arguments += args;
    }
  }

  private observeEvent(event: Record<string, unknown>): void {
    const type = event.type;
    if (type === "response.created" || type === "response.in_progress") {
      if (!this.identified && isRecord(event.response)) {
        this.identified = true;
        setResponseIdentity(this.span, event.response);
      }
    } else if (type === "response.completed" || type === "response.incomplete" || type === "response.failed") {
      this.finalResponse = event.response;
    } else if (type === "error") {
      this.errorEvent = event;
    }
  }

  /** Writes the summary on the span; returns the error code of an `error` event, when there is one. */
  summarise(): string | undefined {
    if (this.operation.api === "responses") {
      if (this.finalResponse) {
        setResponseAttributes(this.span, this.operation, this.finalResponse);
        if (this.captureContent) setOutputContent(this.span, this.operation, this.finalResponse);
      }
      if (this.errorEvent) {
        const code = typeof this.errorEvent.code === "string" ? this.errorEvent.code : "error";
        this.span.setAttribute(ATTR_ERROR_TYPE, code);
        return code;
      }
      return undefined;
    }
    const reasons = this.finishReasons;
    if (reasons) {
      const dense: string[] = [];
      for (const reason of reasons) if (reason !== undefined) dense.push(reason);
      this.span.setAttribute(ATTR_GEN_AI_RESPONSE_FINISH_REASONS, dense);
    }
    if (this.captureContent && this.texts) {
      const messages: Message[] = [];
      for (let index = 0; index < this.texts.length; index += 1) {
        if (this.texts[index] === undefined) continue;
        messages.push(streamedOutputMessage(this.texts[index]!, this.toolCalls?.[index], reasons?.[index]));
      }
      setOutputMessages(this.span, messages);
    }
    return undefined;
  }
}
