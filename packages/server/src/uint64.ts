/**
 * Unsigned 64-bit integers as decimal text and as two 32-bit halves, converted both ways without
 * BigInt. Span times are epoch nanoseconds (about 1.8e18, past 2^53), carried as decimal text from
 * the OTLP decoder to the stores; BigInt arithmetic on every span's two times (allocating a BigInt
 * for each step) was a measurable share of ingest.
 */

const TWO_32 = 4294967296;
const TEN_7 = 10_000_000;
/** 2^63 - 1, the largest value a signed 64-bit column holds. */
export const MAX_INT64_DECIMAL = "9223372036854775807";

/** The decimal text of high·2^32 + low (both unsigned 32-bit). */
export function uint64ToDecimal(high: number, low: number): string {
  // Below 2^53 a double holds it exactly.
  if (high < 0x200000) return String(high * TWO_32 + low);
  // Long division of the four 16-bit digits by 10^7: the quotient is below 2^64 / 10^7 < 2^41.
  let rest = high >>> 16;
  let current = rest * 65536 + (high & 0xffff);
  const q2 = Math.floor(current / TEN_7);
  rest = current - q2 * TEN_7;
  current = rest * 65536 + (low >>> 16);
  const q1 = Math.floor(current / TEN_7);
  rest = current - q1 * TEN_7;
  current = rest * 65536 + (low & 0xffff);
  const q0 = Math.floor(current / TEN_7);
  rest = current - q0 * TEN_7;
  const quotient = (q2 * 65536 + q1) * 65536 + q0;
  // n ≥ 2^53, so the quotient is above 10^8 and carries every leading digit.
  return String(quotient) + String(rest).padStart(7, "0");
}

/**
 * The two 32-bit halves of an unsigned integer given as decimal digits (at most 20, no sign);
 * `out[0]` gets the low half, `out[1]` the high one. Values of 2^64 and above wrap, as a UInt64
 * column's parser would not accept them: callers check the range first.
 */
export function decimalToUint64(text: string, out: [number, number]): void {
  if (text.length <= 15) {
    const value = Number(text);
    out[0] = value % TWO_32;
    out[1] = Math.floor(value / TWO_32);
    return;
  }
  // n = head·10^9 + tail, head < 2^37; head = a1·2^16 + a0, so every product below is exact.
  // The digits are read in place: two slices and two conversions cost twice as much.
  const split = text.length - 9;
  const head = digitsValue(text, 0, split);
  const tail = digitsValue(text, split, text.length);
  const a1 = Math.floor(head / 65536);
  const a0 = head - a1 * 65536;
  const y = a1 * 1e9; // < 2^51
  const x = a0 * 1e9 + tail; // < 2^47
  // n = y·2^16 + x
  const yLow = y % 65536;
  const sum = yLow * 65536 + x; // < 2^48
  const low = sum % TWO_32;
  out[0] = low;
  out[1] = ((y - yLow) / 65536 + (sum - low) / TWO_32) % TWO_32;
}

/**
 * Canonical decimal text of an unsigned integer written as digits (leading zeros dropped, "0" for
 * zero), or undefined when `text` is not 1 to 19 digits or the value exceeds 2^63 - 1.
 */
export function canonicalInt64Decimal(text: string): string | undefined {
  const length = text.length;
  if (length === 0 || length > 19) return undefined;
  let first = -1;
  for (let i = 0; i < length; i++) {
    const code = text.charCodeAt(i);
    if (code < 48 || code > 57) return undefined;
    if (first < 0 && code !== 48) first = i;
  }
  if (first < 0) return "0";
  const digits = first === 0 ? text : text.slice(first);
  return digits.length === 19 && digits > MAX_INT64_DECIMAL ? undefined : digits;
}

/** Compares two canonical decimal texts as numbers: negative, zero or positive. */
export function compareDecimal(a: string, b: string): number {
  if (a.length !== b.length) return a.length - b.length;
  return a < b ? -1 : a > b ? 1 : 0;
}

/** floor(n / 10^6) of a canonical decimal text, as a number (exact: at most 13 digits). */
export function decimalMillisOfNanos(nanos: string): number {
  return nanos.length <= 6 ? 0 : digitsValue(nanos, 0, nanos.length - 6);
}

/** The value of the decimal digits text[from, to) (callers pass digits only, at most 15 of them). */
function digitsValue(text: string, from: number, to: number): number {
  let value = 0;
  for (let i = from; i < to; i++) value = value * 10 + (text.charCodeAt(i) - 48);
  return value;
}
