import { JsonArrayObjectSplitter } from "./json-array-stream";
import { normalizeSpan } from "./normalize-span";
import type { SessionSpan } from "./types";

export interface SpanStreamOptions {
  /** Spans in the first hand-over, so the first rows show early. Default 300. */
  firstBatch?: number;
  /** Time between later hand-overs; it doubles each time up to 1 s. Default 250 ms. */
  intervalMs?: number;
  /** On the page's main thread: longest parsing stretch before the page may paint. Default none. */
  yieldEveryMs?: number;
}

/**
 * Reads the body of `GET /v2/sessions/:id/spans` as it streams in and hands over the spans not
 * handed over yet, in growing batches. Resolves with the number of spans read.
 */
export async function readSpanStream(
  body: ReadableStream<Uint8Array>,
  onSpans: (spans: SessionSpan[]) => void,
  options: SpanStreamOptions = {},
): Promise<number> {
  let pending: SessionSpan[] = [];
  let total = 0;
  const splitter = new JsonArrayObjectSplitter((value) => {
    const span = normalizeSpan(value);
    if (span) pending.push(span);
  });
  const firstBatch = options.firstBatch ?? 300;
  let interval = options.intervalMs ?? 250;
  const yieldEvery = options.yieldEveryMs ?? Number.POSITIVE_INFINITY;
  let handedOver = false;
  let lastHandOver = 0;
  let lastYield = performance.now();
  const flush = (): void => {
    if (pending.length === 0) return;
    total += pending.length;
    const batch = pending;
    pending = [];
    onSpans(batch);
  };
  const decoder = new TextDecoder();
  const reader = body.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    splitter.push(decoder.decode(value, { stream: true }));
    const now = performance.now();
    if (!handedOver ? pending.length >= firstBatch : now - lastHandOver >= interval) {
      if (handedOver) interval = Math.min(interval * 2, 1000);
      handedOver = true;
      lastHandOver = now;
      flush();
    }
    // Chunks already received resolve `read()` as microtasks, which never let the page paint
    // or take a click: give the event loop a turn now and then.
    if (now - lastYield >= yieldEvery) {
      await new Promise<void>((resolve) => setTimeout(resolve, 0));
      lastYield = performance.now();
    }
  }
  splitter.push(decoder.decode());
  flush();
  return total;
}
