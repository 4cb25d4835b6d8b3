import { traceIdToUuid } from "@agentops/semconv";
import { runCli, type RunResult } from "./cli-process";
import { hex, otlpBody, type SpanInput } from "./otlp-bodies";

/** Spans of one session for the alert tests: LLM calls with an explicit cost, errors, a root with an end state. */
export class AlertSession {
  readonly traceId = hex(16);
  readonly rootSpanId = hex(8);
  readonly sessionId = traceIdToUuid(this.traceId);

  constructor(readonly startMs: number = Date.now() - 1_000) {}

  llm(cost: number, atMs = this.startMs + 10): SpanInput {
    return {
      traceId: this.traceId,
      parentSpanId: this.rootSpanId,
      name: "chat gpt-4o",
      startMs: atMs,
      endMs: atMs + 20,
      attributes: {
        "gen_ai.operation.name": "chat",
        "gen_ai.provider.name": "openai",
        "gen_ai.request.model": "gpt-4o",
        "gen_ai.usage.input_tokens": 100,
        "gen_ai.usage.output_tokens": 50,
        "agentops.llm.cost": cost,
      },
    };
  }

  error(atMs = this.startMs + 30): SpanInput {
    return {
      traceId: this.traceId,
      parentSpanId: this.rootSpanId,
      name: "error",
      startMs: atMs,
      endMs: atMs,
      status: { code: 2, message: "boom" },
      attributes: { "agentops.span.kind": "error" },
    };
  }

  end(endState: string, endMs: number): SpanInput {
    return {
      traceId: this.traceId,
      spanId: this.rootSpanId,
      name: "agent.session",
      startMs: this.startMs,
      endMs,
      attributes: { "agentops.span.kind": "session", "agentops.session.end_state": endState },
    };
  }
}

/** POSTs spans as OTLP/JSON; returns the status and the time the answer took. */
export async function postSpans(url: string, apiKey: string, spans: SpanInput[]): Promise<{ status: number; ms: number }> {
  const started = performance.now();
  const response = await fetch(`${url}/v1/traces`, {
    method: "POST",
    headers: { "content-type": "application/json", "x-agentops-api-key": apiKey },
    body: otlpBody(spans, "json"),
  });
  await response.arrayBuffer();
  return { status: response.status, ms: performance.now() - started };
}

/** `projects create NAME --json`. */
export async function createProject(db: string, name: string): Promise<{ project_id: string; api_key: string }> {
  const created = await runCli(["projects", "create", name, "--db", db, "--json"]);
  if (created.code !== 0) throw new Error(created.stderr);
  return JSON.parse(created.stdout.trim());
}

/** `alerts add PROJECT --name --when --webhook [--secret] --json`. */
export function addAlert(db: string, projectId: string, name: string, when: string, webhook: string, secret?: string): Promise<RunResult> {
  return runCli(["alerts", "add", projectId, "--name", name, "--when", when, "--webhook", webhook, ...(secret ? ["--secret", secret] : []), "--db", db, "--json"]);
}

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
