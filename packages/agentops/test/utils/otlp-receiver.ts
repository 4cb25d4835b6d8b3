import * as http from "node:http";
import type { AddressInfo } from "node:net";
import { decodeTraceRequest, type DecodeResult } from "@agentops/server";

export type ReceivedSpan = DecodeResult["spans"][number];

/** What the receiver answers to the next requests, in order; then 200. */
export interface Answer {
  status: number;
  headers?: Record<string, string>;
  /** Answer only after this many ms (a slow server). */
  delayMs?: number;
}

/**
 * A minimal OTLP/HTTP trace receiver for tests: decodes protobuf bodies with the server's
 * decoder and keeps the spans. Answers can be scripted (503 + Retry-After, …).
 */
export class OtlpReceiver {
  readonly spans: ReceivedSpan[] = [];
  readonly requests: Array<{ at: number; status: number; spans: number; apiKey: string | undefined }> = [];
  private readonly answers: Answer[] = [];
  private server: http.Server | undefined;
  private listeners: Array<() => void> = [];
  port = 0;

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  script(...answers: Answer[]): void {
    this.answers.push(...answers);
  }

  async start(port = 0): Promise<this> {
    this.server = http.createServer((request, response) => {
      const chunks: Buffer[] = [];
      request.on("data", (chunk: Buffer) => chunks.push(chunk));
      request.on("end", () => {
        const apiKey = request.headers["x-agentops-api-key"] as string | undefined;
        const answer = this.answers.shift() ?? { status: 200 };
        if (request.url !== "/v1/traces") {
          response.writeHead(404).end();
          return;
        }
        let count = 0;
        if (answer.status === 200) {
          const decoded = decodeTraceRequest(Buffer.concat(chunks), "protobuf");
          count = decoded.spans.length;
          this.spans.push(...decoded.spans);
        }
        this.requests.push({ at: Date.now(), status: answer.status, spans: count, apiKey });
        const answerNow = () => {
          response.writeHead(answer.status, { "content-type": "application/x-protobuf", ...answer.headers }).end();
          const listeners = this.listeners;
          this.listeners = [];
          for (const listener of listeners) listener();
        };
        if (answer.delayMs) setTimeout(answerNow, answer.delayMs);
        else answerNow();
      });
    });
    await new Promise<void>((resolve) => this.server!.listen(port, "127.0.0.1", resolve));
    this.port = (this.server.address() as AddressInfo).port;
    return this;
  }

  async stop(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    if (!server) return;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  /** Resolves once `predicate` holds for the received spans (checked after each request), or rejects after `timeoutMs`. */
  async waitFor(predicate: (spans: ReceivedSpan[]) => boolean, timeoutMs = 20_000): Promise<ReceivedSpan[]> {
    const deadline = Date.now() + timeoutMs;
    while (!predicate(this.spans)) {
      const remaining = deadline - Date.now();
      if (remaining <= 0) throw new Error(`receiver: condition not met within ${timeoutMs} ms (${this.spans.length} spans received)`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, Math.min(remaining, 500));
        this.listeners.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
    return this.spans;
  }

  ofKind(kind: string): ReceivedSpan[] {
    return this.spans.filter((span) => span.attributes["agentops.span.kind"] === kind);
  }
}

/** A port nothing listens on (yet). */
export async function freePort(): Promise<number> {
  const server = http.createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as AddressInfo).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}
