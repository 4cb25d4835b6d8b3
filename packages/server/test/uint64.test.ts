import {
  canonicalInt64Decimal,
  compareDecimal,
  decimalMillisOfNanos,
  decimalToUint64,
  uint64ToDecimal,
} from "../src/uint64";
import { prng } from "./utils/storage-fixtures";

const EDGES = [0n, 1n, 2n ** 32n - 1n, 2n ** 32n, 2n ** 53n - 1n, 2n ** 53n, 2n ** 53n + 1n, 10n ** 15n, 10n ** 16n - 1n, 1_768_478_400_123_456_789n, 2n ** 63n - 1n, 2n ** 63n, 2n ** 64n - 1n];

function randomValues(count: number): bigint[] {
  const random = prng(64);
  const values: bigint[] = [];
  for (let i = 0; i < count; i++) {
    // Every bit length from 1 to 64, so each branch and each carry is met.
    const bits = 1 + (i % 64);
    let value = 0n;
    for (let b = 0; b < bits; b++) value = (value << 1n) | (b === 0 || random() < 0.5 ? 1n : 0n);
    values.push(value);
  }
  return values;
}

describe("unsigned 64-bit integers without BigInt", () => {
  const values = [...EDGES, ...randomValues(20_000)];

  it("write the halves of a value as its exact decimal text", () => {
    for (const value of values) {
      expect(uint64ToDecimal(Number(value >> 32n), Number(value & 0xffffffffn))).toBe(value.toString());
    }
  });

  it("read decimal text, with or without leading zeros, into its exact halves", () => {
    const halves: [number, number] = [0, 0];
    for (const value of values) {
      for (const text of [value.toString(), value.toString().padStart(20, "0")]) {
        decimalToUint64(text, halves);
        expect(halves).toEqual([Number(value & 0xffffffffn), Number(value >> 32n)]);
      }
    }
  });

  it("accept 1 to 19 digits up to 2^63 - 1 as canonical int64 text and nothing else", () => {
    for (const value of values) {
      const text = value.toString();
      const expected = value <= 2n ** 63n - 1n ? text : undefined;
      expect(canonicalInt64Decimal(text)).toBe(expected);
      if (text.length < 19) expect(canonicalInt64Decimal(`0${text}`)).toBe(text);
    }
    for (const bad of ["", "-1", "+1", "1.5", "1e9", " 1", "1 ", "0x10", "١٢", "12345678901234567890", "00000000000000000001"]) {
      expect(canonicalInt64Decimal(bad)).toBeUndefined();
    }
    expect(canonicalInt64Decimal("000")).toBe("0");
  });

  it("compare canonical texts as numbers and take milliseconds of nanoseconds", () => {
    const sorted = [...values].filter((v) => v < 2n ** 63n).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    for (let i = 1; i < sorted.length; i++) {
      const [a, b] = [sorted[i - 1]!, sorted[i]!];
      expect(Math.sign(compareDecimal(a.toString(), b.toString()))).toBe(a === b ? 0 : -1);
      expect(Math.sign(compareDecimal(b.toString(), a.toString()))).toBe(a === b ? 0 : 1);
      expect(decimalMillisOfNanos(b.toString())).toBe(Number(b / 1_000_000n));
    }
  });
});
