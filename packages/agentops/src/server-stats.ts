import * as http from "node:http";
import * as https from "node:https";
import { context } from "@opentelemetry/api";
import { suppressTracing } from "@opentelemetry/core";

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
export function fetchServerStats(target: StatsTarget, timeoutMs: number): Promise<ServerSessionStats | undefined> {
  return new Promise((resolve) => {
    context.with(suppressTracing(context.active()), () => {
      try {
        const url = new URL(`${target.endpoint}/v2/sessions/${target.sessionId}/stats`);
        const transport = url.protocol === "https:" ? https : http;
        const request = transport.get(
          url,
          { headers: { "x-agentops-api-key": target.apiKey, accept: "application/json" }, timeout: timeoutMs },
          (response) => {
            const chunks: Buffer[] = [];
            response.on("data", (chunk: Buffer) => chunks.push(chunk));
            response.on("error", () => resolve(undefined));
            response.on("end", () => {
              if (response.statusCode !== 200) return resolve(undefined);
              try {
                const body: unknown = JSON.parse(Buffer.concat(chunks).toString("utf8"));
                const { cost, llm_calls: llmCalls } = (body ?? {}) as { cost?: unknown; llm_calls?: unknown };
                const valid = typeof cost === "string" && /^\d+\.\d{6}$/.test(cost) && typeof llmCalls === "number";
                resolve(valid ? { cost, llmCalls } : undefined);
              } catch {
                resolve(undefined);
              }
            });
          },
        );
        request.on("timeout", () => request.destroy());
        request.on("error", () => resolve(undefined));
      } catch {
        resolve(undefined);
      }
    });
  });
}
