import { emptyUsage, mergeUsage, type ResponseSummary } from "./attributes";
import type { TracedCall } from "./traced-call";

/** The `error.type` of a stream that the application aborted, as the client names the error it raises. */
export const ABORT_ERROR_TYPE = "APIUserAbortError";

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

interface BlockState {
  block: Record<string, unknown>;
  /** `input_json_delta` pieces of a tool_use block, joined. */
  json: string;
}

/**
 * Rebuilds what the span records of a streamed Message from its events: id and model from
 * `message_start`, usage from `message_start` and the cumulative `message_delta`, the stop reason
 * from `message_delta`, and, only when content capture is on, the content blocks.
 */
export class StreamAccumulator {
  private id: string | undefined;
  private model: string | undefined;
  private stopReason: string | undefined;
  private readonly usage = emptyUsage();
  private readonly blocks: BlockState[] | undefined;

  constructor(captureContent: boolean) {
    this.blocks = captureContent ? [] : undefined;
  }

  onEvent(event: unknown): void {
    if (!isRecord(event)) return;
    switch (event.type) {
      case "message_start": {
        const message = event.message;
        if (isRecord(message)) {
          if (typeof message.id === "string") this.id = message.id;
          if (typeof message.model === "string") this.model = message.model;
          mergeUsage(this.usage, message.usage);
        }
        break;
      }
      case "content_block_start":
        if (this.blocks && isRecord(event.content_block)) {
          this.blocks[typeof event.index === "number" ? event.index : this.blocks.length] = {
            block: { ...event.content_block },
            json: "",
          };
        }
        break;
      case "content_block_delta":
        if (this.blocks && typeof event.index === "number")
          this.onDelta(this.blocks[event.index], event.delta);
        break;
      case "message_delta":
        if (isRecord(event.delta) && typeof event.delta.stop_reason === "string")
          this.stopReason = event.delta.stop_reason;
        mergeUsage(this.usage, event.usage);
        break;
      default:
        break;
    }
  }

  private onDelta(state: BlockState | undefined, delta: unknown): void {
    if (!state || !isRecord(delta)) return;
    const block = state.block;
    switch (delta.type) {
      case "text_delta":
        if (typeof delta.text === "string")
          block.text = (typeof block.text === "string" ? block.text : "") + delta.text;
        break;
      case "input_json_delta":
        if (typeof delta.partial_json === "string") state.json += delta.partial_json;
        break;
      case "thinking_delta":
        if (typeof delta.thinking === "string")
          block.thinking =
            (typeof block.thinking === "string" ? block.thinking : "") + delta.thinking;
        break;
      default:
        break;
    }
  }

  private content(): unknown[] | undefined {
    if (!this.blocks) return undefined;
    const content: unknown[] = [];
    for (const state of this.blocks) {
      if (!state) continue;
      if (state.json) {
        try {
          state.block.input = JSON.parse(state.json);
        } catch {
          state.block.input = state.json;
        }
        state.json = "";
      }
      content.push(state.block);
    }
    return content;
  }

  summary(): ResponseSummary {
    return {
      id: this.id,
      model: this.model,
      stopReason: this.stopReason,
      usage: this.usage,
      content: this.content(),
    };
  }

  /** The Message as far as the events tell, for the response hook. */
  message(summary: ResponseSummary): Record<string, unknown> {
    const usage = summary.usage;
    return {
      id: summary.id,
      type: "message",
      role: "assistant",
      model: summary.model,
      content: summary.content,
      stop_reason: summary.stopReason ?? null,
      usage: {
        input_tokens: usage.input,
        output_tokens: usage.output,
        cache_read_input_tokens: usage.cacheRead,
        cache_creation_input_tokens: usage.cacheCreation,
      },
    };
  }
}

interface StreamLike {
  iterator: (...args: unknown[]) => AsyncIterator<unknown>;
  controller?: { signal?: { aborted?: boolean } };
}

/** True for the client's `Stream` (it iterates through its own `iterator` property). */
export function isStreamLike(value: unknown): value is StreamLike {
  return (
    typeof value === "object" &&
    value !== null &&
    typeof (value as StreamLike).iterator === "function" &&
    typeof (value as AsyncIterable<unknown>)[Symbol.asyncIterator] === "function"
  );
}

/**
 * Passes the events through unchanged, feeding the accumulator, and ends the call when the read
 * ends: completed (`done`), failed (`next` rejects), or abandoned (`return`, as `break` does).
 */
class ObservedIterator implements AsyncIterator<unknown> {
  constructor(
    private readonly source: AsyncIterator<unknown>,
    private readonly call: TracedCall,
    private readonly accumulator: StreamAccumulator,
    private readonly stream: StreamLike,
    private readonly abortIsError: boolean,
  ) {}

  private readonly onResult = (result: IteratorResult<unknown>): IteratorResult<unknown> => {
    if (this.call.isEnded) return result;
    if (result.done) {
      this.complete();
    } else {
      try {
        this.accumulator.onEvent(result.value);
      } catch {
        // An event of an unexpected shape costs the span that event alone.
      }
    }
    return result;
  };

  private readonly onError = (error: unknown): never => {
    this.call.fail(error, undefined, this.safeSummary());
    throw error;
  };

  next(...args: [] | [unknown]): Promise<IteratorResult<unknown>> {
    let pending: Promise<IteratorResult<unknown>>;
    try {
      pending = this.source.next(...args);
    } catch (error) {
      return this.onError(error);
    }
    return pending.then(this.onResult, this.onError);
  }

  return(value?: unknown): Promise<IteratorResult<unknown>> {
    this.call.abandon(this.safeSummary());
    if (typeof this.source.return === "function") return this.source.return(value);
    return Promise.resolve({ done: true, value });
  }

  throw(error?: unknown): Promise<IteratorResult<unknown>> {
    this.call.fail(error, undefined, this.safeSummary());
    if (typeof this.source.throw === "function") return this.source.throw(error);
    return Promise.reject(error);
  }

  [Symbol.asyncIterator](): AsyncIterator<unknown> {
    return this;
  }

  private safeSummary(): ResponseSummary | undefined {
    try {
      return this.accumulator.summary();
    } catch {
      return undefined;
    }
  }

  private complete(): void {
    const summary = this.safeSummary();
    // The client's stream ends quietly when its request is aborted; the helper then raises.
    if (this.stream.controller?.signal?.aborted) {
      if (this.abortIsError) this.call.fail("The request was aborted.", ABORT_ERROR_TYPE, summary);
      else this.call.abandon(summary);
      return;
    }
    this.call.succeed(summary, summary && (() => this.accumulator.message(summary)), true);
  }
}

/**
 * Observes the client's `Stream` in place: its `iterator` property (which `Symbol.asyncIterator`,
 * `tee()` and `toReadableStream()` all go through) is replaced by one yielding the same events, so
 * the caller keeps the client's own object and all its methods. `abortIsError`: whether an abort
 * reaches the caller as an error (it does through `messages.stream()`).
 */
export function observeStream(stream: StreamLike, call: TracedCall, abortIsError: boolean): void {
  const original = stream.iterator;
  let observed = false;
  stream.iterator = function iterator(this: unknown, ...args: unknown[]) {
    const source = original.apply(this, args);
    if (observed || call.isEnded) return source;
    observed = true;
    return new ObservedIterator(
      source,
      call,
      new StreamAccumulator(call.config.captureContent),
      stream,
      abortIsError,
    );
  };
}
