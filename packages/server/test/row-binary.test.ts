import { RowBinaryWriter } from "../src/storage/clickhouse/row-binary";
import { hostKey, hostRank } from "../src/storage/rollup";
import { llmSpan, markerSpan, rootSpan } from "./utils/storage-fixtures";

/** Reads back one RowBinary `String`: a LEB128 length, then the UTF-8 bytes. */
function readString(
  bytes: Buffer,
  at: number,
): { text: string; lengthBytes: number; next: number } {
  let length = 0;
  let shift = 0;
  let offset = at;
  for (;;) {
    const byte = bytes[offset++]!;
    length += (byte & 0x7f) * 2 ** shift;
    shift += 7;
    if (byte < 0x80) break;
  }
  return {
    text: bytes.toString("utf8", offset, offset + length),
    lengthBytes: offset - at,
    next: offset + length,
  };
}

describe("RowBinaryWriter strings", () => {
  const texts = [
    "",
    "a",
    "x".repeat(63),
    "x".repeat(64),
    "x".repeat(127),
    "x".repeat(128),
    "é".repeat(40), // 40 characters, 80 bytes: short path, then the UTF-8 encoder
    "é".repeat(63) + "x", // 64 characters, 127 bytes: fits a one-byte length after all
    "é".repeat(64), // 128 bytes
    "€".repeat(42) + "x", // 43 characters, 127 bytes
    "😀".repeat(40),
    "x".repeat(5461), // the longest that may still take three bytes per character below 16,384
    "x".repeat(5462),
    "€".repeat(5461), // 16,383 bytes
    "x".repeat(16_383),
    "x".repeat(16_384),
    "€".repeat(6000), // 18,000 bytes: a three-byte length
    "y".repeat(300_000),
  ];

  it.each(texts.map((text) => [text.length, Buffer.byteLength(text), text]))(
    "writes %i characters (%i bytes) with the shortest length prefix, between other values",
    (_characters, bytes, text) => {
      const writer = new RowBinaryWriter(1024);
      writer.uint8(7);
      writer.string(text as string);
      writer.uint8(9);
      const out = writer.bytes();
      expect(out[0]).toBe(7);
      const read = readString(out, 1);
      expect(read.text).toBe(text);
      expect(read.lengthBytes).toBe(
        (bytes as number) < 128 ? 1 : (bytes as number) < 16_384 ? 2 : 3,
      );
      expect(out[read.next]).toBe(9);
      expect(read.next + 1).toBe(out.length);
    },
  );

  it("writes many strings back to back as it grows", () => {
    const writer = new RowBinaryWriter(1024);
    for (const text of texts) writer.string(text);
    const out = writer.bytes();
    let at = 0;
    for (const text of texts) {
      const read = readString(out, at);
      expect(read.text).toBe(text);
      at = read.next;
    }
    expect(at).toBe(out.length);
  });

  it("writes in place into memory it is given, and moves out, with what it wrote, once that is full", () => {
    const memory = Buffer.alloc(64, 0xee);
    const writer = new RowBinaryWriter(1024);
    writer.writeAt(memory, 10);
    writer.string("abc");
    writer.uint8(5);
    expect(writer.fitted).toBe(true);
    expect(writer.bytes().buffer).toBe(memory.buffer);
    expect(writer.bytes().byteOffset).toBe(memory.byteOffset + 10);
    expect([...writer.bytes()]).toEqual([3, 97, 98, 99, 5]);
    expect(memory[9]).toBe(0xee); // nothing before the offset touched

    writer.string("z".repeat(100)); // past the end of the memory given
    expect(writer.fitted).toBe(false);
    const out = writer.bytes();
    expect(out.buffer).not.toBe(memory.buffer);
    expect([...out.subarray(0, 5)]).toEqual([3, 97, 98, 99, 5]);
    expect(readString(out, 5)).toEqual({ text: "z".repeat(100), lengthBytes: 1, next: 106 });
    expect(out.length).toBe(106);
  });

  it("writes a padded sort key exactly as the string it stands for", () => {
    const cases: [string, string, string][] = [
      ["2", "1768478400123456789", "00f067aa0ba902b7"],
      ["0", "7", "0123456789abcdef"],
      ["", "18446744073709551615", "1"],
      ["1", "5", "x".repeat(120)], // past 127 bytes: a two-byte length
    ];
    for (const [first, nanos, last] of cases) {
      const direct = new RowBinaryWriter(1024);
      direct.paddedKey(first, nanos, last);
      const built = new RowBinaryWriter(1024);
      built.string(first + nanos.padStart(20, "0") + last);
      expect(direct.bytes()).toEqual(built.bytes());
    }
  });

  it("writes the host key the rollups compare, for every kind of span", () => {
    const traceId = "0af7651916cd43dd8448eb211c80319c";
    const spans = [
      llmSpan({ traceId, startMs: Date.UTC(2026, 0, 1), startNanos: 123 }),
      rootSpan({ traceId, startMs: 5 }),
      markerSpan({ traceId, startMs: 7 }),
    ];
    expect(new Set(spans.map((span) => hostRank(span))).size).toBe(3);
    for (const span of spans) {
      const direct = new RowBinaryWriter(1024);
      direct.paddedKey(hostRank(span), span.startTimeUnixNano, span.spanId);
      const built = new RowBinaryWriter(1024);
      built.string(hostKey(span));
      expect(direct.bytes()).toEqual(built.bytes());
    }
  });
});
