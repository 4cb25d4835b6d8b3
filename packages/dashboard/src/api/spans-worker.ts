/// <reference lib="webworker" />
/**
 * Reads a session's spans off the page's main thread: fetches them (the API key arrives by
 * message, never in the URL), parses the stream and posts the spans back in batches, so the page
 * stays responsive while a 10,000-event session loads.
 */
import { readSpanStream } from "./span-stream";
import type { SpansWorkerReply, SpansWorkerRequest } from "./spans-worker-protocol";

const scope = self as unknown as DedicatedWorkerGlobalScope;

scope.onmessage = (event: MessageEvent<SpansWorkerRequest>) => {
  void read(event.data);
};

async function read({ url, headers }: SpansWorkerRequest): Promise<void> {
  const post = (reply: SpansWorkerReply): void => scope.postMessage(reply);
  try {
    const response = await fetch(url, { headers, cache: "no-store", credentials: "omit" });
    if (!response.ok || !response.body) {
      let message = `The server answered ${response.status}.`;
      try {
        const body = (await response.json()) as { message?: unknown };
        if (typeof body.message === "string") message = `${message} ${body.message}`;
      } catch {
        // not JSON
      }
      post({ type: "error", status: response.status, message });
      return;
    }
    await readSpanStream(response.body, (spans) => post({ type: "spans", spans }));
    post({ type: "done" });
  } catch (error) {
    post({ type: "error", status: 0, message: error instanceof Error ? error.message : String(error) });
  }
}
