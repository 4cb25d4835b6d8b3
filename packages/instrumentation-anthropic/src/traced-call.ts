import { type Span } from "@opentelemetry/api";
import { recordError, setResponseAttributes, type ResponseSummary } from "./attributes";
import type { ResolvedConfig } from "./config";
import type { AnthropicOperation } from "./types";

/** Reports a failure of the instrumentation itself (not of the call). */
export type InternalErrorReporter = (error: unknown, where: string) => void;

/**
 * One traced API call: its span, and the single place where that span ends, whichever of the
 * promise, the stream or the helper sees the end first. Every method is guarded: the span's
 * bookkeeping never throws into the client's code.
 */
export class TracedCall {
  private ended = false;

  constructor(
    readonly span: Span,
    readonly operation: AnthropicOperation,
    readonly config: ResolvedConfig,
    private readonly reportInternalError: InternalErrorReporter,
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
      if (hook && response) {
        try {
          hook(this.span, { operation: this.operation, response: response(), streamed });
        } catch (error) {
          this.reportInternalError(error, "responseHook");
        }
      }
    } catch (error) {
      this.reportInternalError(error, "recording the response");
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
      this.reportInternalError(internal, "recording an error");
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
      this.reportInternalError(error, "recording an abandoned stream");
    }
    this.endSpan();
  }

  private endSpan(): void {
    try {
      this.span.end();
    } catch (error) {
      this.reportInternalError(error, "ending the span");
    }
  }
}
