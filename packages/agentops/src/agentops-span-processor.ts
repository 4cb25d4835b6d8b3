import type { Context } from "@opentelemetry/api";
import type { Span, SpanExporter } from "@opentelemetry/sdk-trace-base";
import { getDefaultPriceTable, PriceTable } from "@agentops/pricing";
import { Configuration } from "./config";
import { ExportQueue } from "./export-queue";
import { OtlpHttpExporter } from "./otlp-exporter";
import { SessionSpanProcessor, type SessionTotals } from "./session-span-processor";
import type { AgentOpsOptions, ExportStats } from "./types";

/**
 * Options of {@link AgentOpsSpanProcessor}: the `init` options that concern export and
 * aggregation. Each falls back to its environment variable, then to its default, as in `init`.
 */
export type AgentOpsSpanProcessorOptions = Pick<
  AgentOpsOptions,
  "apiKey" | "endpoint" | "headers" | "maxWaitTime" | "maxQueueSize" | "maxBufferSize" | "prices" | "exporter"
>;

/**
 * While `init` looks for a processor already added to the application's provider, the next
 * `onStart` of any AgentOpsSpanProcessor (the probe span's) answers in `found`. `last` is the
 * processor constructed most recently: the answer when the probe span was not sampled.
 */
const probe: { active: boolean; found?: AgentOpsSpanProcessor; last?: AgentOpsSpanProcessor } = { active: false };

/**
 * The agentops span processor: aggregates counts, tokens and cost per session as spans end, and
 * exports the spans of sessions (and only those) to the agentops server over OTLP/HTTP, through a
 * bounded queue that retries what the server could not take yet.
 *
 * `agentops.init()` creates one when it sets up OpenTelemetry itself. An application that owns
 * its `NodeTracerProvider` or `NodeSDK` adds it there, before calling `init()`, and `init()` then
 * uses it (it never adds a second one): the application's other processors and exporters keep
 * receiving every span, the sessions' spans included.
 *
 * @example
 * const sdk = new NodeSDK({
 *   spanProcessors: [new AgentOpsSpanProcessor({ apiKey: process.env.AGENTOPS_API_KEY }), new BatchSpanProcessor(myExporter)],
 * });
 * sdk.start();
 * const session = agentops.init();
 */
export class AgentOpsSpanProcessor extends SessionSpanProcessor {
  /** The export and aggregation settings, resolved (options, then environment, then defaults). */
  readonly config: Configuration;
  private readonly endpointQueues = new Map<string, ExportQueue>();
  private readonly exporterQueues = new WeakMap<SpanExporter, ExportQueue>();

  constructor(options: AgentOpsSpanProcessorOptions | Configuration = {}) {
    const config = options instanceof Configuration ? options : new Configuration(options ?? {});
    super(config.prices ? new PriceTable(config.prices) : getDefaultPriceTable(), config.maxWaitTime);
    this.config = config;
    probe.last = this;
  }

  override onStart(_span: Span, _parentContext: Context): void {
    if (probe.active && probe.found === undefined) probe.found = this;
  }

  /**
   * Tracks a session: its spans are aggregated into `totals` and exported as `config` says (its
   * endpoint and key, or its exporter; nothing without either).
   * @internal
   */
  track(traceId: string, totals: SessionTotals, config: Configuration = this.config): void {
    this.sessions.set(traceId, { totals, queue: this.queueFor(config), mask: config.mask });
  }

  /** What the export queues have done so far, summed. */
  exportStats(): ExportStats {
    const total: ExportStats = { exported: 0, droppedBufferFull: 0, droppedRejected: 0, queued: 0, retries: 0 };
    for (const queue of this.queues) {
      const stats = queue.stats;
      total.exported += stats.exported;
      total.droppedBufferFull += stats.droppedBufferFull;
      total.droppedRejected += stats.droppedRejected;
      total.queued += stats.queued;
      total.retries += stats.retries;
    }
    return total;
  }

  /** Exports everything queued; true when all of it was delivered within `timeoutMs`. */
  async flush(timeoutMs: number = this.config.maxWaitTime): Promise<boolean> {
    const results = await Promise.all([...this.queues].map((queue) => queue.flush(timeoutMs)));
    return results.every(Boolean);
  }

  /**
   * Exports what is queued synchronously, for the `exit` event (an explicit `process.exit()`),
   * within `timeoutMs` in all.
   * @internal
   */
  drainSync(timeoutMs: number): void {
    const deadline = Date.now() + timeoutMs;
    for (const queue of this.queues) {
      if (queue.size > 0) queue.drainSync(Math.max(1, deadline - Date.now()));
    }
  }

  private queueFor(config: Configuration): ExportQueue | undefined {
    const options = { batchSize: config.maxQueueSize, bufferSize: config.maxBufferSize, maxWaitMs: config.maxWaitTime };
    if (config.exporter) {
      let queue = this.exporterQueues.get(config.exporter);
      if (!queue) {
        queue = new ExportQueue(config.exporter, options);
        this.exporterQueues.set(config.exporter, queue);
        this.queues.add(queue);
      }
      return queue;
    }
    if (!config.apiKey) return undefined;
    const key = `${config.endpoint}\n${config.apiKey}`;
    let queue = this.endpointQueues.get(key);
    if (!queue) {
      const exporter = new OtlpHttpExporter({
        url: `${config.endpoint}/v1/traces`,
        apiKey: config.apiKey,
        headers: config.headers,
        timeoutMs: Math.max(10_000, config.maxWaitTime),
      });
      queue = new ExportQueue(exporter, options);
      this.endpointQueues.set(key, queue);
      this.queues.add(queue);
    }
    return queue;
  }
}

/**
 * Runs `start` (which starts a span through the global tracer provider) and tells which
 * AgentOpsSpanProcessor saw that span start, if any: the one added to the application's provider.
 */
export function findAttachedProcessor(start: () => { isRecording(): boolean }): {
  processor: AgentOpsSpanProcessor | undefined;
  recording: boolean;
} {
  probe.active = true;
  probe.found = undefined;
  try {
    const span = start();
    const recording = span.isRecording();
    // An unsampled probe never reaches processors: then the processor constructed last is taken as added.
    return { processor: probe.found ?? (recording ? undefined : probe.last), recording };
  } finally {
    probe.active = false;
    probe.found = undefined;
  }
}
