import type { ServerResponse } from "node:http";
import type { HandlerContext, ScriptedResponse } from "./types";

let requestCounter = 0;

/** A short id, unique within the process, for response ids and request-id headers. */
export function nextId(): string {
  requestCounter += 1;
  return `mock${Date.now().toString(36)}${requestCounter.toString(36).padStart(4, "0")}`;
}

/** Waits `ms` milliseconds; resolves at once for 0 or less. */
export function delay(ms: number): Promise<void> {
  if (!(ms > 0)) return Promise.resolve();
  // unref'd: a pending answer must not keep a process alive once the server is closed
  return new Promise((resolve) => setTimeout(resolve, ms).unref());
}

/** Writes a complete JSON answer, with the scripted headers on top of `headers`. */
export function sendJson(
  response: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
  scripted?: ScriptedResponse,
): void {
  if (response.destroyed) return;
  const text = JSON.stringify(body);
  response.writeHead(status, {
    "content-type": "application/json",
    "content-length": Buffer.byteLength(text),
    ...headers,
    ...scripted?.headers,
  });
  response.end(text);
}

/**
 * Writes server-sent events one by one, honouring the per-event delay and the scripted
 * `destroyAfterEvents`. Stops quietly once the client has gone away.
 */
export class SseWriter {
  private written = 0;
  private readonly eventDelayMs: number;

  constructor(
    private readonly context: HandlerContext,
    headers: Record<string, string> = {},
  ) {
    this.eventDelayMs = context.scripted?.latencyMs ?? context.streamDelayMs;
    context.response.writeHead(context.scripted?.status ?? 200, {
      "content-type": "text/event-stream",
      "cache-control": "no-cache",
      connection: "keep-alive",
      ...headers,
      ...context.scripted?.headers,
    });
    context.response.flushHeaders();
  }

  /** False once the client disconnected or the script dropped the connection. */
  get open(): boolean {
    return !this.context.response.destroyed && !this.context.response.writableEnded;
  }

  /** Writes one event (`event:` line only when `event` is given); `data` is sent as JSON unless a string. */
  async send(data: unknown, event?: string): Promise<void> {
    if (!this.open) return;
    const limit = this.context.scripted?.destroyAfterEvents;
    if (limit !== undefined && this.written >= limit) {
      this.context.response.destroy();
      return;
    }
    if (this.eventDelayMs > 0) {
      await delay(this.eventDelayMs);
      if (!this.open) return;
    }
    const payload = typeof data === "string" ? data : JSON.stringify(data);
    const text = event === undefined ? `data: ${payload}\n\n` : `event: ${event}\ndata: ${payload}\n\n`;
    // waiting for the flush keeps memory flat and makes a scripted drop happen after the data left
    await new Promise<void>((resolve) => this.context.response.write(text, () => resolve()));
    this.written += 1;
  }

  end(): void {
    if (this.open) this.context.response.end();
  }
}
