import type { NormalizedSpan, Storage } from "../storage/types";

/** Options of {@link IngestQueue}; every field optional. */
export interface IngestQueueOptions {
  /**
   * Spans accepted but not yet committed, across all requests. Past it, requests are turned
   * away with 503 + Retry-After instead of growing memory. Default 200,000.
   */
  maxQueuedSpans?: number;
  /** Spans of one project merged into one `storage.ingest` call (one transaction). Default 8,192. */
  maxBatchSpans?: number;
  /** `storage.ingest` calls running at once. Default 4. */
  concurrency?: number;
}

interface PendingBatch {
  projectId: string;
  spans: NormalizedSpan[];
  resolve: () => void;
  reject: (error: unknown) => void;
}

/**
 * The bounded queue between the OTLP route and the store. Requests that arrive while the store
 * is busy are merged per project into larger transactions (group commit); each request's promise
 * settles only when its own spans are committed, so a 200 still means "durable".
 */
export class IngestQueue {
  private readonly pending: PendingBatch[] = [];
  private queuedSpans = 0;
  private running = 0;
  private scheduled = false;
  private readonly maxQueuedSpans: number;
  private readonly maxBatchSpans: number;
  private readonly concurrency: number;

  constructor(
    private readonly storage: Pick<Storage, "ingest">,
    options: IngestQueueOptions = {},
  ) {
    this.maxQueuedSpans = options.maxQueuedSpans ?? 200_000;
    this.maxBatchSpans = options.maxBatchSpans ?? 8192;
    this.concurrency = options.concurrency ?? 4;
  }

  /** Whether new work should be turned away now. */
  get full(): boolean {
    return this.queuedSpans >= this.maxQueuedSpans;
  }

  /** Spans accepted and not yet committed. */
  get size(): number {
    return this.queuedSpans;
  }

  /**
   * Queues spans for storage; resolves when they are committed. Returns `undefined` (and queues
   * nothing) when the queue is full. A batch larger than the whole queue is still taken when the
   * queue is empty, so no single request is refused forever.
   */
  enqueue(projectId: string, spans: NormalizedSpan[]): Promise<void> | undefined {
    if (spans.length === 0) return Promise.resolve();
    if (this.queuedSpans > 0 && this.queuedSpans + spans.length > this.maxQueuedSpans) return undefined;
    this.queuedSpans += spans.length;
    return new Promise<void>((resolve, reject) => {
      this.pending.push({ projectId, spans, resolve, reject });
      this.schedule();
    });
  }

  private schedule(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    // Let the other requests of this event-loop turn arrive first, so they can share a transaction.
    setImmediate(() => {
      this.scheduled = false;
      this.pump();
    });
  }

  private pump(): void {
    while (this.running < this.concurrency && this.pending.length > 0) {
      const first = this.pending.shift()!;
      const group = [first];
      let size = first.spans.length;
      for (let i = 0; i < this.pending.length && size < this.maxBatchSpans; ) {
        const next = this.pending[i]!;
        if (next.projectId === first.projectId && size + next.spans.length <= this.maxBatchSpans) {
          group.push(next);
          size += next.spans.length;
          this.pending.splice(i, 1);
        } else {
          i++;
        }
      }
      this.running++;
      void this.commit(first.projectId, group, size);
    }
  }

  private async commit(projectId: string, group: PendingBatch[], size: number): Promise<void> {
    try {
      if (group.length === 1) {
        await this.storage.ingest(projectId, group[0]!.spans);
        group[0]!.resolve();
      } else {
        try {
          await this.storage.ingest(projectId, group.flatMap((batch) => batch.spans));
          for (const batch of group) batch.resolve();
        } catch {
          // One request's spans must not fail the others': retry them one by one.
          for (const batch of group) {
            try {
              await this.storage.ingest(projectId, batch.spans);
              batch.resolve();
            } catch (error) {
              batch.reject(error);
            }
          }
        }
      }
    } catch (error) {
      group[0]!.reject(error);
    } finally {
      this.running--;
      this.queuedSpans -= size;
      if (this.pending.length > 0) this.schedule();
    }
  }
}
