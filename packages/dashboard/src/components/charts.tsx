import { useLayoutEffect, useRef, useState } from "preact/hooks";
import { formatCompact } from "../lib/format";

export interface Series {
  key: string;
  label: string;
  color: string;
}

export interface BarDatum {
  label: string;
  values: Record<string, number>;
}

const DEFAULT_WIDTH = 720;
const HEIGHT = 220;

/** The element's width in CSS pixels, kept current: charts draw at 1:1 so text keeps its size. */
function useWidth(): [{ current: HTMLDivElement | null }, number] {
  const ref = useRef<HTMLDivElement | null>(null);
  const [width, setWidth] = useState(DEFAULT_WIDTH);
  useLayoutEffect(() => {
    const element = ref.current;
    if (!element) return;
    const measure = (): void => setWidth(Math.max(240, Math.floor(element.clientWidth)));
    measure();
    const observer = new ResizeObserver(measure);
    observer.observe(element);
    return () => observer.disconnect();
  }, []);
  return [ref, width];
}
const MARGIN = { top: 12, right: 8, bottom: 26, left: 48 };

/**
 * A stacked bar chart drawn as SVG (one bar per category, one stack per series). Values are
 * rendered as text nodes; hovering a bar shows its numbers.
 */
export function StackedBars({
  data,
  series,
  format = formatCompact,
  testId,
}: {
  data: readonly BarDatum[];
  series: readonly Series[];
  format?: (value: number) => string;
  testId?: string;
}) {
  const [hover, setHover] = useState<number | null>(null);
  const [container, WIDTH] = useWidth();
  const totals = data.map((datum) => series.reduce((sum, s) => sum + (datum.values[s.key] ?? 0), 0));
  const max = niceMax(Math.max(0, ...totals));
  const plotWidth = WIDTH - MARGIN.left - MARGIN.right;
  const plotHeight = HEIGHT - MARGIN.top - MARGIN.bottom;
  const step = data.length > 0 ? plotWidth / data.length : plotWidth;
  const barWidth = Math.max(2, Math.min(36, step * 0.7));
  const y = (value: number): number => MARGIN.top + plotHeight - (max > 0 ? (value / max) * plotHeight : 0);
  const grid = [0, 0.25, 0.5, 0.75, 1].map((f) => f * max);
  const labelEvery = Math.max(1, Math.ceil(data.length / Math.max(2, Math.floor(plotWidth / 70))));
  // Count label positions from the end, so the most recent category is always labelled.
  const labelled = (index: number): boolean => (data.length - 1 - index) % labelEvery === 0;
  const hovered = hover !== null ? data[hover] : undefined;

  return (
    <div data-testid={testId} ref={container}>
      <svg class="chart" viewBox={`0 0 ${WIDTH} ${HEIGHT}`} width={WIDTH} height={HEIGHT} role="img" onMouseLeave={() => setHover(null)}>
        {grid.map((value) => (
          <g key={value}>
            <line class="grid-line" x1={MARGIN.left} x2={WIDTH - MARGIN.right} y1={y(value)} y2={y(value)} />
            <text x={MARGIN.left - 6} y={y(value) + 4} text-anchor="end">
              {format(value)}
            </text>
          </g>
        ))}
        {data.map((datum, index) => {
          const x = MARGIN.left + index * step + (step - barWidth) / 2;
          let base = 0;
          return (
            <g key={datum.label} onMouseEnter={() => setHover(index)}>
              <rect x={MARGIN.left + index * step} y={MARGIN.top} width={step} height={plotHeight} fill="transparent" />
              {series.map((s) => {
                const value = datum.values[s.key] ?? 0;
                if (value <= 0) return null;
                const top = y(base + value);
                const height = y(base) - top;
                base += value;
                return <rect key={s.key} x={x} y={top} width={barWidth} height={Math.max(height, 0.5)} fill={s.color} rx={2} opacity={hover === null || hover === index ? 1 : 0.55} />;
              })}
              {labelled(index) && (
                <text x={x + barWidth / 2} y={HEIGHT - 8} text-anchor="middle">
                  {datum.label.slice(5)}
                </text>
              )}
            </g>
          );
        })}
      </svg>
      <div class="legend">
        {hovered ? (
          <>
            <strong>{hovered.label}</strong>
            {series.map((s) => (
              <span key={s.key}>
                <span class="swatch" style={{ background: s.color }} />
                {s.label}: {format(hovered.values[s.key] ?? 0)}
              </span>
            ))}
          </>
        ) : (
          series.map((s) => (
            <span key={s.key}>
              <span class="swatch" style={{ background: s.color }} />
              {s.label}
            </span>
          ))
        )}
      </div>
    </div>
  );
}

/** Horizontal bars with a label and a number, largest first (e.g. tokens per model). */
export function HorizontalBars({
  rows,
  series,
  format = formatCompact,
  testId,
}: {
  rows: ReadonlyArray<{ label: string; values: Record<string, number>; note?: string }>;
  series: readonly Series[];
  format?: (value: number) => string;
  testId?: string;
}) {
  const totals = rows.map((row) => series.reduce((sum, s) => sum + (row.values[s.key] ?? 0), 0));
  const max = Math.max(1, ...totals);
  return (
    <div data-testid={testId}>
      {rows.map((row, index) => (
        <div class="hbar" key={row.label} data-label={row.label}>
          <span class="label mono" title={row.label}>
            {row.label}
          </span>
          <span class="hbar-track">
            {series.map((s) => (
              <span key={s.key} class="hbar-fill" style={{ width: `${((row.values[s.key] ?? 0) / max) * 100}%`, background: s.color }} />
            ))}
          </span>
          <span class="num">
            {format(totals[index]!)}
            {row.note && <span class="faint"> · {row.note}</span>}
          </span>
        </div>
      ))}
      <div class="legend">
        {series.map((s) => (
          <span key={s.key}>
            <span class="swatch" style={{ background: s.color }} />
            {s.label}
          </span>
        ))}
      </div>
    </div>
  );
}

/** A round upper bound for an axis: 7 → 10, 130 → 150, 0.0042 → 0.005. */
export function niceMax(value: number): number {
  if (!(value > 0)) return 1;
  const magnitude = 10 ** Math.floor(Math.log10(value));
  for (const m of [1, 1.5, 2, 2.5, 3, 4, 5, 6, 8, 10]) if (m * magnitude >= value) return m * magnitude;
  return 10 * magnitude;
}
