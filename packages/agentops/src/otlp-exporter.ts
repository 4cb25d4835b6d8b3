import { spawnSync } from "node:child_process";
import * as http from "node:http";
import * as https from "node:https";
import { ExportResultCode, type ExportResult } from "@opentelemetry/core";
import type { ReadableSpan } from "@opentelemetry/sdk-trace-base";
import { ProtobufTraceSerializer } from "@opentelemetry/otlp-transformer";
import type { BodyExporter } from "./export-queue";
import { VERSION } from "./version";

/** Why an export failed, and whether trying the same batch again can help. */
export class ExportError extends Error {
  constructor(
    message: string,
    /** HTTP status, when the server answered. */
    readonly status: number | undefined,
    /** Whether the same batch may succeed later (network errors, 429, 5xx). */
    readonly retryable: boolean,
    /** What the server asked for in Retry-After, in ms. */
    readonly retryAfterMs: number | undefined,
  ) {
    super(message);
    this.name = "ExportError";
  }
}

/** Retry-After as ms: delta-seconds or an HTTP date; `undefined` when absent or unreadable. */
export function parseRetryAfter(value: string | string[] | undefined): number | undefined {
  const raw = Array.isArray(value) ? value[0] : value;
  if (!raw) return undefined;
  const seconds = Number(raw);
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const date = Date.parse(raw);
  return Number.isFinite(date) ? Math.max(0, date - Date.now()) : undefined;
}

const RETRYABLE_STATUS = new Set([408, 429, 500, 502, 503, 504]);

export interface OtlpExporterOptions {
  /** Full URL, e.g. `http://localhost:4318/v1/traces`. */
  url: string;
  apiKey: string;
  headers?: Record<string, string>;
  /** Per-request timeout in ms. */
  timeoutMs: number;
}

/**
 * OTLP/HTTP protobuf trace exporter. Unlike the stock exporter it reports *why* a batch failed
 * (an {@link ExportError} with `retryable` and `retryAfterMs`), so the export queue can keep a
 * batch for later instead of losing it, and drop it only when the server refuses it for good.
 */
export class OtlpHttpExporter implements BodyExporter {
  private readonly url: URL;
  private readonly agent: http.Agent;
  private readonly headers: Record<string, string>;
  private readonly timeoutMs: number;
  private shutDown = false;

  constructor(options: OtlpExporterOptions) {
    this.url = new URL(options.url);
    const secure = this.url.protocol === "https:";
    this.agent = secure
      ? new https.Agent({ keepAlive: true, maxSockets: 2 })
      : new http.Agent({ keepAlive: true, maxSockets: 2 });
    this.headers = {
      ...options.headers,
      "content-type": "application/x-protobuf",
      "user-agent": `agentops-js/${VERSION}`,
      "x-agentops-api-key": options.apiKey,
    };
    this.timeoutMs = options.timeoutMs;
  }

  export(spans: ReadableSpan[], resultCallback: (result: ExportResult) => void): void {
    let body: Uint8Array;
    try {
      body = this.encode(spans);
    } catch (error) {
      resultCallback({ code: ExportResultCode.FAILED, error: new ExportError(`could not serialize spans: ${String(error)}`, undefined, false, undefined) });
      return;
    }
    this.exportBody(body, resultCallback);
  }

  /** The OTLP protobuf request body for these spans. */
  encode(spans: ReadableSpan[]): Uint8Array {
    const body = ProtobufTraceSerializer.serializeRequest(spans);
    if (!body) throw new Error("the serializer returned nothing");
    return body;
  }

  exportBody(body: Uint8Array, resultCallback: (result: ExportResult) => void): void {
    if (this.shutDown) {
      resultCallback({ code: ExportResultCode.FAILED, error: new ExportError("exporter is shut down", undefined, false, undefined) });
      return;
    }
    this.send(body, resultCallback);
  }

  private send(body: Uint8Array, done: (result: ExportResult) => void): void {
    let finished = false;
    const finish = (result: ExportResult) => {
      if (finished) return;
      finished = true;
      done(result);
    };
    const transport = this.url.protocol === "https:" ? https : http;
    const request = transport.request(
      this.url,
      {
        method: "POST",
        agent: this.agent,
        headers: { ...this.headers, "content-length": String(body.byteLength) },
        timeout: this.timeoutMs,
      },
      (response) => {
        const status = response.statusCode ?? 0;
        const chunks: Buffer[] = [];
        let size = 0;
        response.on("data", (chunk: Buffer) => {
          // Error bodies are short; keep at most 4 KiB for the message.
          if (size < 4096) chunks.push(chunk);
          size += chunk.length;
        });
        response.on("error", (error) => finish({ code: ExportResultCode.FAILED, error: new ExportError(error.message, status, true, undefined) }));
        response.on("end", () => {
          if (status >= 200 && status < 300) {
            finish({ code: ExportResultCode.SUCCESS });
            return;
          }
          const message = Buffer.concat(chunks).toString("utf8").slice(0, 500);
          finish({
            code: ExportResultCode.FAILED,
            error: new ExportError(
              `server answered ${status}${message ? ": " + message.replace(/[^\x20-\x7e]+/g, " ").trim() : ""}`,
              status,
              RETRYABLE_STATUS.has(status),
              parseRetryAfter(response.headers["retry-after"]),
            ),
          });
        });
      },
    );
    request.on("timeout", () => request.destroy(new Error(`no answer within ${this.timeoutMs} ms`)));
    request.on("error", (error) =>
      finish({ code: ExportResultCode.FAILED, error: new ExportError(`could not reach ${this.url.origin}: ${error.message}`, undefined, true, undefined) }),
    );
    request.end(body);
  }

  /**
   * Sends spans and waits for the answer synchronously, for the `exit` event, where nothing
   * asynchronous runs any more: a short-lived node process does the request. True on a 2xx.
   *
   * The request (URL, headers with the API key, body) reaches that process on its stdin only: its
   * command line and environment are readable by other users of the machine, so no secret goes there.
   */
  exportSync(spans: ReadableSpan[], timeoutMs: number): boolean {
    if (spans.length === 0) return true;
    try {
      return this.exportBodySync(this.encode(spans), timeoutMs);
    } catch {
      return false;
    }
  }

  exportBodySync(body: Uint8Array, timeoutMs: number): boolean {
    if (this.shutDown) return false;
    try {
      const head = Buffer.from(JSON.stringify({ url: this.url.href, headers: this.headers, timeoutMs }), "utf8");
      const length = Buffer.alloc(4);
      length.writeUInt32BE(head.length, 0);
      const result = spawnSync(process.execPath, ["-e", SYNC_SENDER], {
        input: Buffer.concat([length, head, body]),
        timeout: timeoutMs,
        stdio: ["pipe", "ignore", "ignore"],
        env: {},
      });
      return result.status === 0;
    } catch {
      return false;
    }
  }

  async shutdown(): Promise<void> {
    this.shutDown = true;
    this.agent.destroy();
  }

  async forceFlush(): Promise<void> {}
}

/**
 * The program of the short-lived process behind {@link OtlpHttpExporter.exportSync}. Its stdin is a
 * 4-byte big-endian length, that many bytes of JSON `{ url, headers, timeoutMs }`, then the body to
 * POST. Exits 0 on a 2xx.
 */
const SYNC_SENDER = `
const chunks = [];
process.stdin.on("data", (c) => chunks.push(c));
process.stdin.on("end", () => {
  const input = Buffer.concat(chunks);
  const length = input.readUInt32BE(0);
  const { url, headers, timeoutMs } = JSON.parse(input.subarray(4, 4 + length).toString("utf8"));
  const body = input.subarray(4 + length);
  const target = new URL(url);
  const request = require(target.protocol === "https:" ? "https" : "http").request(target, {
    method: "POST",
    headers: { ...headers, "content-length": String(body.length) },
    timeout: timeoutMs,
  }, (response) => { response.resume(); response.on("end", () => process.exit(response.statusCode >= 200 && response.statusCode < 300 ? 0 : 1)); });
  request.on("timeout", () => process.exit(1));
  request.on("error", () => process.exit(1));
  request.end(body);
});
`;
