import type { AgentOpsSpanProcessor } from "./agentops-span-processor";
import type { Configuration } from "./config";
import { SessionTotals } from "./session-span-processor";

/** How many callers' traces a process keeps exporting at once; the least recently used leaves first. */
export const MAX_REMOTE_TRACES = 256;

/**
 * The sessions of other processes that this process works for: an MCP server answering a client
 * that propagated its trace. The spans the server starts for such a request are in the
 * client's trace, which is the client's session (the session id is the trace id), so the
 * processor exports them as spans of that session, with this process's endpoint and key. No
 * `Session` is made: the caller owns the session, ends it and counts it; this process only adds
 * its spans, and the server's MCP span is classified so that the call is counted once.
 *
 * Bounded: a long-running server serves many sessions, so only the {@link MAX_REMOTE_TRACES}
 * most recently joined are kept; a request of a forgotten one joins it again.
 */
export class RemoteTraces {
  /** Trace ids, least recently joined first (a Map keeps insertion order). */
  private readonly joined = new Map<string, true>();

  constructor(
    private readonly processor: AgentOpsSpanProcessor,
    private readonly config: Configuration,
    private readonly max = MAX_REMOTE_TRACES,
  ) {}

  get size(): number {
    return this.joined.size;
  }

  /**
   * Exports the spans of `traceId` from now on; true when it was not exported before. A trace
   * that is one of this process's own sessions stays as it is.
   */
  join(traceId: string): boolean {
    if (this.joined.delete(traceId)) {
      this.joined.set(traceId, true);
      return false;
    }
    if (this.processor.sessions.has(traceId)) return false;
    this.processor.track(traceId, new SessionTotals(), this.config);
    this.joined.set(traceId, true);
    if (this.joined.size > this.max) {
      const oldest = this.joined.keys().next().value as string;
      this.joined.delete(oldest);
      this.processor.sessions.delete(oldest);
    }
    return true;
  }

  /** Forgets every joined trace (at shutdown). */
  clear(): void {
    for (const traceId of this.joined.keys()) this.processor.sessions.delete(traceId);
    this.joined.clear();
  }
}
