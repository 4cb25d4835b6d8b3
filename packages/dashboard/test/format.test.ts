import { readSpansBody } from "../src/api/normalize-span";
import { filtersToQuery, filtersToRequest, readFilters } from "../src/lib/filters";
import { formatCost, formatDuration, formatCompact, formatScore } from "../src/lib/format";
import { aggregateByDay, usageByModel } from "../src/lib/overview";
import { sessionDurationMs } from "../src/lib/session-details";
import type { SessionStats, UsageRow } from "../src/api/types";

describe("formatting", () => {
  it("writes costs with the digits that matter", () => {
    expect(formatCost("0.007500")).toBe("$0.0075");
    expect(formatCost("0.250000")).toBe("$0.25");
    expect(formatCost("2.500000")).toBe("$2.50");
    expect(formatCost("0.000012")).toBe("$0.000012");
    expect(formatCost("0")).toBe("$0.00");
    expect(formatCost("1234.5")).toBe("$1234.50");
    expect(formatCost("nope")).toBe("—");
  });

  it("writes durations and compact counts", () => {
    expect(formatDuration(850)).toBe("850 ms");
    expect(formatDuration(1500)).toBe("1.50 s");
    expect(formatDuration(62_300)).toBe("1m 2.3s");
    expect(formatDuration(60_000)).toBe("1m 0s");
    expect(formatDuration(80_000)).toBe("1m 20s");
    expect(formatDuration(59_960)).toBe("1m 0s");
    expect(formatDuration(999.7)).toBe("1.00 s");
    expect(formatDuration(9_999)).toBe("10.0 s");
    expect(formatDuration(3_723_000)).toBe("1h 2m 3s");
    expect(formatDuration(null)).toBe("—");
    expect(formatCompact(1500)).toBe("1.5k");
    expect(formatCompact(375_000)).toBe("375k");
    expect(formatCompact(2_500_000)).toBe("2.5M");
  });

  it("measures a running session up to now", () => {
    const start = "2026-01-01T00:00:00.000Z";
    expect(
      sessionDurationMs(
        { end_state: null, start_timestamp: start, duration_ms: 10 },
        Date.parse(start) + 5000,
      ),
    ).toBe(5000);
    expect(
      sessionDurationMs(
        { end_state: "Success", start_timestamp: start, duration_ms: 10 },
        Date.parse(start) + 5000,
      ),
    ).toBe(10);
  });
});

describe("filters", () => {
  it("reads the hash query and resolves relative ranges", () => {
    const filters = readFilters(new URLSearchParams("tag=nightly&state=running&range=24h&bogus=1"));
    expect(filters).toEqual({ tag: "nightly", state: "running", range: "24h", from: "", to: "", score: "", minScore: "", sort: "" });
    expect(filtersToRequest(filters, Date.parse("2026-01-02T00:00:00.000Z"))).toEqual({
      tag: "nightly",
      end_state: "running",
      from: "2026-01-01T00:00:00.000Z",
    });
    expect(readFilters(new URLSearchParams("state=Bad&range=9y"))).toMatchObject({
      state: "",
      range: "all",
    });
  });
});

describe("score filters", () => {
  it("asks for a score's sessions, its lowest value and its order only with a score name", () => {
    const filters = readFilters(new URLSearchParams("score=quality&min_score=0.5&sort=score_desc"));
    expect(filters).toMatchObject({ score: "quality", minScore: "0.5", sort: "score_desc" });
    expect(filtersToRequest(filters)).toEqual({ score_name: "quality", min_score: 0.5, sort: "score_desc" });
    expect(filtersToQuery(filters)).toEqual({ score: "quality", min_score: "0.5", sort: "score_desc" });
    // Without a name, neither the bound nor the order is asked for.
    const unnamed = readFilters(new URLSearchParams("min_score=0.5&sort=score_asc"));
    expect(filtersToRequest(unnamed)).toEqual({});
    expect(filtersToQuery(unnamed)).toEqual({});
    expect(readFilters(new URLSearchParams("score=q&sort=sideways")).sort).toBe("");
    expect(filtersToRequest(readFilters(new URLSearchParams("score=q&min_score=abc")))).toEqual({ score_name: "q" });
  });
});

describe("formatScore", () => {
  it("writes integers as they are and others to four significant digits", () => {
    expect(formatScore(1)).toBe("1");
    expect(formatScore(0)).toBe("0");
    expect(formatScore(-3)).toBe("-3");
    expect(formatScore(0.9)).toBe("0.9");
    expect(formatScore(1 / 3)).toBe("0.3333");
    expect(formatScore(1234.5678)).toBe("1235");
    expect(formatScore(1.5e-7)).toBe("1.5e-7");
    expect(formatScore(Number.MAX_VALUE)).toBe("1.798e+308");
    expect(formatScore(Number.NaN)).toBe("—");
  });
});

describe("readSpansBody", () => {
  it("normalises the server's span shape, with exact times from nanoseconds", () => {
    const { spans } = readSpansBody({
      session_id: "x",
      spans: [
        {
          span_id: "b",
          parent_span_id: "a",
          name: "chat gpt-4o",
          kind: "llm",
          start_time_unix_nano: "1767225600123456789",
          end_time_unix_nano: "1767225601123456789",
          status_code: 2,
          status_message: "boom",
          attributes: { k: 1 },
          resource: { "process.pid": 7 },
          events: [],
          model: "gpt-4o",
          prompt_tokens: 10,
          completion_tokens: 5,
          cost: 0.01,
          is_error: true,
        },
        {
          span_id: "a",
          kind: "weird",
          start_timestamp: "2026-01-01T00:00:00.000Z",
          end_timestamp: "2026-01-01T00:00:00.000Z",
        },
        { no_id: true },
      ],
    });
    expect(spans.map((s) => s.spanId)).toEqual(["a", "b"]);
    expect(spans[0]!.kind).toBe("other");
    expect(spans[1]).toMatchObject({
      parentSpanId: "a",
      statusCode: 2,
      isError: true,
      model: "gpt-4o",
      cost: 0.01,
      promptTokens: 10,
    });
    expect(spans[1]!.startMs).toBeCloseTo(1767225600123.4568, 3);
    expect(spans[1]!.endMs - spans[1]!.startMs).toBeCloseTo(1000, 6);
  });
});

describe("aggregateByDay", () => {
  it("buckets sessions per UTC day by end state, with cost and tokens", () => {
    const day = Date.UTC(2026, 0, 10, 12);
    const stats = (
      offsetDays: number,
      endState: SessionStats["end_state"],
      cost: string,
      tokens: number,
    ): SessionStats =>
      ({
        start_timestamp: new Date(day - offsetDays * 86_400_000).toISOString(),
        end_state: endState,
        cost,
        total_tokens: tokens,
        llm_calls: 1,
        errors: 0,
      }) as SessionStats;
    const overview = aggregateByDay(
      [stats(0, "Success", "0.5", 10), stats(0, null, "0.25", 5), stats(2, "Failure", "1", 1)],
      day - 2 * 86_400_000,
      day,
    );
    expect(overview.days.map((d) => d.day)).toEqual(["2026-01-08", "2026-01-09", "2026-01-10"]);
    expect(overview.days[2]!.sessions).toEqual({
      Success: 1,
      Failure: 0,
      Indeterminate: 0,
      running: 1,
    });
    expect(overview.days[2]!.cost).toBeCloseTo(0.75);
    expect(overview.days[0]!.sessions.Failure).toBe(1);
    expect(overview.totals).toMatchObject({ sessions: 3, failures: 1, tokens: 16 });
  });

  it("puts a session in the UTC day of its start (run with TZ=America/Los_Angeles to see local days differ)", () => {
    const late = {
      start_timestamp: "2026-03-01T23:30:00.000Z",
      end_state: "Success",
      cost: "1",
      total_tokens: 1,
      llm_calls: 1,
      errors: 0,
    } as SessionStats;
    const early = {
      start_timestamp: "2026-03-02T00:30:00.000Z",
      end_state: "Success",
      cost: "2",
      total_tokens: 1,
      llm_calls: 1,
      errors: 0,
    } as SessionStats;
    const overview = aggregateByDay(
      [late, early],
      Date.UTC(2026, 2, 1, 5),
      Date.UTC(2026, 2, 2, 5),
    );
    expect(overview.days.map((d) => [d.day, d.cost])).toEqual([
      ["2026-03-01", 1],
      ["2026-03-02", 2],
    ]);
  });
});

describe("usageByModel", () => {
  const row = (
    day: string,
    model: string | null,
    prompt: number,
    completion: number,
    cost: string,
  ): UsageRow => ({
    day,
    model,
    llm_calls: 1,
    prompt_tokens: prompt,
    completion_tokens: completion,
    cached_tokens: 0,
    reasoning_tokens: 0,
    cost,
  });

  it("sums the days of each model, most tokens first, with unnamed models as unknown", () => {
    const models = usageByModel([
      row("2026-01-01", null, 10, 5, "0.000100"),
      row("2026-01-01", "gpt-4o", 100, 50, "0.001000"),
      row("2026-01-02", "gpt-4o", 200, 25, "0.002000"),
      row("2026-01-02", "o3-mini", 300, 0, "0.000500"),
    ]);
    expect(models).toEqual([
      { model: "gpt-4o", promptTokens: 300, completionTokens: 75, cost: 0.003, calls: 2 },
      { model: "o3-mini", promptTokens: 300, completionTokens: 0, cost: 0.0005, calls: 1 },
      { model: "unknown", promptTokens: 10, completionTokens: 5, cost: 0.0001, calls: 1 },
    ]);
    expect(usageByModel([])).toEqual([]);
  });
});
