import { type Span } from "@opentelemetry/api";
import { recordError, setResponseAttributes, type ResponseSummary } from "./attributes";
import type { OnceLogger } from "@agentops/instrumentation-core";
import type { AnthropicOperation, AnthropicResponseInfo } from "./types";

/** What a call needs of the configuration, settled once per configuration change. */
export interface CallSettings {
  readonly captureContent: boolean;
  /** Hold the client's own span off while a call is traced here. */
  readonly suppressClientSpans: boolean;
  /** The user's response hook, already guarded. */
  readonly responseHook: ((span: Span, info: AnthropicResponseInfo) => void) | undefined;
  readonly log: OnceLogger;
}

/**
 * One traced API call: its span, and the single place where that span ends, whichever of the
 * promise, the stream or the helper sees the end first. Every method is guarded: the span's
 * bookkeeping never throws into the client's code.
 */
export class TracedCall {
  private ended = false;
  /**
   * Set by `messages.stream()`: the request the helper sends (through `create()`) is recorded on
   * this call's span instead of starting a second one.
   */
  awaitingHandoff = false;
  /** This span records a request sent by the `messages.stream()` helper that started it. */
  adopted = false;

  constructor(
    readonly span: Span,
    readonly operation: AnthropicOperation,
    readonly config: CallSettings,
  ) {}

  get isEnded(): boolean {
    return this.ended;
  }

  /** Ends the span with the response's attributes; `response` (lazy) is what the response hook gets. */
  succeed(
    summary: ResponseSummary | undefined,
    response: (() => Record<string, unknown>) | undefined,
    streamed: boolean,
  ): void {
    if (this.ended) return;
    this.ended = true;
    try {
      if (summary) setResponseAttributes(this.span, summary, this.config.captureContent);
      const hook = this.config.responseHook;
      if (hook && response)
        hook(this.span, { operation: this.operation, response: response(), streamed });
    } catch (error) {
      this.config.log.error(
        "recording the response",
        "recording the response failed; the call itself is unaffected",
        error,
      );
    }
    this.endSpan();
  }

  /** Ends the span as failed with the client's error (which the caller receives unchanged). */
  fail(error: unknown, type?: string, summary?: ResponseSummary): void {
    if (this.ended) return;
    this.ended = true;
    try {
      if (summary) setResponseAttributes(this.span, summary, this.config.captureContent);
      recordError(this.span, error, type);
    } catch (internal) {
      this.config.log.error(
        "recording an error",
        "recording an error failed; the call itself is unaffected",
        internal,
      );
    }
    this.endSpan();
  }

  /** Ends the span with what was read so far, when the application stopped reading a stream early. */
  abandon(summary: ResponseSummary | undefined): void {
    if (this.ended) return;
    this.ended = true;
    try {
      if (summary) setResponseAttributes(this.span, summary, this.config.captureContent);
    } catch (error) {
      this.config.log.error(
        "recording an abandoned stream",
        "recording an abandoned stream failed; the call itself is unaffected",
        error,
      );
    }
    this.endSpan();
  }

  /** Ends the span with what is known, if nothing else has ended it. */
  end(): void {
    this.abandon(undefined);
  }

  private endSpan(): void {
    try {
      this.span.end();
    } catch (error) {
      this.config.log.error(
        "ending the span",
        "ending the span failed; the call itself is unaffected",
        error,
      );
    }
  }
}
