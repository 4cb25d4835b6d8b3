/**
 * The export queue in front of an exporter that encodes ahead (the SDK's OTLP exporter does):
 * full batches are encoded as they fill, a retry resends the same bytes, a batch that cannot be
 * encoded is dropped and counted, and a resource still gathering attributes is waited for.
 */
import { ExportResultCode, type ExportResult } from "@opentelemetry/core";
import { resourceFromAttributes } from "@opentelemetry/resources";
import { BasicTracerProvider, type ReadableSpan, type SpanProcessor } from "@opentelemetry/sdk-trace-base";
import { ExportQueue, type BodyExporter } from "../src/export-queue";
import { OtlpHttpExporter } from "../src/otlp-exporter";

/** Encodes with the real OTLP serializer; sends nowhere: each send waits for `answer`. */
class ScriptedExporter implements BodyExporter {
  readonly encoded: ReadableSpan[][] = [];
  readonly sent: Uint8Array[] = [];
  readonly sentSync: Uint8Array[] = [];
  private readonly serializer = new OtlpHttpExporter({ url: "http://127.0.0.1:9/v1/traces", apiKey: "k", timeoutMs: 1000 });
  private pending: Array<(result: ExportResult) => void> = [];
  /** Batches of this many spans cannot be encoded. */
  failEncodingOf = -1;

  encode(spans: ReadableSpan[]): Uint8Array {
    this.encoded.push(spans);
    if (spans.length === this.failEncodingOf) throw new Error("cannot encode");
    return this.serializer.encode(spans);
  }
  exportBody(body: Uint8Array, done: (result: ExportResult) => void): void {
    this.sent.push(body);
    this.pending.push(done);
  }
  exportBodySync(body: Uint8Array): boolean {
    this.sentSync.push(body);
    return true;
  }
  export(spans: ReadableSpan[], done: (result: ExportResult) => void): void {
    this.exportBody(this.encode(spans), done);
  }
  /** Answers the oldest send. */
  answer(result: ExportResult): void {
    this.pending.shift()?.(result);
  }
  async shutdown(): Promise<void> {}
}

function spansInto(queue: ExportQueue, resource = resourceFromAttributes({ "service.name": "queue-test" })) {
  const processor: SpanProcessor = {
    onStart() {},
    onEnd: (span) => queue.push(span),
    forceFlush: async () => {},
    shutdown: async () => {},
  };
  const tracer = new BasicTracerProvider({ resource, spanProcessors: [processor] }).getTracer("queue-test");
  return (count: number) => {
    for (let i = 0; i < count; i++) tracer.startSpan(`span ${i}`).end();
  };
}

const tick = () => new Promise((resolve) => setTimeout(resolve, 5));

describe("export queue", () => {
  it("encodes each full batch as it fills, before the application yields", () => {
    const exporter = new ScriptedExporter();
    const queue = new ExportQueue(exporter, { batchSize: 10, bufferSize: 1000, maxWaitMs: 60_000 });
    const make = spansInto(queue);
    make(9);
    expect(exporter.encoded).toHaveLength(0);
    make(1);
    expect(exporter.encoded.map((batch) => batch.length)).toEqual([10]);
    make(25);
    expect(exporter.encoded.map((batch) => batch.length)).toEqual([10, 10, 10]);
    expect(exporter.sent).toHaveLength(0); // nothing is sent inside the loop
    expect(queue.size).toBe(35);
  });

  it("sends the batches one at a time, resends the same bytes after a retryable failure, and sends the rest partly filled", async () => {
    const exporter = new ScriptedExporter();
    const queue = new ExportQueue(exporter, { batchSize: 10, bufferSize: 1000, maxWaitMs: 60_000, maxBackoffMs: 10 });
    spansInto(queue)(25);
    const flushed = queue.flush(10_000);
    await tick();
    expect(exporter.sent).toHaveLength(1);
    exporter.answer({ code: ExportResultCode.FAILED, error: Object.assign(new Error("503"), { retryable: true, retryAfterMs: 0 }) });
    await tick();
    await tick();
    expect(exporter.sent).toHaveLength(2);
    expect(exporter.sent[1]).toBe(exporter.sent[0]); // the same body, not encoded again
    for (let i = 0; i < 3; i++) {
      exporter.answer({ code: ExportResultCode.SUCCESS });
      await tick();
    }
    expect(await flushed).toBe(true);
    // Two full batches encoded as they filled, the last five when the flush sent them.
    expect(exporter.encoded.map((batch) => batch.length)).toEqual([10, 10, 5]);
    expect(queue.stats).toMatchObject({ exported: 25, retries: 1, queued: 0, droppedRejected: 0 });
  });

  it("drops and counts a batch that cannot be encoded, and goes on with the next", async () => {
    const exporter = new ScriptedExporter();
    const queue = new ExportQueue(exporter, { batchSize: 10, bufferSize: 1000, maxWaitMs: 60_000 });
    const make = spansInto(queue);
    exporter.failEncodingOf = 10;
    expect(() => make(13)).not.toThrow();
    const flushed = queue.flush(10_000);
    await tick();
    // The failed batch is tried once more when sent, fails again, and is dropped.
    await tick();
    exporter.answer({ code: ExportResultCode.SUCCESS });
    expect(await flushed).toBe(true);
    expect(queue.stats).toMatchObject({ exported: 3, droppedRejected: 10, queued: 0 });
  });

  it("waits for a resource still gathering attributes before encoding", async () => {
    let release!: () => void;
    const gathered = new Promise<string>((resolve) => (release = () => resolve("late")));
    const resource = resourceFromAttributes({ "service.name": "queue-test", "host.disk": gathered });
    const exporter = new ScriptedExporter();
    const queue = new ExportQueue(exporter, { batchSize: 5, bufferSize: 1000, maxWaitMs: 60_000 });
    spansInto(queue, resource)(5);
    expect(exporter.encoded).toHaveLength(0); // not encoded while the resource is incomplete
    const flushed = queue.flush(10_000);
    await tick();
    expect(exporter.sent).toHaveLength(0);
    release();
    await tick();
    expect(exporter.sent).toHaveLength(1);
    expect(Buffer.from(exporter.sent[0]!).toString("latin1")).toContain("late");
    exporter.answer({ code: ExportResultCode.SUCCESS });
    expect(await flushed).toBe(true);
  });

  it("drains synchronously at exit: encoded batches as they are, the rest encoded then", () => {
    const exporter = new ScriptedExporter();
    const queue = new ExportQueue(exporter, { batchSize: 10, bufferSize: 1000, maxWaitMs: 60_000 });
    spansInto(queue)(23);
    queue.drainSync(5_000);
    expect(exporter.sentSync).toHaveLength(3);
    expect(exporter.encoded.map((batch) => batch.length)).toEqual([10, 10, 3]);
    expect(queue.stats).toMatchObject({ exported: 23, queued: 0 });
  });

  it("counts drops beyond the bound, encoded batches included", () => {
    const exporter = new ScriptedExporter();
    const queue = new ExportQueue(exporter, { batchSize: 10, bufferSize: 30, maxWaitMs: 60_000 });
    spansInto(queue)(45);
    expect(queue.stats).toMatchObject({ queued: 30, droppedBufferFull: 15 });
  });
});
