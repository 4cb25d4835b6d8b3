import { context } from "@opentelemetry/api";
import { RandomIdGenerator, type IdGenerator } from "@opentelemetry/sdk-trace-base";
import { JOINED_TRACE_ID_KEY } from "./context";

/**
 * Random ids, except that a new root span can be given a chosen trace id: the next one set with
 * {@link SessionIdGenerator.useTraceIdOnce}, or the trace id of a session joined by id only when
 * the active context carries one. That is how spans of a process that joined a session by its id
 * become roots of the session's trace.
 */
export class SessionIdGenerator implements IdGenerator {
  private readonly random = new RandomIdGenerator();
  private next: string | undefined;

  /** The next root span started (synchronously, right after this call) gets this trace id; `undefined` clears it. */
  useTraceIdOnce(traceId: string | undefined): void {
    this.next = traceId;
  }

  generateTraceId = (): string => {
    const forced = this.next;
    if (forced !== undefined) {
      this.next = undefined;
      return forced;
    }
    const joined = context.active().getValue(JOINED_TRACE_ID_KEY);
    return typeof joined === "string" ? joined : this.random.generateTraceId();
  };

  generateSpanId = (): string => this.random.generateSpanId();
}
