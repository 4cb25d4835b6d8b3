import type { SessionSpan, SpanKind } from "../src/api/types";
import { axisTicks, buildWaterfall, visibleRows } from "../src/lib/waterfall-model";

function span(spanId: string, parentSpanId: string | null, kind: SpanKind, startMs: number, endMs = startMs + 10, resource: Record<string, unknown> = {}): SessionSpan {
  return {
    spanId,
    parentSpanId,
    name: spanId,
    kind,
    startMs,
    endMs,
    statusCode: 0,
    statusMessage: null,
    attributes: {},
    resource,
    events: [],
    model: null,
    promptTokens: 0,
    completionTokens: 0,
    cost: 0,
    isError: false,
  };
}

describe("buildWaterfall", () => {
  it("nests events under their parents, siblings by start time, and hides the session and its markers", () => {
    const model = buildWaterfall([
      span("root", null, "session", 0, 100),
      span("start", "root", "marker", 0, 0),
      span("b", "root", "tool", 50),
      span("a", "root", "action", 10, 40),
      span("a2", "a", "llm", 30),
      span("a1", "a", "llm", 20),
    ]);
    expect(model.rows.map((row) => [row.span.spanId, row.depth])).toEqual([
      ["a", 0],
      ["a1", 1],
      ["a2", 1],
      ["b", 0],
    ]);
    expect(model.rows[0]!.descendants).toBe(2);
    expect(model.rows[1]!.parent).toBe(0);
    expect(model.counts.llm).toBe(2);
    expect(model.counts.marker).toBe(0);
    expect(model.startMs).toBe(10);
    expect(model.endMs).toBe(60);
  });

  it("puts an error after the call it was recorded for when they share their timestamps", () => {
    const model = buildWaterfall([span("root", null, "session", 0, 100), span("err", "root", "error", 10, 20), span("tool", "root", "tool", 10, 20)]);
    expect(model.rows.map((row) => row.span.spanId)).toEqual(["tool", "err"]);
  });

  it("uses the session's own start and end for the axis when given", () => {
    const model = buildWaterfall([span("a", null, "action", 10, 20)], { startMs: 0, endMs: 100 });
    expect([model.startMs, model.endMs]).toEqual([0, 100]);
  });

  it("keeps spans whose parent is unknown or in a cycle, as top-level rows", () => {
    const model = buildWaterfall([span("x", "elsewhere", "tool", 1), span("p", "q", "action", 2), span("q", "p", "action", 3)]);
    expect(model.rows).toHaveLength(3);
    expect(new Set(model.rows.map((row) => row.span.spanId))).toEqual(new Set(["x", "p", "q"]));
  });

  it("tells processes apart by host and pid", () => {
    const model = buildWaterfall([
      span("a", null, "llm", 1, 2, { "host.name": "h1", "process.pid": 1 }),
      span("b", null, "llm", 2, 3, { "host.name": "h1", "process.pid": 2 }),
      span("c", null, "llm", 3, 4, { "host.name": "h1", "process.pid": 1 }),
    ]);
    expect(model.processes.map((p) => [p.label, p.events])).toEqual([
      ["h1 · pid 1", 2],
      ["h1 · pid 2", 1],
    ]);
    expect(model.rows.map((row) => row.process)).toEqual([0, 1, 0]);
  });

  it("marks errors: error events, failed spans and spans the server flagged", () => {
    const failed = { ...span("f", null, "tool", 1), statusCode: 2 };
    const flagged = { ...span("g", null, "llm", 2), isError: true };
    const model = buildWaterfall([failed, flagged, span("e", null, "error", 3), span("ok", null, "action", 4)]);
    expect(model.rows.map((row) => row.isError)).toEqual([true, true, true, false]);
  });

  it("builds 100,000 events, 100 deep, without recursion", () => {
    const spans: SessionSpan[] = [];
    for (let i = 0; i < 100_000; i++) spans.push(span(`s${i}`, i % 100 === 0 ? null : `s${i - 1}`, "action", i));
    const model = buildWaterfall(spans);
    expect(model.rows).toHaveLength(100_000);
    expect(Math.max(...model.rows.map((row) => row.depth))).toBe(99);
  });

  it("hides the subtrees of collapsed rows", () => {
    const model = buildWaterfall([span("a", null, "action", 1, 9), span("a1", "a", "llm", 2), span("a11", "a1", "tool", 3), span("b", null, "tool", 10)]);
    expect(visibleRows(model, new Set())).toEqual([0, 1, 2, 3]);
    expect(visibleRows(model, new Set([0]))).toEqual([0, 3]);
    expect(visibleRows(model, new Set([1]))).toEqual([0, 1, 3]);
  });
});

describe("axisTicks", () => {
  it("chooses round steps", () => {
    expect(axisTicks(3000)).toEqual([0, 500, 1000, 1500, 2000, 2500, 3000]);
    expect(axisTicks(0)).toEqual([0]);
    expect(axisTicks(1e9).length).toBeLessThanOrEqual(12);
  });
});
