/**
 * A process that works for other processes' sessions (an MCP server answering clients that
 * propagated their traces) exports its spans of those traces into those sessions, and only
 * of the traces it joined, a bounded number of them at a time.
 */
import { context, trace, type SpanContext } from "@opentelemetry/api";
import * as agentops from "agentops";
import { MAX_REMOTE_TRACES } from "../src/remote-traces";
import { exported, initInMemory } from "./utils/memory";

function traceIdOf(index: number): string {
  return "f" + (index + 1).toString(16).padStart(31, "0");
}

/** A span of the server's own, started under a caller's span context as a handler's would be. */
function spanUnder(traceId: string, name: string): void {
  const caller: SpanContext = { traceId, spanId: "00f067aa0ba902b7", traceFlags: 1, isRemote: true };
  trace.getTracer("server").startSpan(name, {}, trace.setSpanContext(context.active(), caller)).end();
}

afterEach(async () => {
  await agentops.shutdown();
});

it("exports the spans of a joined caller's trace, not those of other traces", async () => {
  const { exporter } = initInMemory({ autoStartSession: false });
  const client = agentops.getClient()!;
  client.joinRemoteTrace(traceIdOf(0));
  spanUnder(traceIdOf(0), "joined");
  spanUnder(traceIdOf(1), "not joined");
  const spans = await exported(exporter);
  expect(spans.map((span) => [span.name, span.spanContext().traceId, span.parentSpanContext?.spanId])).toEqual([["joined", traceIdOf(0), "00f067aa0ba902b7"]]);
});

it("keeps the most recently joined traces only, and leaves its own sessions alone", async () => {
  const { exporter, session } = initInMemory();
  const client = agentops.getClient()!;
  client.joinRemoteTrace(session!.traceId);
  for (let index = 0; index <= MAX_REMOTE_TRACES; index++) client.joinRemoteTrace(traceIdOf(index));
  spanUnder(traceIdOf(0), "forgotten");
  spanUnder(traceIdOf(MAX_REMOTE_TRACES), "recent");
  session!.run(() => trace.getTracer("app").startSpan("own").end());
  const names = (await exported(exporter)).map((span) => span.name);
  expect(names).toContain("recent");
  expect(names).toContain("own");
  expect(names).not.toContain("forgotten");
});
