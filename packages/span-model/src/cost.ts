/** The most one span may cost (USD): larger client-sent costs are clamped. */
export const MAX_SPAN_COST_USD = 1_000_000;

/**
 * The largest session cost kept, in picodollars ($9M): sums saturate here instead of
 * overflowing the stores' 64-bit columns (ten spans at the per-span maximum would). 9e18 is
 * below 2^63 and exact as a double and in its decimal form, so JavaScript, the drivers and SQL
 * all saturate at the very same value.
 */
export const MAX_SESSION_COST_PICO = 9e18;

/**
 * Cost in USD → integer picodollars: the unit in which a span's cost is counted, and summed per
 * session, by the SDK and the server alike (so both round the same way).
 */
export function toPicoUsd(usd: number): number {
  return Number.isFinite(usd) && usd > 0 ? Math.round(Math.min(usd, MAX_SPAN_COST_USD) * 1e12) : 0;
}

/** A session's running sum of picodollars plus one span's, saturating at {@link MAX_SESSION_COST_PICO}. */
export function addPicoUsd(total: number, pico: number): number {
  return Math.min(total + pico, MAX_SESSION_COST_PICO);
}
