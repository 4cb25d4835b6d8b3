import { randomBytes } from "node:crypto";
import { setMaxListeners } from "node:events";
import { context, SpanKind, SpanStatusCode, trace, type Attributes, type Context, type Span, type SpanOptions, type Tracer } from "@opentelemetry/api";
import { formatCost } from "@agentops/pricing";
import {
  ATTR_AGENTOPS_SESSION_ACTIONS,
  ATTR_AGENTOPS_SESSION_CACHED_TOKENS,
  ATTR_AGENTOPS_SESSION_COMPLETION_TOKENS,
  ATTR_AGENTOPS_SESSION_COST,
  ATTR_AGENTOPS_SESSION_END_STATE,
  ATTR_AGENTOPS_SESSION_END_STATE_REASON,
  ATTR_AGENTOPS_SESSION_ERRORS,
  ATTR_AGENTOPS_SESSION_ID,
  ATTR_AGENTOPS_SESSION_INHERITED,
  ATTR_AGENTOPS_SESSION_LLM_CALLS,
  ATTR_AGENTOPS_SESSION_PROMPT_TOKENS,
  ATTR_AGENTOPS_SESSION_REASONING_TOKENS,
  ATTR_AGENTOPS_SESSION_START_TIME,
  ATTR_AGENTOPS_SESSION_TAGS,
  ATTR_AGENTOPS_SESSION_TOOL_CALLS,
  ATTR_AGENTOPS_SESSION_TOTAL_TOKENS,
  ATTR_AGENTOPS_SESSION_VIDEO,
  ATTR_AGENTOPS_SPAN_KIND,
  SpanKindValues,
  traceIdToUuid,
} from "@agentops/semconv";
import type { Configuration } from "./config";
import { JOINED_TRACE_ID_KEY } from "./context";
import { SessionBudget, type BudgetExceeded, type BudgetExceededError, type BudgetLimits } from "./budget";
import { ErrorEvent, type Event } from "./events";
import type { SessionIdGenerator } from "./id-generator";
import { logger, logOnce } from "./logger";
import { recordScore, type ScoreOptions, type ScoreValue } from "./scores";
import { fetchServerStats } from "./server-api";
import { SessionTotals } from "./session-span-processor";
import type { EndState, HostEnv, SessionAnalytics } from "./types";

/** What a session needs from the client that created it. */
export interface SessionHost {
  readonly tracer: Tracer;
  /** Present when the SDK owns the tracer provider (then joined-by-id spans can be true roots). */
  readonly idGenerator: SessionIdGenerator | undefined;
  /** Called when the session has ended (synchronously, before its spans are flushed). */
  sessionEnded(session: Session): void;
  /** Flushes the session's spans and returns its cost: the server's when it answers in time, else the local one. */
  completeSession(session: Session): Promise<string>;
}

/** How this process takes part in the session. */
export type SessionRole =
  | { kind: "owner" }
  | { kind: "joined"; parentSpanId: string | undefined };

/**
 * The controller of `session.signal`. The signal is meant to be passed to every call of the
 * session, and clients add an abort listener per request, so it takes any number of listeners
 * (without Node's warning at 11).
 */
function signalController(): AbortController {
  const controller = new AbortController();
  setMaxListeners(0, controller.signal);
  return controller;
}

/** How often a session with a budget compares it with the server's totals, in ms. */
export const BUDGET_POLL_MS = 2_000;

const END_STATES: ReadonlyMap<string, EndState> = new Map([
  ["success", "Success"],
  ["failure", "Failure"],
  ["fail", "Failure"],
  ["indeterminate", "Indeterminate"],
]);

/** `"Success" | "Failure" | "Indeterminate"` (any case), `"Fail"` as `"Failure"`; otherwise undefined. */
export function normalizeEndState(value: unknown): EndState | undefined {
  return typeof value === "string" ? END_STATES.get(value.trim().toLowerCase()) : undefined;
}

/** `1234` → `"1.2s"`, `62_300` → `"1m 2.3s"`, `3_723_000` → `"1h 2m 3.0s"`. */
export function formatDuration(ms: number): string {
  const total = Math.max(0, ms);
  const hours = Math.floor(total / 3_600_000);
  const minutes = Math.floor((total % 3_600_000) / 60_000);
  const seconds = (total % 60_000) / 1000;
  const text = `${seconds.toFixed(1)}s`;
  if (hours > 0) return `${hours}h ${minutes}m ${text}`;
  if (minutes > 0) return `${minutes}m ${text}`;
  return text;
}

function uniqueTags(tags: unknown): string[] {
  if (!Array.isArray(tags)) return [];
  const seen = new Set<string>();
  for (const tag of tags) if (typeof tag === "string" && tag !== "") seen.add(tag);
  return [...seen];
}

/**
 * One run of an agent: a root span whose trace id is the session id, with every event of the run
 * as a child span. Create sessions with `agentops.init()` or `agentops.startSession()`.
 *
 * @example
 * const session = agentops.startSession({ tags: ["nightly"] });
 * session.record(new ActionEvent({ actionType: "plan" }));
 * const cost = await session.endSession("Success"); // "0.007500"
 */
export class Session {
  /** The session id: a UUID whose 32 hex digits are the trace id. */
  readonly id: string;
  /** The OpenTelemetry trace id (32 hex digits). */
  readonly traceId: string;
  /** Host environment collected at start; undefined when opted out. */
  hostEnv: HostEnv | undefined;
  /** @internal running totals, updated by the span processor */
  readonly totals = new SessionTotals();
  /** @internal the context that parents this session's spans */
  readonly context: Context;
  /** @internal */
  readonly config: Configuration;

  private readonly startMs: number;
  private endMs: number | undefined;
  private state: EndState | undefined;
  private reason: string | undefined;
  private tagList: string[];
  private videoUrl: string | undefined;
  private readonly rootSpan: Span | undefined;
  private readonly parentSpanId: string | undefined;
  private readonly inherited: boolean;
  private readonly joinedById: boolean;
  private costPromise: Promise<string> | undefined;
  private readonly captureContent: boolean;
  private readonly budgetController = signalController();
  private budgetPoll: NodeJS.Timeout | undefined;

  /**
   * Aborted, with a {@link BudgetExceededError} as its reason, when the session reaches a budget
   * limit (`maxCostUsd`, `maxLlmCalls`). Pass it to LLM calls and loops to stop a runaway agent.
   */
  get signal(): AbortSignal {
    return this.budgetController.signal;
  }

  /** @internal use `agentops.startSession()` */
  constructor(
    private readonly host: SessionHost,
    config: Configuration,
    traceId: string | undefined,
    role: SessionRole,
    tags: string[],
    hostEnv: HostEnv | undefined,
  ) {
    this.config = config;
    this.captureContent = config.captureContent;
    this.tagList = uniqueTags([...config.defaultTags, ...tags]);
    this.hostEnv = hostEnv;
    this.startMs = Date.now();
    this.inherited = role.kind === "joined";
    this.joinedById = role.kind === "joined" && role.parentSpanId === undefined;
    const base = trace.deleteSpan(context.active()).setValue(JOINED_TRACE_ID_KEY, undefined);
    if (role.kind === "owner") {
      const attributes: Attributes = {
        [ATTR_AGENTOPS_SPAN_KIND]: SpanKindValues.SESSION,
        [ATTR_AGENTOPS_SESSION_TAGS]: this.tagList,
      };
      this.rootSpan = host.tracer.startSpan("session", { root: true, kind: SpanKind.INTERNAL, attributes, startTime: this.startMs }, base);
      this.traceId = this.rootSpan.spanContext().traceId;
      this.id = traceIdToUuid(this.traceId);
      this.rootSpan.setAttribute(ATTR_AGENTOPS_SESSION_ID, this.id);
      this.parentSpanId = this.rootSpan.spanContext().spanId;
      this.context = trace.setSpan(base, this.rootSpan);
    } else {
      this.traceId = traceId!;
      this.id = traceIdToUuid(this.traceId);
      this.parentSpanId = role.parentSpanId;
      this.context =
        role.parentSpanId !== undefined
          ? trace.setSpanContext(base, { traceId: this.traceId, spanId: role.parentSpanId, traceFlags: 1, isRemote: true })
          : base.setValue(JOINED_TRACE_ID_KEY, this.traceId);
    }
  }

  /**
   * @internal arms the session's budget: checked by the span processor as LLM spans end and,
   * when the session exports to a server, against the server's totals (which count every process
   * of the session) every {@link BUDGET_POLL_MS} ms.
   */
  armBudget(limits: BudgetLimits, onExceeded: ((exceeded: BudgetExceeded) => void) | undefined): void {
    const budget = new SessionBudget(this.id, limits, (error) => this.overBudget(error, onExceeded));
    if (!budget.active) return;
    this.totals.budget = budget;
    budget.check(this.totals);
    const { apiKey, endpoint, exporter } = this.config;
    if (budget.exceeded !== undefined || !apiKey || exporter !== undefined) return;
    const poll = () => {
      this.budgetPoll = undefined;
      if (this.endMs !== undefined || budget.exceeded !== undefined) return;
      void fetchServerStats({ endpoint, apiKey, sessionId: this.id }, BUDGET_POLL_MS).then((stats) => {
        if (stats !== undefined && this.endMs === undefined) budget.check({ cost: Number(stats.cost), llmCalls: stats.llmCalls }, "server");
        if (this.endMs === undefined && budget.exceeded === undefined) {
          this.budgetPoll = setTimeout(poll, BUDGET_POLL_MS);
          this.budgetPoll.unref();
        }
      });
    };
    this.budgetPoll = setTimeout(poll, BUDGET_POLL_MS);
    this.budgetPoll.unref();
  }

  /** @internal the error an over-budget session refuses calls with; undefined within budget */
  get budgetExceeded(): BudgetExceededError | undefined {
    return this.totals.budget?.exceeded;
  }

  private overBudget(error: BudgetExceededError, onExceeded: ((exceeded: BudgetExceeded) => void) | undefined): void {
    this.record(new ErrorEvent({ errorType: "BudgetExceeded", code: "budget_exceeded", details: error.message }));
    this.budgetController.abort(error);
    if (onExceeded === undefined) {
      logger.warn(error.message);
      return;
    }
    logger.info(error.message);
    try {
      onExceeded(error.details);
    } catch (failure) {
      logger.error("onBudgetExceeded threw; ignored", failure);
    }
  }

  /** @internal announces the session to the backend before it ends */
  announce(): void {
    if (this.rootSpan) this.marker(SpanKindValues.SESSION_START, "session.start");
  }

  /** ISO 8601 start time. */
  get startTimestamp(): string {
    return new Date(this.startMs).toISOString();
  }

  /** ISO 8601 end time, once ended. */
  get endTimestamp(): string | undefined {
    return this.endMs === undefined ? undefined : new Date(this.endMs).toISOString();
  }

  get endState(): EndState | undefined {
    return this.state;
  }

  get endStateReason(): string | undefined {
    return this.reason;
  }

  /** A copy of the session's tags. */
  get tags(): string[] {
    return [...this.tagList];
  }

  get video(): string | undefined {
    return this.videoUrl;
  }

  /** Whether the session has ended (in this process). */
  get ended(): boolean {
    return this.endMs !== undefined;
  }

  /** Whether this process joined a session that another process started. */
  get isInherited(): boolean {
    return this.inherited;
  }

  /** W3C traceparent for this session: other processes given it join as children of this process's span. */
  get traceparent(): string {
    return `00-${this.traceId}-${this.parentSpanId ?? this.placeholderSpanId()}-01`;
  }

  private placeholder: string | undefined;
  private placeholderSpanId(): string {
    return (this.placeholder ??= randomBytes(8).toString("hex"));
  }

  /**
   * Environment variables that make a child process that calls `agentops.init()` (or starts with
   * `--import agentops/register`) join this session.
   *
   * @example
   * spawn(process.execPath, ["worker.js"], { env: { ...process.env, ...session.childEnv() } });
   */
  childEnv(): Record<string, string> {
    const env: Record<string, string> = {
      AGENTOPS_INHERITED_SESSION_ID: this.id,
      TRACEPARENT: this.traceparent,
      AGENTOPS_API_ENDPOINT: this.config.endpoint,
    };
    if (this.config.apiKey) env.AGENTOPS_API_KEY = this.config.apiKey;
    return env;
  }

  /**
   * Records an event as a child span of the session, keeping its timestamps (the end time is set
   * to now when absent). Never throws.
   */
  record(event: Event): void {
    if (this.endMs !== undefined) {
      logOnce("warn", "record-ended:" + this.id, `Session ${this.id} has ended; events recorded after its end are dropped.`);
      return;
    }
    try {
      if (event === null || typeof event !== "object" || typeof (event as Event).spanAttributes !== "function") {
        logger.warn("record() takes an ActionEvent, LLMEvent, ToolEvent or ErrorEvent; ignoring", event);
        return;
      }
      const attributes = event.spanAttributes(this.captureContent);
      if (this.inherited) attributes[ATTR_AGENTOPS_SESSION_INHERITED] = true;
      let end = event.endMs;
      if (end === undefined) end = event.endMs = Date.now();
      const span = this.startSpan(event.spanName(), { kind: event.spanKind(), startTime: event.initMs, attributes });
      const message = event.errorMessage();
      if (message !== undefined) span.setStatus({ code: SpanStatusCode.ERROR, message });
      span.end(end);
    } catch (error) {
      logOnce("error", "record-failed", "agentops could not record an event; it is skipped.", error);
    }
  }

  /** @internal starts the span of an event still under way (the wrappers); undefined once ended */
  startEventSpan(event: Event): Span | undefined {
    if (this.endMs !== undefined) return undefined;
    const attributes = event.spanAttributes(this.captureContent);
    if (this.inherited) attributes[ATTR_AGENTOPS_SESSION_INHERITED] = true;
    // Nest under the span in progress (an enclosing wrapped call) when it belongs to this session.
    const active = context.active();
    const parent = trace.getSpan(active)?.spanContext().traceId === this.traceId ? active : undefined;
    const options = { kind: event.spanKind(), startTime: event.initMs, attributes };
    return parent === undefined ? this.startSpan(event.spanName(), options) : this.host.tracer.startSpan(event.spanName(), options, parent);
  }

  /** @internal ends such a span with what the event learned meanwhile (its returns) */
  endEventSpan(event: Event, span: Span | undefined): void {
    try {
      if (event.endMs === undefined) event.endMs = Date.now();
      if (span === undefined) return;
      span.setAttributes(event.spanAttributes(this.captureContent));
      span.end(event.endMs);
    } catch (error) {
      logOnce("error", "end-event-failed", "agentops could not end an event span.", error);
    }
  }

  /** Appends tags (duplicates ignored) and tells the backend. */
  addTags(tags: string[]): void {
    if (!Array.isArray(tags)) {
      logger.warn("addTags() takes an array of strings; ignoring", tags);
      return;
    }
    this.tagList = uniqueTags([...this.tagList, ...tags]);
    this.changed();
  }

  /** Replaces the tags and tells the backend. */
  setTags(tags: string[]): void {
    if (!Array.isArray(tags)) {
      logger.warn("setTags() takes an array of strings; ignoring", tags);
      return;
    }
    this.tagList = uniqueTags(tags);
    this.changed();
  }

  /** Sets the URL of a recording of the session. */
  setVideo(url: string): void {
    if (typeof url !== "string") {
      logger.warn("setVideo() takes a URL string; ignoring", url);
      return;
    }
    this.videoUrl = url;
    this.changed();
  }

  /**
   * Records a score of the session on the server (`POST /v2/sessions/:id/scores`), in the
   * background: `flush()` and `endSession()` wait for it, and it may be given after the session
   * ended. The value is a finite number or a boolean (stored as 1 / 0). Resolves true once the
   * server stored it; false (with a warning) when it is invalid, refused, or could not be sent
   * after retries. Never throws or rejects.
   *
   * @example
   * void session.score("quality", 0.9, { comment: "correct, a bit long" });
   */
  score(name: string, value: ScoreValue, options?: ScoreOptions): Promise<boolean> {
    return recordScore(this, name, value, options);
  }

  /** Runs `fn` with this session current: events and LLM calls inside it belong to this session. */
  run<T>(fn: () => T): T {
    return context.with(this.context, fn);
  }

  /** Counts, tokens, duration and cost so far (or final, once ended). */
  getAnalytics(): SessionAnalytics {
    const totals = this.totals;
    const durationMs = (this.endMs ?? Date.now()) - this.startMs;
    return {
      llmCalls: totals.llmCalls,
      toolCalls: totals.toolCalls,
      actions: totals.actions,
      errors: totals.errors,
      promptTokens: totals.promptTokens,
      completionTokens: totals.completionTokens,
      totalTokens: totals.promptTokens + totals.completionTokens,
      durationMs,
      duration: formatDuration(durationMs),
      cost: formatCost(totals.cost),
    };
  }

  /**
   * Ends the session, flushes its spans, and returns its total cost in USD (6 decimals): the
   * server's figure when it answers within `maxWaitTime` (it includes other processes of the
   * session), else the local one. An invalid end state is reported and the session stays open.
   */
  endSession(endState: EndState | "Fail", endStateReason?: string): Promise<string> {
    const state = normalizeEndState(endState);
    if (state === undefined) {
      logger.error(
        `endSession(${JSON.stringify(endState)}): the end state must be "Success", "Failure" or "Indeterminate". Session ${this.id} stays open.`,
      );
      return Promise.resolve(formatCost(this.totals.cost));
    }
    if (this.endMs !== undefined) {
      logger.warn(`Session ${this.id} has already ended (${this.state}).`);
      return this.costPromise ?? Promise.resolve(formatCost(this.totals.cost));
    }
    this.finish(state, endStateReason);
    return (this.costPromise = this.host.completeSession(this));
  }

  /** @internal ends the session synchronously: writes totals and state on the root span and ends it */
  finish(state: EndState, reason: string | undefined): void {
    if (this.endMs !== undefined) return;
    this.endMs = Date.now();
    if (this.budgetPoll !== undefined) clearTimeout(this.budgetPoll);
    this.state = state;
    this.reason = typeof reason === "string" ? reason : undefined;
    try {
      const span = this.rootSpan ?? this.startSpan("session", { kind: SpanKind.INTERNAL, startTime: this.endMs });
      const totals = this.totals;
      span.setAttributes({
        [ATTR_AGENTOPS_SPAN_KIND]: SpanKindValues.SESSION,
        [ATTR_AGENTOPS_SESSION_ID]: this.id,
        [ATTR_AGENTOPS_SESSION_TAGS]: this.tagList,
        [ATTR_AGENTOPS_SESSION_END_STATE]: state,
        [ATTR_AGENTOPS_SESSION_LLM_CALLS]: totals.llmCalls,
        [ATTR_AGENTOPS_SESSION_TOOL_CALLS]: totals.toolCalls,
        [ATTR_AGENTOPS_SESSION_ACTIONS]: totals.actions,
        [ATTR_AGENTOPS_SESSION_ERRORS]: totals.errors,
        [ATTR_AGENTOPS_SESSION_PROMPT_TOKENS]: totals.promptTokens,
        [ATTR_AGENTOPS_SESSION_COMPLETION_TOKENS]: totals.completionTokens,
        [ATTR_AGENTOPS_SESSION_CACHED_TOKENS]: totals.cachedTokens,
        [ATTR_AGENTOPS_SESSION_REASONING_TOKENS]: totals.reasoningTokens,
        [ATTR_AGENTOPS_SESSION_TOTAL_TOKENS]: totals.promptTokens + totals.completionTokens,
        [ATTR_AGENTOPS_SESSION_COST]: totals.cost,
      });
      if (this.inherited) span.setAttribute(ATTR_AGENTOPS_SESSION_INHERITED, true);
      if (this.reason !== undefined) span.setAttribute(ATTR_AGENTOPS_SESSION_END_STATE_REASON, this.reason);
      if (this.videoUrl !== undefined) span.setAttribute(ATTR_AGENTOPS_SESSION_VIDEO, this.videoUrl);
      if (state === "Failure") span.setStatus({ code: SpanStatusCode.ERROR, message: this.reason });
      span.end(this.endMs);
    } catch (error) {
      logOnce("error", "end-failed", "agentops could not end a session span.", error);
    }
    this.host.sessionEnded(this);
  }

  /**
   * `base` with this session in it, as `session.run` would have it: the session's span (or, for a
   * session joined by id only, its trace id) replaces whatever `base` had.
   * @internal
   */
  contextOn(base: Context): Context {
    const span = trace.getSpan(this.context);
    return span !== undefined ? trace.setSpan(base, span) : base.setValue(JOINED_TRACE_ID_KEY, this.traceId);
  }

  /** Starts a span of this session; a session joined by id only gets true roots of its trace. */
  private startSpan(name: string, options: SpanOptions): Span {
    const generator = this.host.idGenerator;
    if (this.joinedById && generator !== undefined) {
      generator.useTraceIdOnce(this.traceId);
      try {
        return this.host.tracer.startSpan(name, options, this.context);
      } finally {
        generator.useTraceIdOnce(undefined);
      }
    }
    return this.host.tracer.startSpan(name, options, this.context);
  }

  private changed(): void {
    if (this.endMs !== undefined) return;
    this.marker(SpanKindValues.SESSION_UPDATE, "session.update");
  }

  private marker(kind: string, name: string): void {
    try {
      const attributes: Attributes = {
        [ATTR_AGENTOPS_SPAN_KIND]: kind,
        [ATTR_AGENTOPS_SESSION_ID]: this.id,
        [ATTR_AGENTOPS_SESSION_TAGS]: this.tagList,
        [ATTR_AGENTOPS_SESSION_START_TIME]: this.startMs,
      };
      if (this.videoUrl !== undefined) attributes[ATTR_AGENTOPS_SESSION_VIDEO] = this.videoUrl;
      if (this.inherited) attributes[ATTR_AGENTOPS_SESSION_INHERITED] = true;
      const now = Date.now();
      this.startSpan(name, { attributes, startTime: now }).end(now);
    } catch (error) {
      logOnce("error", "marker-failed", "agentops could not announce a session change.", error);
    }
  }
}
