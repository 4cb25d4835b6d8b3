import type { Span } from "@opentelemetry/api";
import type { OnceLogger, TracedCallState } from "@agentops/instrumentation-core";
import { recordError, recordResult } from "./attributes";

/**
 * One traced MCP request, on either side: its span, and the single place where that span ends.
 * Every method is guarded: recording never throws into the SDK's code.
 */
export class McpCall implements TracedCallState {
  private ended = false;

  constructor(
    readonly span: Span,
    private readonly method: string,
    private readonly captureContent: boolean,
    private readonly log: OnceLogger,
  ) {}

  /** Ends the span with what the request returned. */
  succeed(result: unknown): void {
    this.finish("recording a result", () => recordResult(this.span, this.method, result, this.captureContent));
  }

  /** Ends the span as failed with the error the caller receives unchanged. */
  fail(error: unknown): void {
    this.finish("recording an error", () => recordError(this.span, error));
  }

  /** Ends the span with what is known, if nothing else has. */
  end(): void {
    this.finish("ending a span", () => undefined);
  }

  private finish(what: string, record: () => void): void {
    if (this.ended) return;
    this.ended = true;
    try {
      record();
    } catch (error) {
      this.log.error(what, `${what} failed; the request itself is unaffected`, error);
    }
    try {
      this.span.end();
    } catch (error) {
      this.log.error("ending a span", "ending a span failed; the request itself is unaffected", error);
    }
  }
}
