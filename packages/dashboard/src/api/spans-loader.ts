import { ApiError, type ApiClient } from "./client";
import type { SpansWorkerReply, SpansWorkerRequest } from "./spans-worker-protocol";
import type { SessionSpan } from "./types";

/**
 * Loads every span of a session, handing them over in batches as they arrive. The reading runs
 * in a worker where the browser allows one, else on the page's thread.
 */
export function loadSessionSpans(
  api: ApiClient,
  sessionId: string,
  onSpans: (spans: SessionSpan[]) => void,
  signal?: AbortSignal,
): Promise<void> {
  if (typeof Worker === "undefined") return api.streamSessionSpans(sessionId, onSpans, signal);
  return new Promise<void>((resolve, reject) => {
    let worker: Worker;
    try {
      worker = new Worker(new URL("./spans-worker.ts", import.meta.url), { type: "module", name: "agentops-spans" });
    } catch {
      api.streamSessionSpans(sessionId, onSpans, signal).then(resolve, reject);
      return;
    }
    let received = false;
    let settled = false;
    const finish = (outcome: () => void): void => {
      if (settled) return;
      settled = true;
      worker.terminate();
      signal?.removeEventListener("abort", onAbort);
      outcome();
    };
    const onAbort = (): void => finish(() => reject(new DOMException("The load was aborted.", "AbortError")));
    if (signal?.aborted) return onAbort();
    signal?.addEventListener("abort", onAbort, { once: true });
    worker.onmessage = (event: MessageEvent<SpansWorkerReply>) => {
      const reply = event.data;
      if (reply.type === "spans") {
        received = true;
        if (!settled) onSpans(reply.spans);
      } else if (reply.type === "done") {
        finish(resolve);
      } else {
        api.reportStatus(reply.status);
        finish(() => reject(new ApiError(reply.status, reply.message)));
      }
    };
    worker.onerror = (event) => {
      event.preventDefault();
      // A worker the page may not start (a policy, an old browser): read on this thread instead.
      if (received) finish(() => reject(new ApiError(0, "Reading the events failed.")));
      else finish(() => api.streamSessionSpans(sessionId, onSpans, signal).then(resolve, reject));
    };
    const request: SpansWorkerRequest = api.spansRequest(sessionId);
    worker.postMessage(request);
  });
}
