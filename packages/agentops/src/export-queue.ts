import { context } from "@opentelemetry/api";
import { ExportResultCode, suppressTracing, type ExportResult } from "@opentelemetry/core";
import type { ReadableSpan, SpanExporter } from "@opentelemetry/sdk-trace-base";
import { logger, logOnce } from "./logger";
import type { ExportStats } from "./types";

export interface ExportQueueOptions {
  /** Spans per export request. */
  batchSize: number;
  /** Spans held in memory; beyond it new spans are dropped and counted. */
  bufferSize: number;
  /** Longest a span waits before its batch is sent, in ms. */
  maxWaitMs: number;
  /** Longest pause between retries of a failing export, in ms (Retry-After may ask for more, up to 60 s). */
  maxBackoffMs?: number;
}

const INITIAL_BACKOFF_MS = 250;
const MAX_RETRY_AFTER_MS = 60_000;

/**
 * A bounded FIFO of finished spans in front of an exporter. One batch is in flight at a time;
 * a batch leaves the buffer only when the exporter accepted it or refused it for good, so a
 * server that is down or overloaded costs memory (bounded) and delay, not data. Retries back off
 * exponentially and honour Retry-After. `push` is O(1) and never does I/O.
 */
export class ExportQueue {
  /** Queued spans from `head` on; slots before `head` are cleared as their batches leave. */
  private items: Array<ReadableSpan | undefined> = [];
  private head = 0;
  private timer: NodeJS.Timeout | undefined;
  /** Whether the pending timer is an immediate one (a full batch waits). */
  private immediate = false;
  private inFlight: Promise<void> | undefined;
  private backoffMs = 0;
  private retryAt = 0;
  private closed = false;
  private waiters: Array<() => void> = [];
  private readonly counters = { exported: 0, droppedBufferFull: 0, droppedRejected: 0, retries: 0 };

  constructor(
    private readonly exporter: SpanExporter,
    private readonly options: ExportQueueOptions,
  ) {}

  /** What the queue has done so far. */
  get stats(): ExportStats {
    return { ...this.counters, queued: this.size };
  }

  get size(): number {
    return this.items.length - this.head;
  }

  push(span: ReadableSpan): void {
    if (this.closed) return;
    if (this.items.length - this.head >= this.options.bufferSize) {
      this.counters.droppedBufferFull++;
      logOnce(
        "warn",
        "buffer-full",
        `The export buffer is full (${this.options.bufferSize} spans); new spans are being dropped and counted. Raise maxBufferSize or check that the server is reachable.`,
      );
      return;
    }
    this.items.push(span);
    if (this.inFlight !== undefined || this.immediate) return;
    if (this.items.length - this.head >= this.options.batchSize && this.retryAt === 0) {
      // A full batch: export as soon as the application yields (scheduled once, not once per span).
      this.schedule(0);
    } else if (this.timer === undefined) {
      this.schedule(this.options.maxWaitMs);
    }
  }

  /** Resolves when everything queued before the call has been exported or dropped, or after `timeoutMs`. */
  async flush(timeoutMs: number): Promise<boolean> {
    if (this.size === 0 && this.inFlight === undefined) return true;
    const deadline = Date.now() + timeoutMs;
    let timeout: NodeJS.Timeout | undefined;
    const timedOut = new Promise<false>((resolve) => {
      // Referenced on purpose: a flush at exit must keep the process alive until it is done or out of time.
      timeout = setTimeout(() => resolve(false), Math.max(0, timeoutMs));
    });
    const drained = (async () => {
      while ((this.size > 0 || this.inFlight !== undefined) && Date.now() < deadline) {
        if (this.inFlight) {
          await this.inFlight;
          continue;
        }
        const wait = this.retryAt - Date.now();
        if (wait > 0) {
          // Waiting on a backoff: wait no longer than the deadline.
          if (this.retryAt > deadline) return false;
          await new Promise<void>((resolve) => {
            this.waiters.push(resolve);
          });
          continue;
        }
        this.clearTimer();
        this.inFlight = this.exportBatch();
        await this.inFlight;
      }
      return this.size === 0;
    })();
    try {
      return await Promise.race([drained, timedOut]);
    } finally {
      clearTimeout(timeout);
    }
  }

  /**
   * Exports what is queued synchronously, within `timeoutMs`, for the `exit` event (an explicit
   * `process.exit()`), where no timer or promise will run again. Uses the exporter's `exportSync`
   * when it has one; otherwise an exporter that answers synchronously (in memory) still works.
   */
  drainSync(timeoutMs: number): void {
    const deadline = Date.now() + timeoutMs;
    const exporter = this.exporter as SpanExporter & { exportSync?(spans: ReadableSpan[], timeoutMs: number): boolean };
    while (this.size > 0 && Date.now() < deadline) {
      const end = Math.min(this.items.length, this.head + this.options.batchSize);
      const batch = this.items.slice(this.head, end) as ReadableSpan[];
      let delivered = false;
      if (typeof exporter.exportSync === "function") {
        delivered = exporter.exportSync(batch, Math.max(1, deadline - Date.now()));
      } else {
        exporter.export(batch, (result) => (delivered = result.code === ExportResultCode.SUCCESS));
      }
      if (!delivered) return;
      this.advance(batch.length);
      this.counters.exported += batch.length;
    }
  }

  async shutdown(timeoutMs: number): Promise<void> {
    await this.flush(timeoutMs);
    this.closed = true;
    this.clearTimer();
    try {
      await this.exporter.shutdown();
    } catch (error) {
      logger.debug("exporter shutdown failed", error);
    }
  }

  private clearTimer(): void {
    this.immediate = false;
    if (this.timer !== undefined) {
      clearTimeout(this.timer);
      this.timer = undefined;
    }
  }

  private schedule(delayMs: number): void {
    this.clearTimer();
    this.immediate = delayMs === 0;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.immediate = false;
      this.retryAt = 0;
      const waiters = this.waiters;
      this.waiters = [];
      for (const wake of waiters) wake();
      if (this.inFlight === undefined && this.size > 0) this.inFlight = this.exportBatch();
    }, delayMs);
    // Never keep the application alive just to export; exits flush explicitly.
    this.timer.unref();
  }

  private exportBatch(): Promise<void> {
    const end = Math.min(this.items.length, this.head + this.options.batchSize);
    const batch = this.items.slice(this.head, end) as ReadableSpan[];
    return this.send(batch)
      .then((result) => this.settle(batch.length, result))
      .catch((error) => this.settle(batch.length, { code: ExportResultCode.FAILED, error }))
      .finally(() => {
        this.inFlight = undefined;
        if (this.closed || this.size === 0) return;
        if (this.retryAt > 0) this.schedule(Math.max(0, this.retryAt - Date.now()));
        else this.schedule(this.size >= this.options.batchSize ? 0 : this.options.maxWaitMs);
      });
  }

  private async send(batch: ReadableSpan[]): Promise<ExportResult> {
    const resource = batch[0]?.resource as { asyncAttributesPending?: boolean; waitForAsyncAttributes?: () => Promise<void> } | undefined;
    if (resource?.asyncAttributesPending && resource.waitForAsyncAttributes) {
      await resource.waitForAsyncAttributes();
    }
    return new Promise<ExportResult>((resolve) => {
      context.with(suppressTracing(context.active()), () => {
        try {
          this.exporter.export(batch, resolve);
        } catch (error) {
          resolve({ code: ExportResultCode.FAILED, error: error as Error });
        }
      });
    });
  }

  private settle(count: number, result: ExportResult): void {
    if (result.code === ExportResultCode.SUCCESS) {
      this.advance(count);
      this.counters.exported += count;
      this.backoffMs = 0;
      this.retryAt = 0;
      return;
    }
    const error = result.error as { retryable?: boolean; retryAfterMs?: number; message?: string } | undefined;
    if (error?.retryable === false) {
      this.advance(count);
      this.counters.droppedRejected += count;
      logOnce("error", "rejected:" + (error.message ?? "").slice(0, 40), `The server refused ${count} spans; they are dropped. ${error.message ?? ""}`);
      this.backoffMs = 0;
      this.retryAt = 0;
      return;
    }
    this.counters.retries++;
    const maxBackoff = this.options.maxBackoffMs ?? 5_000;
    this.backoffMs = this.backoffMs === 0 ? INITIAL_BACKOFF_MS : Math.min(maxBackoff, this.backoffMs * 2);
    const requested = error?.retryAfterMs;
    const delay = requested !== undefined ? Math.min(MAX_RETRY_AFTER_MS, Math.max(requested, 0)) : this.backoffMs * (0.75 + Math.random() * 0.5);
    this.retryAt = Date.now() + delay;
    logOnce("warn", "export-retry", `Export failed, retrying with backoff (spans are kept, up to maxBufferSize): ${error?.message ?? "unknown error"}`);
    logger.debug(`export failed, retrying in ${Math.round(delay)} ms`, error?.message);
  }

  private advance(count: number): void {
    // Let go of the spans that left at once: a span the queue still pointed to would survive the
    // next garbage collections (and be copied by each) until the whole buffer drained.
    const end = this.head + count;
    for (let i = this.head; i < end; i++) this.items[i] = undefined;
    this.head = end;
    if (this.head === this.items.length) {
      this.items = [];
      this.head = 0;
    } else if (this.head > 4096 && this.head * 2 > this.items.length) {
      this.items = this.items.slice(this.head);
      this.head = 0;
    }
  }
}
