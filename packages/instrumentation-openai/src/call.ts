import { type Span, SpanStatusCode } from "@opentelemetry/api";
import { ATTR_ERROR_TYPE } from "@agentops/semconv";
import { setResponseAttributes } from "./attributes";
import { setOutputContent } from "./content";
import type { OnceLogger } from "@agentops/instrumentation-core";
import type { Operation } from "./operations";
import { StreamAccumulator } from "./stream-accumulator";
import type { OpenAIResponseInfo } from "./types";
import { isRecord } from "./values";

/** The configuration a call needs, resolved once per configuration change. */
export interface CallSettings {
  captureContent: boolean;
  streamUsage: boolean;
  /** The user's response hook, already guarded. */
  responseHook: ((span: Span, info: OpenAIResponseInfo) => void) | undefined;
  log: OnceLogger;
}

const OTHER_ERROR = "_OTHER";

/** `error.type`: the error's class name (`RateLimitError`, `APIConnectionError`, …), else its status. */
export function errorType(error: unknown): string {
  if (error && typeof error === "object") {
    const name = (error as { constructor?: { name?: unknown } }).constructor?.name;
    if (typeof name === "string" && name.length > 0 && name !== "Object") return name;
    const status = (error as { status?: unknown }).status;
    if (typeof status === "number") return String(status);
  }
  return OTHER_ERROR;
}

/** The client's `Stream`: iterated through its `iterator` method, aborted through its `controller`. */
interface StreamLike {
  iterator: (this: unknown) => AsyncIterator<unknown>;
  controller: unknown;
}

function isStream(value: unknown): value is StreamLike {
  return isRecord(value) && typeof value.iterator === "function" && "controller" in value;
}

/**
 * One traced client call: owns the span and ends it exactly once, on the response, the error, or
 * the end (or abandonment) of the stream. Every method is safe to call after the end.
 */
export class OpenAICall {
  private ended = false;
  private accumulator: StreamAccumulator | undefined;

  constructor(
    readonly span: Span,
    readonly operation: Operation,
    /** The caller's request body. */
    readonly request: Record<string, unknown> | undefined,
    /** The body actually sent: the caller's, or a copy asking for stream usage. */
    readonly sentBody: unknown,
    private readonly usageInjected: boolean,
    private readonly settings: CallSettings,
  ) {}

  /** Result of the call (the parsed body, or the `Stream`); returns it unchanged. */
  readonly onData = <T>(data: T): T => {
    if (this.ended) return data;
    try {
      if (this.request?.stream === true && isStream(data)) {
        this.instrumentStream(data);
        return data;
      }
      setResponseAttributes(this.span, this.operation, data);
      if (this.settings.captureContent) setOutputContent(this.span, this.operation, data);
      this.runResponseHook(data);
    } catch (error) {
      this.settings.log.error("response", "could not record an OpenAI response", error);
    }
    this.end();
    return data;
  };

  /** The call failed: status ERROR, `error.type`, an exception event. */
  readonly onError = (error: unknown): void => {
    if (this.ended) return;
    try {
      this.span.recordException(error instanceof Error ? error : String(error));
      this.span.setAttribute(ATTR_ERROR_TYPE, errorType(error));
      this.span.setStatus({
        code: SpanStatusCode.ERROR,
        message: error instanceof Error ? error.message : String(error),
      });
    } catch (failure) {
      this.settings.log.error("error", "could not record an OpenAI error", failure);
    }
    this.end();
  };

  /** The caller took the raw `Response` without parsing it: nothing more will be seen. */
  readonly onRawResponse = (): void => {
    this.end();
  };

  private instrumentStream(stream: StreamLike): void {
    const accumulator = new StreamAccumulator(
      this.span,
      this.operation,
      this.settings.captureContent,
      this.usageInjected,
    );
    this.accumulator = accumulator;
    const iterator: () => AsyncIterator<unknown> = stream.iterator;
    // Replacing the instance's `iterator` (not Symbol.asyncIterator) keeps tee(),
    // toReadableStream() and the client's stream helpers working on the same source.
    stream.iterator = () => new InstrumentedIterator(iterator.call(stream), this);
  }

  /** One stream item; true when the caller must not see it. */
  observeItem(item: unknown): boolean {
    const accumulator = this.accumulator;
    if (this.ended || !accumulator) return false;
    try {
      return accumulator.observe(item);
    } catch (error) {
      this.accumulator = undefined;
      this.settings.log.error("chunk", "could not record an OpenAI stream chunk", error);
      return false;
    }
  }

  /** The stream ended, or was abandoned by the caller (`abandoned`). */
  finishStream(abandoned: boolean): void {
    if (this.ended) return;
    try {
      const streamError = this.accumulator?.summarise();
      if (streamError !== undefined) {
        this.span.setStatus({ code: SpanStatusCode.ERROR, message: streamError });
      } else if (!abandoned) {
        this.runResponseHook(this.accumulator?.finalResponse);
      }
    } catch (error) {
      this.settings.log.error("stream", "could not record the end of an OpenAI stream", error);
    }
    this.end();
  }

  /** A stream failed midway: keep what it delivered, then record the error. */
  failStream(error: unknown): void {
    if (this.ended) return;
    try {
      this.accumulator?.summarise();
    } catch (failure) {
      this.settings.log.error("stream", "could not record the end of an OpenAI stream", failure);
    }
    this.onError(error);
  }

  private runResponseHook(response: unknown): void {
    const hook = this.settings.responseHook;
    if (!hook) return;
    hook(this.span, {
      method: this.operation.method,
      operationName: this.operation.name,
      request: this.request ?? {},
      response,
    });
  }

  /** Ends the span once. */
  end(): void {
    if (this.ended) return;
    this.ended = true;
    try {
      this.span.end();
    } catch (error) {
      this.settings.log.error("end", "could not end an OpenAI span", error);
    }
  }
}

/**
 * The stream's own iterator, observed: every item is summarised before the caller sees it, and the
 * span ends when the stream is done, fails, or the caller stops early (`return()`, as `break` does).
 */
class InstrumentedIterator<T> implements AsyncIterator<T> {
  constructor(
    private readonly inner: AsyncIterator<T>,
    private readonly call: OpenAICall,
  ) {}

  next(): Promise<IteratorResult<T>> {
    return this.inner.next().then(this.onResult, this.onFailure);
  }

  return(value?: unknown): Promise<IteratorResult<T>> {
    this.call.finishStream(true);
    return typeof this.inner.return === "function"
      ? this.inner.return(value)
      : Promise.resolve({ done: true, value } as IteratorResult<T>);
  }

  throw(error?: unknown): Promise<IteratorResult<T>> {
    this.call.failStream(error);
    return typeof this.inner.throw === "function" ? this.inner.throw(error) : Promise.reject(error);
  }

  [Symbol.asyncIterator](): AsyncIterator<T> {
    return this;
  }

  private readonly onResult = (result: IteratorResult<T>): IteratorResult<T> | Promise<IteratorResult<T>> => {
    if (result.done) {
      this.call.finishStream(false);
      return result;
    }
    return this.call.observeItem(result.value) ? this.next() : result;
  };

  private readonly onFailure = (error: unknown): never => {
    this.call.failStream(error);
    throw error;
  };
}
