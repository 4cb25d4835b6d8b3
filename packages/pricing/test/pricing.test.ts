import { anthropicInputTokens, calculateCost, formatCost, PriceTable } from "@agentops/pricing";

describe("pricing", () => {
  it("prices gpt-4o: 1,000 in / 500 out = $0.0075", () => {
    expect(calculateCost("openai", "gpt-4o", { inputTokens: 1000, outputTokens: 500 })).toBeCloseTo(0.0075, 12);
    expect(formatCost(0.0075)).toBe("0.007500");
  });

  it("charges each cache bucket at its own rate (OpenAI: cached input at half price)", () => {
    // 600 × 2.50 + 400 × 1.25 + 500 × 10.00 per million
    expect(calculateCost("openai", "gpt-4o", { inputTokens: 1000, cacheReadTokens: 400, outputTokens: 500 })).toBeCloseTo(0.007, 12);
  });

  it("prices Anthropic cache reads and writes: claude-sonnet-4-5", () => {
    // 1,000 in of which 800 cache reads, 500 out: 200 × 3 + 800 × 0.30 + 500 × 15 per million
    expect(calculateCost("anthropic", "claude-sonnet-4-5", { inputTokens: 1000, cacheReadTokens: 800, outputTokens: 500 })).toBeCloseTo(0.00834, 12);
    // Anthropic's raw usage (input excludes the cache) normalised first: 100 + 800 read + 100 written
    const input = anthropicInputTokens(100, 800, 100);
    expect(input).toBe(1000);
    // 100 × 3 + 800 × 0.30 + 100 × 3.75 + 500 × 15 per million
    expect(calculateCost("anthropic", "claude-sonnet-4-5", { inputTokens: input, cacheReadTokens: 800, cacheWriteTokens: 100, outputTokens: 500 })).toBeCloseTo(
      0.000300 + 0.00024 + 0.000375 + 0.0075,
      12,
    );
  });

  it("finds dated model names and works without a provider", () => {
    expect(calculateCost(undefined, "gpt-4o-2024-08-06", { inputTokens: 1000, outputTokens: 500 })).toBeCloseTo(0.0075, 12);
  });

  it("lets user prices win and returns undefined for an unknown model", () => {
    const table = new PriceTable({ "gpt-4o": { input: 1, output: 1 }, custom: { input: 3, output: 12, cacheRead: 1 } });
    expect(table.cost("openai", "gpt-4o", { inputTokens: 1_000_000, outputTokens: 1_000_000 })).toBe(2);
    expect(table.cost(undefined, "custom", { inputTokens: 1000, cacheReadTokens: 1000, outputTokens: 0 })).toBeCloseTo(0.001, 12);
    expect(table.cost(undefined, "no-such-model-xyz", { inputTokens: 10 })).toBeUndefined();
    expect(table.cost(undefined, undefined, { inputTokens: 10 })).toBeUndefined();
  });

  it("treats provider names that are object members as plain names", () => {
    for (const provider of ["constructor", "__proto__", "toString", "hasOwnProperty"]) {
      expect(calculateCost(provider, "gpt-4o", { inputTokens: 1000, outputTokens: 500 })).toBeCloseTo(0.0075, 12);
    }
  });

  it("ignores negative or absurd counts and never bills cache beyond the input", () => {
    expect(calculateCost("openai", "gpt-4o", { inputTokens: -5, outputTokens: Number.NaN })).toBe(0);
    expect(calculateCost("openai", "gpt-4o", { inputTokens: 100, cacheReadTokens: 1000 })).toBeCloseTo(100 * 1.25e-6, 12);
    expect(formatCost(-1)).toBe("0.000000");
    expect(formatCost(Number.POSITIVE_INFINITY)).toBe("0.000000");
  });
});
