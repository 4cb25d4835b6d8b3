import * as http from "node:http";
import * as https from "node:https";
import { context, propagation, ROOT_CONTEXT, trace, type Context, type ContextManager, type Tracer, type TracerProvider } from "@opentelemetry/api";
import { CompositePropagator, suppressTracing, W3CBaggagePropagator, W3CTraceContextPropagator } from "@opentelemetry/core";
import { defaultResource, detectResources, envDetector, resourceFromAttributes, type Resource } from "@opentelemetry/resources";
import { NodeTracerProvider } from "@opentelemetry/sdk-trace-node";
import type { SpanExporter } from "@opentelemetry/sdk-trace-base";
import type { Instrumentation } from "@opentelemetry/instrumentation";
import { OpenAIInstrumentation } from "@agentops/instrumentation-openai";
import { AnthropicInstrumentation } from "@agentops/instrumentation-anthropic";
import { formatCost, getDefaultPriceTable, PriceTable } from "@agentops/pricing";
import { ATTR_SERVICE_NAME, traceIdToUuid, uuidToTraceId } from "@agentops/semconv";
import { Configuration } from "./config";
import { enterContext, JOINED_TRACE_ID_KEY, SessionContextManager, type SessionLookup } from "./context";
import { registerEsmHook } from "./esm-hook";
import { ErrorEvent } from "./events";
import { ExitHooks, type ExitHost } from "./exit-hooks";
import { ExportQueue } from "./export-queue";
import { applicationName, HostResourceDetector } from "./host-detector";
import { SessionIdGenerator } from "./id-generator";
import { installDiagLogger, logger } from "./logger";
import { OtlpHttpExporter } from "./otlp-exporter";
import { Session, type SessionHost, type SessionRole } from "./session";
import { SessionSpanProcessor } from "./session-span-processor";
import type { AgentOpsOptions, EndState, ExportStats, HostEnv } from "./types";
import { VERSION } from "./version";

/** Options of `startSession`. */
export interface StartSessionOptions {
  /** Tags of this session (added to the configuration's default tags). */
  tags?: string[];
  /** Join this session (a UUID) instead of starting a new one. */
  inheritedSessionId?: string;
  /** Configuration for this session only: a `Configuration` or its fields. */
  config?: Configuration | AgentOpsOptions;
}

/** How long an ended session's spans are still accepted (late LLM calls, in-flight tools), in ms. */
const LATE_SPAN_GRACE_MS = 60_000;

function isNoop(object: unknown, name: string): boolean {
  return !object || (object as { constructor?: { name?: string } }).constructor?.name === name;
}

/** The application's own tracer provider, if it registered one before `init`. */
function applicationProvider(): any | undefined {
  const global = trace.getTracerProvider() as any;
  const delegate = typeof global?.getDelegate === "function" ? global.getDelegate() : global;
  return isNoop(delegate, "NoopTracerProvider") ? undefined : delegate;
}

function registeredContextManager(): ContextManager | undefined {
  try {
    return (context as unknown as { _getContextManager(): ContextManager })._getContextManager();
  } catch {
    return undefined;
  }
}

/**
 * The SDK's engine, one per process (`agentops.getClient()`): the tracer provider it owns or
 * joined, the span processor, the export queues, the LLM instrumentations, the exit hooks, and
 * the registry of sessions.
 */
export class Client implements SessionHost, SessionLookup, ExitHost {
  readonly config: Configuration;
  readonly tracer: Tracer;
  readonly idGenerator: SessionIdGenerator | undefined;
  /** @internal */
  readonly processor: SessionSpanProcessor;
  /** Whether `init` joined a tracer provider the application had registered. */
  readonly joinedExistingProvider: boolean;

  private readonly provider: TracerProvider & { forceFlush?(): Promise<void>; shutdown?(): Promise<void> };
  private readonly ownsProvider: boolean;
  private readonly registeredGlobals: boolean;
  private readonly contextManager: SessionContextManager | undefined;
  private readonly active = new Map<string, Session>();
  private readonly activeByTrace = new Map<string, Session>();
  private readonly queues = new Map<string, ExportQueue>();
  private readonly exporterQueues = new WeakMap<SpanExporter, ExportQueue>();
  private readonly endedRoots = new WeakSet<object>();
  private readonly instrumentations: Instrumentation[] = [];
  private readonly exitHooks = new ExitHooks(this);
  private readonly graceTimers = new Set<NodeJS.Timeout>();
  private readonly hostEnv: HostEnv | undefined;
  private closed = false;

  constructor(config: Configuration) {
    this.config = config;
    installDiagLogger(config.logLevel);
    const prices = config.prices ? new PriceTable(config.prices) : getDefaultPriceTable();
    this.processor = new SessionSpanProcessor(prices, config.maxWaitTime);

    const host = config.envDataOptOut ? undefined : new HostResourceDetector().detect();
    this.hostEnv = host ? snapshot(host.attributes ?? {}) : undefined;

    const existing = applicationProvider();
    const processors = existing?._activeSpanProcessor?._spanProcessors;
    if (existing && Array.isArray(processors)) {
      // Join the application's OpenTelemetry setup: our processor sees every span it makes.
      processors.push(this.processor);
      this.provider = existing;
      this.ownsProvider = false;
      this.idGenerator = undefined;
      this.joinedExistingProvider = true;
      this.registeredGlobals = false;
      logger.debug("joined the application's tracer provider");
    } else {
      if (existing) logger.warn("The registered tracer provider does not accept span processors; agentops uses a provider of its own.");
      this.idGenerator = new SessionIdGenerator();
      this.provider = new NodeTracerProvider({
        resource: this.resource(host),
        idGenerator: this.idGenerator,
        spanProcessors: [this.processor],
        forceFlushTimeoutMillis: config.maxWaitTime,
      });
      this.ownsProvider = true;
      this.joinedExistingProvider = false;
      this.registeredGlobals = existing === undefined && trace.setGlobalTracerProvider(this.provider);
      if (this.registeredGlobals) {
        propagation.setGlobalPropagator(
          new CompositePropagator({ propagators: [new W3CTraceContextPropagator(), new W3CBaggagePropagator()] }),
        );
      }
    }
    if (isNoop(registeredContextManager(), "NoopContextManager")) {
      const manager = new SessionContextManager(this);
      manager.enable();
      if (context.setGlobalContextManager(manager)) this.contextManager = manager;
    }
    this.tracer = this.provider.getTracer("agentops", VERSION);

    if (config.instrumentLlmCalls) this.instrument();
    if (!config.apiKey && !config.exporter) {
      logger.warn(
        "No API key: sessions are tracked locally (analytics, cost) but nothing is sent to the server. Set AGENTOPS_API_KEY or pass apiKey to init().",
      );
    }
  }

  private resource(host: { attributes?: Record<string, unknown> } | undefined): Resource {
    const serviceName = this.config.serviceName ?? applicationName().then((name) => name ?? "agentops-app");
    let resource = defaultResource().merge(resourceFromAttributes({ [ATTR_SERVICE_NAME]: serviceName as any }));
    if (host) resource = resource.merge(resourceFromAttributes(host.attributes as any));
    return resource.merge(detectResources({ detectors: [envDetector] }));
  }

  private instrument(): void {
    // Clients imported as ES modules after init() are traced too (those imported before cannot be).
    registerEsmHook();
    const makers: Array<() => Instrumentation> = [
      () => new OpenAIInstrumentation({ enabled: false, captureContent: this.config.captureContent }),
      () => new AnthropicInstrumentation({ enabled: false, captureContent: this.config.captureContent }),
    ];
    for (const make of makers) {
      try {
        const instrumentation = make();
        instrumentation.setTracerProvider(this.provider);
        instrumentation.enable();
        this.instrumentations.push(instrumentation);
      } catch (error) {
        logger.warn("could not enable an LLM instrumentation; LLM calls of that client are not traced", error);
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
    this.processor.sessions.set(session.traceId, { totals: session.totals, queue: this.queueFor(config) });
    this.active.set(session.id, session);
    this.activeByTrace.set(session.traceId, session);
    session.announce();
    enterContext(session.context);
    // Joined sessions too: at exit their queued spans must still be flushed (though never ended).
    if (!config.skipAutoEndSession) this.exitHooks.install();
    return session;
  }

  getSession(id: string): Session | undefined {
    const traceId = uuidToTraceId(id);
    return traceId === undefined ? undefined : this.active.get(traceIdToUuid(traceId));
  }

  /**
   * The session a call made now belongs to: the one whose context is active (`session.run`, or
   * the task that started it), else the only active session.
   */
  currentSession(): Session | undefined {
    const active = context.active();
    const traceId = trace.getSpan(active)?.spanContext().traceId ?? (active.getValue(JOINED_TRACE_ID_KEY) as string | undefined);
    if (traceId !== undefined) {
      const session = this.activeByTrace.get(traceId);
      if (session !== undefined) return session;
    }
    return this.active.size === 1 ? (this.active.values().next().value as Session) : undefined;
  }

  getActiveSessions(): Session[] {
    return [...this.active.values()];
  }

  /** @internal */
  sessionEnded(session: Session): void {
    this.active.delete(session.id);
    this.activeByTrace.delete(session.traceId);
    if (session.root) this.endedRoots.add(session.root);
    const timer = setTimeout(() => {
      this.graceTimers.delete(timer);
      if (!this.active.has(session.id)) this.processor.sessions.delete(session.traceId);
    }, LATE_SPAN_GRACE_MS);
    timer.unref();
    this.graceTimers.add(timer);
    if (!this.needsExitHooks()) this.exitHooks.uninstall();
  }

  private needsExitHooks(): boolean {
    for (const session of this.active.values()) {
      if (!session.config.skipAutoEndSession) return true;
    }
    return false;
  }

  /** @internal */
  async completeSession(session: Session): Promise<string> {
    const local = () => formatCost(session.totals.cost);
    const queue = this.processor.sessions.get(session.traceId)?.queue;
    if (queue === undefined) return local();
    const deadline = Date.now() + session.config.maxWaitTime;
    const flushed = await queue.flush(session.config.maxWaitTime);
    if (!flushed || !session.config.apiKey || session.config.exporter) return local();
    const remaining = deadline - Date.now();
    if (remaining <= 0) return local();
    return (await fetchServerCost(session, remaining)) ?? local();
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
    const deadline = Date.now() + this.config.maxWaitTime;
    for (const queue of this.processor.queues) {
      if (queue.size > 0) queue.drainSync(Math.max(1, deadline - Date.now()));
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Context (SessionLookup)
  // ---------------------------------------------------------------------------------------------

  /** @internal */
  soleSessionContext(base: Context): Context | undefined {
    if (this.active.size !== 1) return undefined;
    const session = this.active.values().next().value as Session;
    if (base === ROOT_CONTEXT) return session.context;
    const span = trace.getSpan(session.context);
    if (span) return trace.setSpan(base, span);
    const joined = session.context.getValue(JOINED_TRACE_ID_KEY);
    return joined === undefined ? undefined : base.setValue(JOINED_TRACE_ID_KEY, joined);
  }

  /** @internal */
  isEndedRoot(span: unknown): boolean {
    return typeof span === "object" && span !== null && this.endedRoots.has(span);
  }

  // ---------------------------------------------------------------------------------------------
  // Export
  // ---------------------------------------------------------------------------------------------

  private queueFor(config: Configuration): ExportQueue | undefined {
    const options = { batchSize: config.maxQueueSize, bufferSize: config.maxBufferSize, maxWaitMs: config.maxWaitTime };
    if (config.exporter) {
      let queue = this.exporterQueues.get(config.exporter);
      if (!queue) {
        queue = new ExportQueue(config.exporter, options);
        this.exporterQueues.set(config.exporter, queue);
        this.processor.queues.add(queue);
      }
      return queue;
    }
    if (!config.apiKey) return undefined;
    const key = `${config.endpoint}\n${config.apiKey}`;
    let queue = this.queues.get(key);
    if (!queue) {
      const exporter = new OtlpHttpExporter({
        url: `${config.endpoint}/v1/traces`,
        apiKey: config.apiKey,
        headers: config.headers,
        timeoutMs: Math.max(10_000, config.maxWaitTime),
      });
      queue = new ExportQueue(exporter, options);
      this.queues.set(key, queue);
      this.processor.queues.add(queue);
    }
    return queue;
  }

  /** Exports everything queued; resolves true when all of it was delivered within `maxWaitTime`. */
  async flush(timeoutMs = this.config.maxWaitTime): Promise<boolean> {
    const results = await Promise.all([...this.processor.queues].map((queue) => queue.flush(timeoutMs)));
    return results.every(Boolean);
  }

  /** What the export queues have done so far, summed. */
  exportStats(): ExportStats {
    const total: ExportStats = { exported: 0, droppedBufferFull: 0, droppedRejected: 0, queued: 0, retries: 0 };
    for (const queue of this.processor.queues) {
      const stats = queue.stats;
      total.exported += stats.exported;
      total.droppedBufferFull += stats.droppedBufferFull;
      total.droppedRejected += stats.droppedRejected;
      total.queued += stats.queued;
      total.retries += stats.retries;
    }
    return total;
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
      const processors = (this.provider as any)?._activeSpanProcessor?._spanProcessors;
      if (Array.isArray(processors)) {
        const index = processors.indexOf(this.processor);
        if (index >= 0) processors.splice(index, 1);
      }
      await this.processor.shutdown();
    }
    this.processor.sessions.clear();
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

/** The server's cost of the session (`/v2/sessions/:id/stats`), or undefined when it does not answer in time. */
function fetchServerCost(session: Session, timeoutMs: number): Promise<string | undefined> {
  return new Promise((resolve) => {
    context.with(suppressTracing(context.active()), () => {
      try {
        const url = new URL(`${session.config.endpoint}/v2/sessions/${session.id}/stats`);
        const transport = url.protocol === "https:" ? https : http;
        const request = transport.get(
          url,
          { headers: { "x-agentops-api-key": session.config.apiKey!, accept: "application/json" }, timeout: timeoutMs },
          (response) => {
            const chunks: Buffer[] = [];
            response.on("data", (chunk: Buffer) => chunks.push(chunk));
            response.on("error", () => resolve(undefined));
            response.on("end", () => {
              if (response.statusCode !== 200) return resolve(undefined);
              try {
                const cost = JSON.parse(Buffer.concat(chunks).toString("utf8"))?.cost;
                resolve(typeof cost === "string" && /^\d+\.\d{6}$/.test(cost) ? cost : undefined);
              } catch {
                resolve(undefined);
              }
            });
          },
        );
        request.on("timeout", () => request.destroy());
        request.on("error", () => resolve(undefined));
      } catch {
        resolve(undefined);
      }
    });
  });
}
