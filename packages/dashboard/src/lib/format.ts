/** Display formatting: one place, so every page writes durations, costs and tokens alike. */

/** 850 → "850 ms", 12_300 → "12.3 s", 62_300 → "1m 2.3s", 3_723_000 → "1h 2m 3s". */
export function formatDuration(ms: number | null | undefined): string {
  if (ms === null || ms === undefined || !Number.isFinite(ms) || ms < 0) return "—";
  if (ms < 999.5) return `${Math.round(ms)} ms`;
  if (ms < 9_995) return `${(ms / 1000).toFixed(2)} s`;
  if (ms < 59_950) return `${(ms / 1000).toFixed(1)} s`;
  if (ms < 3_600_000) {
    // Rounded once, in tenths of a second, so 59.96 s never reads "0m 60s".
    const tenths = Math.round(ms / 100);
    const minutes = Math.floor(tenths / 600);
    const rest = (tenths % 600) / 10;
    return `${minutes}m ${Number.isInteger(rest) ? rest : rest.toFixed(1)}s`;
  }
  const totalSeconds = Math.floor(ms / 1000);
  const hours = Math.floor(totalSeconds / 3600);
  const minutes = Math.floor((totalSeconds % 3600) / 60);
  return `${hours}h ${minutes}m ${totalSeconds % 60}s`;
}

/** A cost in USD (a decimal string or a number) → "$0.0075"; tiny non-zero costs keep their digits. */
export function formatCost(cost: string | number | null | undefined): string {
  const value = typeof cost === "string" ? Number(cost) : cost;
  if (value === null || value === undefined || !Number.isFinite(value)) return "—";
  if (value === 0) return "$0.00";
  if (Math.abs(value) >= 100) return `$${value.toFixed(2)}`;
  if (Math.abs(value) >= 0.01) return `$${trimZeros(value.toFixed(4), 2)}`;
  return `$${trimZeros(value.toFixed(6), 2)}`;
}

function trimZeros(text: string, keep: number): string {
  const [whole, fraction = ""] = text.split(".");
  let end = fraction.length;
  while (end > keep && fraction[end - 1] === "0") end--;
  return end > 0 ? `${whole}.${fraction.slice(0, end)}` : whole!;
}

const integer = new Intl.NumberFormat("en-US");

/**
 * A score value: integers as they are, others to 4 significant digits ("0.9", "0.3333",
 * "1235"), very large or small ones in exponent form.
 */
export function formatScore(value: number | null | undefined): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return "—";
  if (Number.isInteger(value) && Math.abs(value) < 1e15) return String(value);
  const magnitude = Math.abs(value);
  if (magnitude >= 1e9 || magnitude < 1e-4) return value.toExponential(3).replace(/\.?0+e/, "e");
  return String(Number(value.toPrecision(4)));
}

/** 1234567 → "1,234,567". */
export function formatCount(value: number | null | undefined): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return "—";
  return integer.format(value);
}

/** 1234 → "1.2k", 2_500_000 → "2.5M"; small values as they are. */
export function formatCompact(value: number): string {
  if (!Number.isFinite(value)) return "—";
  const abs = Math.abs(value);
  if (abs >= 1e9) return `${(value / 1e9).toFixed(1)}B`;
  if (abs >= 1e6) return `${(value / 1e6).toFixed(1)}M`;
  if (abs >= 1e4) return `${Math.round(value / 1e3)}k`;
  if (abs >= 1e3) return `${(value / 1e3).toFixed(1)}k`;
  return integer.format(Math.round(value * 100) / 100);
}

const dateTime = new Intl.DateTimeFormat(undefined, {
  year: "numeric",
  month: "short",
  day: "numeric",
  hour: "2-digit",
  minute: "2-digit",
  second: "2-digit",
});

/** An ISO timestamp in the viewer's locale and time zone. */
export function formatDateTime(iso: string | null | undefined): string {
  if (!iso) return "—";
  const time = Date.parse(iso);
  return Number.isNaN(time) ? "—" : dateTime.format(time);
}

const shortDateTime = new Intl.DateTimeFormat(undefined, {
  month: "short",
  day: "numeric",
  hour: "2-digit",
  minute: "2-digit",
  second: "2-digit",
});

/** An ISO timestamp without the year: "Nov 29, 01:07:32". */
export function formatShortDateTime(iso: string | null | undefined): string {
  if (!iso) return "—";
  const time = Date.parse(iso);
  return Number.isNaN(time) ? "—" : shortDateTime.format(time);
}

/** "3 min ago", "2 h ago", else the date. */
export function formatRelative(iso: string | null | undefined, now: number = Date.now()): string {
  if (!iso) return "—";
  const time = Date.parse(iso);
  if (Number.isNaN(time)) return "—";
  const seconds = Math.round((now - time) / 1000);
  if (seconds < 5) return "just now";
  if (seconds < 60) return `${seconds} s ago`;
  if (seconds < 3600) return `${Math.floor(seconds / 60)} min ago`;
  if (seconds < 86_400) return `${Math.floor(seconds / 3600)} h ago`;
  return formatDateTime(iso);
}

/** An offset on the waterfall's axis: "+0 ms", "+1.25 s", "+2m 3.0s". */
export function formatOffset(ms: number): string {
  return `+${formatDuration(Math.max(0, ms))}`;
}

/** Bytes → "15.6 GB". */
export function formatBytes(value: unknown): string {
  const bytes = typeof value === "string" ? Number(value) : value;
  if (typeof bytes !== "number" || !Number.isFinite(bytes)) return String(value);
  const units = ["B", "KB", "MB", "GB", "TB"];
  let size = bytes;
  let unit = 0;
  while (size >= 1024 && unit < units.length - 1) {
    size /= 1024;
    unit++;
  }
  return `${size.toFixed(unit === 0 ? 0 : 1)} ${units[unit]}`;
}

/** The local calendar day of a timestamp as "YYYY-MM-DD". */
export function dayKey(time: number): string {
  return new Date(time).toISOString().slice(0, 10);
}
