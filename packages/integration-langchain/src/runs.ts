import { type Context, type Span, trace } from "@opentelemetry/api";
import { addParentContextProvider } from "@agentops/instrumentation-core";

/** One LangChain run in flight and the OpenTelemetry span standing for it. */
export interface Run {
  span: Span;
  /** The context with {@link Run.span} active: where its children start. */
  context: Context;
  /** The outermost run above this one (its own id for an outermost run): ends what it left open. */
  rootRunId: string;
  /**
   * The span a client call made where the run started would start under (the active one, as the
   * parent-context providers refine it): client calls nest under a model run only from there.
   */
  outerSpanId: string | undefined;
  /** For model runs: the client spans an instrumentation started under this one. */
  clientCalls: number;
  isModelRun: boolean;
}

/** A run left untraced (LangGraph's `langsmith:hidden` internals): its children go to its parent. */
interface HiddenRun {
  parentRunId: string | undefined;
  rootRunId: string;
}

/**
 * The runs in flight, shared by every handler (and every copy of this package: ESM and CJS builds
 * may both be loaded), so that two handlers on one call (one passed in, one registered) trace
 * each run once, and one parent-context provider serves them all.
 */
export class RunTable {
  readonly runs = new Map<string, Run>();
  readonly hidden = new Map<string, HiddenRun>();
  /** Set while a handler resolves a run's own parent, so that it is not taken for a client call. */
  resolving = false;

  constructor() {
    addParentContextProvider((active) => this.clientParent(active));
  }

  /** The nearest traced run at or above `runId`, walking through hidden runs. */
  traced(runId: string | undefined): Run | undefined {
    for (let id = runId, steps = 0; id !== undefined && steps < 1_000; steps += 1) {
      const run = this.runs.get(id);
      if (run !== undefined) return run;
      id = this.hidden.get(id)?.parentRunId;
    }
    return undefined;
  }

  /** The id of the outermost run above `parentRunId` (`runId` itself when it has none). */
  rootOf(runId: string, parentRunId: string | undefined): string {
    if (parentRunId === undefined) return runId;
    return this.runs.get(parentRunId)?.rootRunId ?? this.hidden.get(parentRunId)?.rootRunId ?? parentRunId;
  }

  /** Removes a run; when it is an outermost one, ends and forgets what it left open (an abandoned stream). */
  finish(runId: string): Run | undefined {
    const run = this.runs.get(runId);
    this.runs.delete(runId);
    this.hidden.delete(runId);
    if (run !== undefined && run.rootRunId === runId) {
      for (const [id, open] of this.runs) {
        if (open.rootRunId !== runId) continue;
        this.runs.delete(id);
        open.span.end();
      }
      for (const [id, hidden] of this.hidden) if (hidden.rootRunId === runId) this.hidden.delete(id);
    }
    return run;
  }

  /**
   * The parent of an LLM client call starting under `active`. LangChain keeps no OpenTelemetry
   * context, so the call does not know the model run it serves; but a model run calls its client
   * right after its start callback (which the handler awaits), so the oldest model run still
   * waiting for its call is the one (in order, for runs started together, as `batch` does). A
   * model run that already has one takes a further call (a retry). Only when the active span is
   * the one the run started under: a client call inside a span of the application's own stays
   * there.
   */
  private clientParent(active: Context): Context | undefined {
    // `active` comes refined by the providers registered before this one (agentops': the session).
    if (this.resolving || this.runs.size === 0) return undefined;
    const activeSpanId = trace.getSpan(active)?.spanContext().spanId;
    let waiting: Run | undefined;
    let latest: Run | undefined;
    for (const run of this.runs.values()) {
      if (!run.isModelRun || run.outerSpanId !== activeSpanId) continue;
      if (run.clientCalls === 0) {
        waiting = run;
        break;
      }
      latest = run;
    }
    const run = waiting ?? latest;
    if (run === undefined) return undefined;
    run.clientCalls += 1;
    return trace.setSpan(active, run.span);
  }
}

const TABLE = Symbol.for("@agentops/langchain:runs");

/** The process's one {@link RunTable}, created (and its provider registered) on first use. */
export function runTable(): RunTable {
  const holder = globalThis as { [TABLE]?: RunTable };
  return (holder[TABLE] ??= new RunTable());
}
