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

/**
 * An exporter that can encode a batch into its request body ahead of sending it, and send bodies.
 * The queue then encodes each batch as soon as it is full: a body is a fraction of the size of the
 * spans it holds, so the spans can go at once, and a retry resends the same bytes.
 */
export interface BodyExporter extends SpanExporter {
  /** The request body for these spans; throws when they cannot be encoded. */
  encode(spans: ReadableSpan[]): Uint8Array;
  exportBody(body: Uint8Array, done: (result: ExportResult) => void): void;
  /** Sends a body and waits for the answer synchronously; true on success. */
  exportBodySync(body: Uint8Array, timeoutMs: number): boolean;
}

/** A batch cut from the queue: its spans until it is encoded, then only its body. */
interface Batch {
  spans: ReadableSpan[] | undefined;
  body: Uint8Array | undefined;
  count: number;
}

type PendingResource = { asyncAttributesPending?: boolean; waitForAsyncAttributes?: () => Promise<void> };

function isBodyExporter(exporter: SpanExporter): exporter is BodyExporter {
  const candidate = exporter as Partial<BodyExporter>;
  return typeof candidate.encode === "function" && typeof candidate.exportBody === "function" && typeof candidate.exportBodySync === "function";
}

const INITIAL_BACKOFF_MS = 250;
const MAX_RETRY_AFTER_MS = 60_000;

/**
 * A bounded FIFO of finished spans in front of an exporter. Spans are cut into batches of
 * `batchSize`; with a {@link BodyExporter} a full batch is encoded at once. One batch is in flight
 * at a time; a batch leaves the queue only when the exporter accepted it or refused it for good,
 * so a server that is down or overloaded costs memory (bounded) and delay, not data. Retries back
 * off exponentially and honour Retry-After. `push` never does I/O.
 */
export class ExportQueue {
  /** Spans not yet in a batch, from `head` on; slots before `head` are cleared as batches are cut. */
  private pending: Array<ReadableSpan | undefined> = [];
  private head = 0;
  /** Batches waiting or in flight, oldest first, from `batchHead` on. */
  private batches: Array<Batch | undefined> = [];
  private batchHead = 0;
  private batched = 0;
  private timer: NodeJS.Timeout | undefined;
  /** Whether the pending timer is an immediate one (a full batch waits). */
  private immediate = false;
  private inFlight: Promise<void> | undefined;
  private backoffMs = 0;
  private retryAt = 0;
  private closed = false;
  private waiters: Array<() => void> = [];
  private readonly counters = { exported: 0, droppedBufferFull: 0, droppedRejected: 0, retries: 0 };
  private readonly encoder: BodyExporter | undefined;

  constructor(
    private readonly exporter: SpanExporter,
    private readonly options: ExportQueueOptions,
  ) {
    this.encoder = isBodyExporter(exporter) ? exporter : undefined;
  }

  /** What the queue has done so far. */
  get stats(): ExportStats {
    return { ...this.counters, queued: this.size };
  }

  get size(): number {
    return this.batched + this.pending.length - this.head;
  }

  push(span: ReadableSpan): void {
    if (this.closed) return;
    if (this.size >= this.options.bufferSize) {
      this.counters.droppedBufferFull++;
      logOnce(
        "warn",
        "buffer-full",
        `The export buffer is full (${this.options.bufferSize} spans); new spans are being dropped and counted. Raise maxBufferSize or check that the server is reachable.`,
      );
      return;
    }
    this.pending.push(span);
    if (this.pending.length - this.head >= this.options.batchSize) this.cut(true);
    if (this.inFlight !== undefined || this.immediate) return;
    if (this.batched > 0 && this.retryAt === 0) {
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
   * `process.exit()`), where no timer or promise will run again. A {@link BodyExporter} sends
   * synchronously; otherwise an exporter that answers synchronously (in memory) still works.
   */
  drainSync(timeoutMs: number): void {
    const deadline = Date.now() + timeoutMs;
    while (this.pending.length > this.head) this.cut(false);
    while (this.batched > 0 && Date.now() < deadline) {
      const batch = this.batches[this.batchHead] as Batch;
      let delivered = false;
      try {
        if (this.encoder !== undefined) {
          batch.body ??= this.encoder.encode(batch.spans as ReadableSpan[]);
          batch.spans = undefined;
          delivered = this.encoder.exportBodySync(batch.body, Math.max(1, deadline - Date.now()));
        } else {
          this.exporter.export(batch.spans as ReadableSpan[], (result) => (delivered = result.code === ExportResultCode.SUCCESS));
        }
      } catch (error) {
        logger.debug("synchronous export failed", error);
      }
      if (!delivered) return;
      this.counters.exported += batch.count;
      this.shift();
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

  /**
   * Moves up to `batchSize` pending spans into a batch of their own, and lets go of them in the
   * pending list: a span the queue still pointed to would survive the next garbage collections
   * (and be copied by each). With `encode`, a full batch is encoded at once when it can be (its
   * resource is complete), so that only its body is kept.
   */
  private cut(encode: boolean): void {
    const end = Math.min(this.pending.length, this.head + this.options.batchSize);
    const spans = this.pending.slice(this.head, end) as ReadableSpan[];
    for (let i = this.head; i < end; i++) this.pending[i] = undefined;
    this.head = end;
    if (this.head === this.pending.length) {
      this.pending = [];
      this.head = 0;
    } else if (this.head > 4096 && this.head * 2 > this.pending.length) {
      this.pending = this.pending.slice(this.head);
      this.head = 0;
    }
    const batch: Batch = { spans, body: undefined, count: spans.length };
    if (encode && this.encoder !== undefined && !(spans[0]?.resource as PendingResource | undefined)?.asyncAttributesPending) {
      try {
        batch.body = this.encoder.encode(spans);
        batch.spans = undefined;
      } catch (error) {
        // Left as spans: the send encodes again and reports the failure through the usual path.
        logger.debug("could not encode a batch ahead of sending", error);
      }
    }
    this.batches.push(batch);
    this.batched += batch.count;
  }

  /** The oldest batch has left (sent or refused for good). */
  private shift(): void {
    const batch = this.batches[this.batchHead];
    if (batch === undefined) return;
    this.batches[this.batchHead] = undefined;
    this.batchHead++;
    this.batched -= batch.count;
    if (this.batchHead === this.batches.length) {
      this.batches = [];
      this.batchHead = 0;
    } else if (this.batchHead > 1024 && this.batchHead * 2 > this.batches.length) {
      this.batches = this.batches.slice(this.batchHead);
      this.batchHead = 0;
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
    if (this.batched === 0) this.cut(false);
    const batch = this.batches[this.batchHead] as Batch;
    return this.send(batch)
      .then((result) => this.settle(batch, result))
      .catch((error) => this.settle(batch, { code: ExportResultCode.FAILED, error }))
      .finally(() => {
        this.inFlight = undefined;
        if (this.closed || this.size === 0) return;
        if (this.retryAt > 0) this.schedule(Math.max(0, this.retryAt - Date.now()));
        // Full batches waiting go at once; a partial one waits for more spans, up to maxWaitMs.
        else this.schedule(this.batched > 0 || this.size >= this.options.batchSize ? 0 : this.options.maxWaitMs);
      });
  }

  private async send(batch: Batch): Promise<ExportResult> {
    if (batch.spans !== undefined) {
      const resource = batch.spans[0]?.resource as PendingResource | undefined;
      if (resource?.asyncAttributesPending && resource.waitForAsyncAttributes) {
        await resource.waitForAsyncAttributes();
      }
    }
    return new Promise<ExportResult>((resolve) => {
      context.with(suppressTracing(context.active()), () => {
        try {
          if (this.encoder !== undefined) {
            if (batch.body === undefined) {
              try {
                batch.body = this.encoder.encode(batch.spans as ReadableSpan[]);
                batch.spans = undefined;
              } catch (error) {
                resolve({ code: ExportResultCode.FAILED, error: encodeError(error) });
                return;
              }
            }
            this.encoder.exportBody(batch.body, resolve);
          } else {
            this.exporter.export(batch.spans as ReadableSpan[], resolve);
          }
        } catch (error) {
          resolve({ code: ExportResultCode.FAILED, error: error as Error });
        }
      });
    });
  }

  private settle(batch: Batch, result: ExportResult): void {
    const count = batch.count;
    if (result.code === ExportResultCode.SUCCESS) {
      this.shift();
      this.counters.exported += count;
      this.backoffMs = 0;
      this.retryAt = 0;
      return;
    }
    const error = result.error as { retryable?: boolean; retryAfterMs?: number; message?: string } | undefined;
    if (error?.retryable === false) {
      this.shift();
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
}

/** A batch that cannot be encoded will never be: refused for good, like a 400. */
function encodeError(error: unknown): Error & { retryable: boolean } {
  return Object.assign(new Error(`could not serialize spans: ${String(error)}`), { retryable: false });
}
