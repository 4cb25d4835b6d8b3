import * as http from "node:http";
import * as https from "node:https";
import { context } from "@opentelemetry/api";
import { suppressTracing } from "@opentelemetry/core";

/** The answer to one REST call to the agentops server, or why there was none. */
export type ServerAnswer = { status: number; body: string } | { error: string };

/** One call to the server's REST API. */
export interface ServerCall {
  endpoint: string;
  apiKey: string;
  method: "GET" | "POST";
  /** Path under the endpoint, e.g. `/v2/sessions/<id>/stats`. */
  path: string;
  /** JSON to send. */
  payload?: string;
  timeoutMs: number;
  /** Longest part of the body kept, in characters. Default: all of it. */
  maxBody?: number;
}

/**
 * One REST call to the agentops server with the project key. Never rejects; not traced (the
 * application's HTTP instrumentation must not see the SDK's own calls).
 */
export function callServer(call: ServerCall): Promise<ServerAnswer> {
  return new Promise((resolve) => {
    context.with(suppressTracing(context.active()), () => {
      try {
        const url = new URL(`${call.endpoint}${call.path}`);
        const transport = url.protocol === "https:" ? https : http;
        const headers: Record<string, string | number> = { "x-agentops-api-key": call.apiKey, accept: "application/json" };
        if (call.payload !== undefined) {
          headers["content-type"] = "application/json";
          headers["content-length"] = Buffer.byteLength(call.payload);
        }
        const request = transport.request(url, { method: call.method, headers, timeout: call.timeoutMs }, (response) => {
          const status = response.statusCode ?? 0;
          let body = "";
          response.setEncoding("utf8");
          response.on("data", (chunk: string) => {
            if (call.maxBody === undefined || body.length < call.maxBody) body += chunk;
          });
          response.on("error", () => resolve({ error: "the answer was cut" }));
          response.on("end", () => resolve({ status, body }));
        });
        request.on("timeout", () => request.destroy(new Error(`no answer in ${call.timeoutMs} ms`)));
        request.on("error", (error) => resolve({ error: error.message }));
        request.end(call.payload);
      } catch (error) {
        resolve({ error: error instanceof Error ? error.message : String(error) });
      }
    });
  });
}

/** What the SDK reads of a session's `/v2/sessions/:id/stats`. */
export interface ServerSessionStats {
  /** USD with 6 decimals, as the server prints it. */
  cost: string;
  llmCalls: number;
}

/** Where to ask. */
export interface StatsTarget {
  endpoint: string;
  apiKey: string;
  sessionId: string;
}

/**
 * The server's totals of a session (every process of it counted), or `undefined` when the server
 * does not answer 200 in `timeoutMs` or answers something else. Never rejects; not traced.
 */
export async function fetchServerStats(target: StatsTarget, timeoutMs: number): Promise<ServerSessionStats | undefined> {
  const answer = await callServer({ ...target, method: "GET", path: `/v2/sessions/${target.sessionId}/stats`, timeoutMs });
  if ("error" in answer || answer.status !== 200) return undefined;
  try {
    const parsed: unknown = JSON.parse(answer.body);
    const { cost, llm_calls: llmCalls } = (parsed ?? {}) as { cost?: unknown; llm_calls?: unknown };
    return typeof cost === "string" && /^\d+\.\d{6}$/.test(cost) && typeof llmCalls === "number" ? { cost, llmCalls } : undefined;
  } catch {
    return undefined;
  }
}
