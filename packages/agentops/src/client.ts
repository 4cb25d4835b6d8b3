import { context, isSpanContextValid, propagation, ROOT_CONTEXT, trace, type Context, type Tracer, type TracerProvider } from "@opentelemetry/api";
import { AsyncLocalStorageContextManager } from "@opentelemetry/context-async-hooks";
import { CompositePropagator, W3CBaggagePropagator, W3CTraceContextPropagator } from "@opentelemetry/core";
import { defaultResource, detectResources, envDetector, resourceFromAttributes, type DetectedResource, type Resource } from "@opentelemetry/resources";
import { NodeTracerProvider } from "@opentelemetry/sdk-trace-node";
import type { Instrumentation } from "@opentelemetry/instrumentation";
import { addParentContextProvider } from "@agentops/instrumentation-core";
import { formatCost } from "@agentops/pricing";
import { ATTR_SERVICE_NAME, traceIdToUuid, uuidToTraceId } from "@agentops/semconv";
import { AgentOpsSpanProcessor, findAttachedProcessor } from "./agentops-span-processor";
import { validLimit, type BudgetExceeded } from "./budget";
import { Configuration } from "./config";
import { contextManagerRegistered, getTaskSession, JOINED_TRACE_ID_KEY, setTaskSession } from "./context";
import { registerEsmHook } from "./esm-hook";
import { ErrorEvent } from "./events";
import { ExitHooks, type ExitHost } from "./exit-hooks";
import { applicationName, HostResourceDetector } from "./host-detector";
import { SessionIdGenerator } from "./id-generator";
import { instrumentationMakers } from "./instrumentations";
import { installDiagLogger, logger } from "./logger";
import { scoresSettled } from "./scores";
import { RemoteTraces } from "./remote-traces";
import { fetchServerStats } from "./server-api";
import { SessionTracerProvider } from "./session-tracer-provider";
import { Session, type SessionHost, type SessionRole } from "./session";
import type { AgentOpsOptions, EndState, ExportStats, HostEnv } from "./types";
import { VERSION } from "./version";

/** Options of `startSession`. */
export interface StartSessionOptions {
  /** Tags of this session (added to the configuration's default tags). */
  tags?: string[];
  /** Join this session (a UUID) instead of starting one. */
  inheritedSessionId?: string;
  /** Configuration for this session only: a `Configuration` or its fields. */
  config?: Configuration | AgentOpsOptions;
  /** This session's budget in USD (default: the configuration's `maxCostUsd`). */
  maxCostUsd?: number;
  /** This session's budget in LLM calls (default: the configuration's `maxLlmCalls`). */
  maxLlmCalls?: number;
  /** Called once when this session reaches a limit (default: the configuration's). */
  onBudgetExceeded?: (exceeded: BudgetExceeded) => void;
}

/** How long an ended session's spans are still accepted (late LLM calls, in-flight tools), in ms. */
const LATE_SPAN_GRACE_MS = 60_000;

/** The options given explicitly (not undefined), so that they win over a processor's settings. */
function explicitOptions(options: AgentOpsOptions): AgentOpsOptions {
  const explicit: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(options ?? {})) if (value !== undefined) explicit[key] = value;
  return explicit as AgentOpsOptions;
}

/**
 * The SDK's engine, one per process (`agentops.getClient()`): the tracer provider it uses, the
 * span processor, the LLM instrumentations, the exit hooks, and the registry of sessions.
 *
 * Where it sends spans, decided once when it is created:
 * - the application registered a tracer provider with an {@link AgentOpsSpanProcessor} in it:
 *   that provider and that processor (the application's exporters see the sessions' spans too);
 * - the application registered a provider without one: a provider of the SDK's own, not
 *   registered globally, so the application's setup is left exactly as it was;
 * - none registered: a provider of the SDK's own, registered globally with the W3C propagators
 *   and, when none is registered, an AsyncLocalStorage context manager.
 */
export class Client implements SessionHost, ExitHost {
  readonly config: Configuration;
  readonly tracer: Tracer;
  readonly idGenerator: SessionIdGenerator | undefined;
  /** The span processor that aggregates and exports the sessions' spans. */
  readonly processor: AgentOpsSpanProcessor;
  /** Whether the SDK uses the application's tracer provider (it had an AgentOpsSpanProcessor). */
  readonly joinedExistingProvider: boolean;

  private readonly provider: TracerProvider & { forceFlush?(): Promise<void>; shutdown?(): Promise<void> };
  private readonly ownsProvider: boolean;
  private readonly registeredGlobals: boolean;
  private readonly contextManager: AsyncLocalStorageContextManager | undefined;
  private readonly active = new Map<string, Session>();
  private readonly activeByTrace = new Map<string, Session>();
  private readonly instrumentations: Instrumentation[] = [];
  /** Removes the session fallback from the parent-context providers (see the constructor). */
  private readonly removeParentContextProvider: () => void;
  private readonly exitHooks = new ExitHooks(this);
  private readonly graceTimers = new Set<NodeJS.Timeout>();
  private readonly hostEnv: HostEnv | undefined;
  /** Sessions of callers that this process does work for (an MCP server's clients). */
  private readonly remoteTraces: RemoteTraces;
  private closed = false;

  constructor(options: AgentOpsOptions | Configuration = {}) {
    // A probe span through the registered provider (never ended, so never exported) tells whether
    // the application registered one, and whether an AgentOpsSpanProcessor of its own sees it.
    let registered = false;
    const attached = findAttachedProcessor(() => {
      const span = trace.getTracer("agentops").startSpan("agentops.probe", { root: true }, ROOT_CONTEXT);
      registered = isSpanContextValid(span.spanContext());
      return span;
    });
    const processor = registered ? attached.processor : undefined;
    const config =
      options instanceof Configuration
        ? options
        : new Configuration(processor ? { ...processor.config.toOptions(), ...explicitOptions(options) } : options);
    this.config = config;
    installDiagLogger(config.logLevel);

    const host = config.envDataOptOut ? undefined : new HostResourceDetector().detect();
    this.hostEnv = host ? snapshot(host.attributes ?? {}) : undefined;

    if (processor !== undefined) {
      this.processor = processor;
      this.provider = trace.getTracerProvider();
      this.ownsProvider = false;
      this.idGenerator = undefined;
      this.joinedExistingProvider = true;
      this.registeredGlobals = false;
      logger.debug("using the application's tracer provider and its AgentOpsSpanProcessor");
    } else {
      this.processor = new AgentOpsSpanProcessor(config);
      this.idGenerator = new SessionIdGenerator();
      this.provider = new NodeTracerProvider({
        resource: this.resource(host),
        idGenerator: this.idGenerator,
        spanProcessors: [this.processor],
        forceFlushTimeoutMillis: config.maxWaitTime,
      });
      this.ownsProvider = true;
      this.joinedExistingProvider = false;
      if (registered) {
        logger.warn(
          "An OpenTelemetry tracer provider is registered without an AgentOpsSpanProcessor, so agentops keeps its sessions in a provider of its own and leaves yours as it is. To have your spans join the sessions (and your exporters receive theirs), add `new AgentOpsSpanProcessor()` to your provider's span processors before calling init().",
        );
        this.registeredGlobals = false;
      } else {
        // Spans of other libraries started at the top level join the current session, as LLM calls do.
        this.registeredGlobals = trace.setGlobalTracerProvider(
          new SessionTracerProvider(this.provider, (requested) => this.parentContext(requested)),
        );
        if (this.registeredGlobals) {
          propagation.setGlobalPropagator(
            new CompositePropagator({ propagators: [new W3CTraceContextPropagator(), new W3CBaggagePropagator()] }),
          );
        }
      }
    }
    if (!contextManagerRegistered()) {
      const manager = new AsyncLocalStorageContextManager();
      manager.enable();
      if (context.setGlobalContextManager(manager)) this.contextManager = manager;
    }
    this.tracer = this.provider.getTracer("agentops", VERSION);
    this.remoteTraces = new RemoteTraces(this.processor, config);
    // Integrations that start spans of their own (the OpenAI Agents processor) and instrumentations
    // created by the application get the same session fallback as ours.
    this.removeParentContextProvider = addParentContextProvider((active) => this.parentContext(active));

    if (config.instrumentLlmCalls) this.instrument();
    if (!config.apiKey && !config.exporter) {
      logger.warn(
        "No API key: sessions are tracked locally (analytics, cost) but nothing is sent to the server. Set AGENTOPS_API_KEY or pass apiKey to init().",
      );
    }
  }

  private resource(host: DetectedResource | undefined): Resource {
    const serviceName = this.config.serviceName ?? applicationName().then((name) => name ?? "agentops-app");
    let resource = defaultResource().merge(resourceFromAttributes({ [ATTR_SERVICE_NAME]: serviceName }));
    if (host?.attributes) resource = resource.merge(resourceFromAttributes(host.attributes));
    return resource.merge(detectResources({ detectors: [envDetector] }));
  }

  private instrument(): void {
    // Clients imported as ES modules after init() are traced too (those imported before cannot be).
    registerEsmHook();
    const makers = instrumentationMakers({
      captureContent: this.config.captureContent,
      parentContext: (active) => this.parentContext(active),
      refusal: (active) => this.refusal(active),
      joinRemoteTrace: (traceId) => this.joinRemoteTrace(traceId),
    });
    for (const make of makers) {
      try {
        const instrumentation = make();
        instrumentation.setTracerProvider(this.provider);
        instrumentation.enable();
        this.instrumentations.push(instrumentation);
      } catch (error) {
        logger.warn("could not enable an instrumentation; calls of that client are not traced", error);
      }
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Sessions
  // ---------------------------------------------------------------------------------------------

  startSession(options: StartSessionOptions = {}): Session {
    const config =
      options.config === undefined
        ? this.config
        : options.config instanceof Configuration
          ? options.config
          : this.config.with(options.config);
    let role: SessionRole = { kind: "owner" };
    let traceId: string | undefined;
    const inherited = options.inheritedSessionId;
    if (inherited !== undefined) {
      traceId = uuidToTraceId(inherited);
      if (traceId === undefined) {
        logger.error(`inheritedSessionId ${JSON.stringify(inherited)} is not a session id (a UUID); starting a new session instead.`);
      } else {
        const existing = this.active.get(traceIdToUuid(traceId));
        if (existing) return existing;
        const parent = config.traceParent?.traceId === traceId ? config.traceParent.spanId : undefined;
        role = { kind: "joined", parentSpanId: parent };
      }
    }
    const session = new Session(this, config, traceId, role, options.tags ?? [], this.hostEnv);
    this.processor.track(session.traceId, session.totals, config);
    this.active.set(session.id, session);
    this.activeByTrace.set(session.traceId, session);
    session.announce();
    session.armBudget(
      { maxCostUsd: validLimit("maxCostUsd", options.maxCostUsd) ?? config.maxCostUsd, maxLlmCalls: validLimit("maxLlmCalls", options.maxLlmCalls) ?? config.maxLlmCalls },
      options.onBudgetExceeded ?? config.onBudgetExceeded,
    );
    setTaskSession(session);
    // Joined sessions too: at exit their queued spans must still be flushed (though never ended).
    if (!config.skipAutoEndSession) this.exitHooks.install();
    return session;
  }

  getSession(id: string): Session | undefined {
    const traceId = uuidToTraceId(id);
    return traceId === undefined ? undefined : this.active.get(traceIdToUuid(traceId));
  }

  /**
   * The session a call made now belongs to: the one whose span (or joined trace) is in the active
   * context (`session.run`, or a span of the session in progress), else the fallback (see
   * {@link Client.fallbackSession}).
   */
  currentSession(active: Context = context.active()): Session | undefined {
    const traceId = trace.getSpan(active)?.spanContext().traceId ?? (active.getValue(JOINED_TRACE_ID_KEY) as string | undefined);
    if (traceId !== undefined) {
      const session = this.activeByTrace.get(traceId);
      if (session !== undefined) return session;
    }
    return this.fallbackSession();
  }

  /**
   * The session of code that runs outside any session's context: the session most recently
   * started in the same async task while it is open, else the only open session.
   */
  fallbackSession(): Session | undefined {
    const task = getTaskSession<Session>();
    if (task !== undefined && !task.ended && this.active.get(task.id) === task) return task;
    return this.active.size === 1 ? (this.active.values().next().value as Session) : undefined;
  }

  /**
   * Why an auto-traced LLM call must not be sent (the instrumentations' `refuseCall`): its
   * session is over budget and enforces it (`enforceBudget`).
   */
  refusal(active: Context): Error | undefined {
    const session = this.currentSession(active);
    return session !== undefined && session.config.enforceBudget ? session.budgetExceeded : undefined;
  }

  /**
   * The context an auto-traced call starts its span under (the instrumentations' `parentContext`):
   * the active one when it has a span in progress or a joined session; otherwise the active one
   * with the fallback session's span in it, so that calls made outside `session.run` (top-level
   * code, unwrappable callbacks) still land in their session.
   */
  parentContext(active: Context): Context {
    if (trace.getSpan(active) !== undefined || active.getValue(JOINED_TRACE_ID_KEY) !== undefined) return active;
    return this.fallbackSession()?.contextOn(active) ?? active;
  }

  /**
   * Exports this process's spans of `traceId`, a session of another process that this one works
   * for (an MCP server answering a client that propagated its trace), into that session. Its
   * spans are flushed at exit like those of the process's own sessions.
   * @internal
   */
  joinRemoteTrace(traceId: string): void {
    if (this.closed || this.activeByTrace.has(traceId)) return;
    if (this.remoteTraces.join(traceId)) this.exitHooks.install();
  }

  getActiveSessions(): Session[] {
    return [...this.active.values()];
  }

  /** @internal */
  sessionEnded(session: Session): void {
    this.active.delete(session.id);
    this.activeByTrace.delete(session.traceId);
    const timer = setTimeout(() => {
      this.graceTimers.delete(timer);
      if (!this.active.has(session.id)) this.processor.sessions.delete(session.traceId);
    }, LATE_SPAN_GRACE_MS);
    timer.unref();
    this.graceTimers.add(timer);
    if (!this.needsExitHooks()) this.exitHooks.uninstall();
  }

  private needsExitHooks(): boolean {
    if (this.remoteTraces.size > 0) return true;
    for (const session of this.active.values()) {
      if (!session.config.skipAutoEndSession) return true;
    }
    return false;
  }

  /** @internal */
  async completeSession(session: Session): Promise<string> {
    // A score given just before the end is on the server when endSession resolves.
    const [cost] = await Promise.all([this.sessionCost(session), scoresSettled(session.config.maxWaitTime, session.id)]);
    return cost;
  }

  private async sessionCost(session: Session): Promise<string> {
    const local = () => formatCost(session.totals.cost);
    const queue = this.processor.sessions.get(session.traceId)?.queue;
    if (queue === undefined) return local();
    const deadline = Date.now() + session.config.maxWaitTime;
    const flushed = await queue.flush(session.config.maxWaitTime);
    if (!flushed || !session.config.apiKey || session.config.exporter) return local();
    const remaining = deadline - Date.now();
    if (remaining <= 0) return local();
    const stats = await fetchServerStats({ endpoint: session.config.endpoint, apiKey: session.config.apiKey, sessionId: session.id }, remaining);
    return stats?.cost ?? local();
  }

  /** @internal */
  async endOwnedSessions(state: EndState, reason: string, error?: unknown): Promise<void> {
    for (const session of [...this.active.values()]) {
      if (session.isInherited || session.config.skipAutoEndSession) continue;
      if (error !== undefined) session.record(new ErrorEvent({ exception: error }));
      session.finish(state, reason);
    }
    await this.flush();
  }

  /** @internal */
  endOwnedSessionsSync(state: EndState, reason: string): void {
    for (const session of [...this.active.values()]) {
      if (session.isInherited || session.config.skipAutoEndSession) continue;
      session.finish(state, reason);
    }
    this.processor.drainSync(this.config.maxWaitTime);
  }

  // ---------------------------------------------------------------------------------------------
  // Export
  // ---------------------------------------------------------------------------------------------

  /**
   * Exports everything queued and waits for the scores being sent; resolves true when all of it
   * was delivered (and every score settled) within `maxWaitTime`.
   */
  async flush(timeoutMs = this.config.maxWaitTime): Promise<boolean> {
    const [spans, scores] = await Promise.all([this.processor.flush(timeoutMs), scoresSettled(timeoutMs)]);
    return spans && scores;
  }

  /** What the export queues have done so far, summed. */
  exportStats(): ExportStats {
    return this.processor.exportStats();
  }

  get isShutDown(): boolean {
    return this.closed;
  }

  /**
   * Ends this process's open sessions as `Indeterminate` ("shutdown"), flushes, stops the
   * instrumentations and exporting, and unregisters what `init` registered.
   */
  async shutdown(): Promise<void> {
    if (this.closed) return;
    for (const session of [...this.active.values()]) {
      if (!session.isInherited) session.finish("Indeterminate", "shutdown");
    }
    this.active.clear();
    this.activeByTrace.clear();
    this.closed = true;
    this.exitHooks.uninstall();
    this.removeParentContextProvider();
    for (const instrumentation of this.instrumentations) {
      try {
        instrumentation.disable();
      } catch (error) {
        logger.debug("could not disable an instrumentation", error);
      }
    }
    for (const timer of this.graceTimers) clearTimeout(timer);
    if (this.ownsProvider) {
      try {
        // Shuts the processor down too, which flushes the export queues (bounded by maxWaitTime).
        await this.provider.shutdown?.();
      } catch (error) {
        logger.debug("provider shutdown failed", error);
      }
    } else {
      // The processor belongs to the application's provider, which shuts it down; flush ours.
      await this.processor.flush(this.config.maxWaitTime);
    }
    this.processor.sessions.clear();
    this.remoteTraces.clear();
    await scoresSettled(this.config.maxWaitTime);
    if (this.registeredGlobals) {
      trace.disable();
      propagation.disable();
    }
    if (this.contextManager) context.disable();
  }
}

/** The host environment as plain values; attributes that need I/O are filled in when they arrive. */
function snapshot(attributes: Record<string, unknown>): HostEnv {
  const env: HostEnv = {};
  for (const [key, value] of Object.entries(attributes)) {
    if (value instanceof Promise) {
      value.then(
        (resolved) => {
          if (resolved !== undefined) env[key] = resolved as HostEnv[string];
        },
        () => undefined,
      );
    } else if (value !== undefined) {
      env[key] = value as HostEnv[string];
    }
  }
  return env;
}
