import { diag, DiagLogLevel, type DiagLogger } from "@opentelemetry/api";
import { InMemorySpanExporter, type ReadableSpan } from "@opentelemetry/sdk-trace-base";
import * as agentops from "agentops";

/** An in-memory exporter that keeps its spans when shut down, so tests can read them after `agentops.shutdown()`. */
export class KeepingExporter extends InMemorySpanExporter {
  override shutdown(): Promise<void> {
    return Promise.resolve();
  }
}

/** Starts the SDK exporting into memory; `shutdown` in afterEach resets it. */
export function initInMemory(options: agentops.AgentOpsOptions = {}) {
  const exporter = new KeepingExporter();
  const session = agentops.init({ exporter, instrumentLlmCalls: false, envDataOptOut: false, logLevel: "none", ...options });
  return { exporter, session };
}

/** Flushes and returns what was exported. */
export async function exported(exporter: InMemorySpanExporter): Promise<ReadableSpan[]> {
  await agentops.flush();
  return exporter.getFinishedSpans();
}

export function byKind(spans: ReadableSpan[], kind: string): ReadableSpan[] {
  return spans.filter((span) => span.attributes["agentops.span.kind"] === kind);
}

/** Collects diag messages (all levels) while installed. */
export function captureDiag(): { messages: string[]; restore(): void } {
  const messages: string[] = [];
  const push = (message: string, ...args: unknown[]) => messages.push([message, ...args.map(String)].join(" "));
  const logger: DiagLogger = { error: push, warn: push, info: push, debug: () => {}, verbose: () => {} };
  diag.setLogger(logger, { logLevel: DiagLogLevel.INFO, suppressOverrideMessage: true });
  return { messages, restore: () => diag.disable() };
}
