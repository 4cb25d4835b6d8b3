/**
 * A writer of ClickHouse's `RowBinary` format (supported by 18.16): values back to back in the
 * table's column order, with no names, quotes or escapes. Encoding a batch this way costs a
 * fraction of building JSON text, and ClickHouse reads it without parsing numbers or strings.
 *
 * The encodings used here: `String` is a LEB128 length then the UTF-8 bytes; `Nullable(T)` a
 * byte (1 = NULL) then T when not NULL; `UInt8` one byte; `UInt64`/`Int64` eight bytes,
 * little-endian; `Array(String)` a LEB128 count then the strings.
 */
export class RowBinaryWriter {
  private buffer: Buffer;
  private offset = 0;

  constructor(initialBytes = 64 * 1024) {
    this.buffer = Buffer.allocUnsafe(Math.max(1024, initialBytes));
  }

  /** The bytes written so far (a view, not a copy). */
  bytes(): Buffer {
    return this.buffer.subarray(0, this.offset);
  }

  string(value: string): void {
    // A UTF-16 code unit is at most 3 UTF-8 bytes: reserve that, then write in place.
    const most = value.length * 3;
    this.reserve(most + 5);
    if (most < 128) {
      const length = this.buffer.write(value, this.offset + 1, "utf8");
      this.buffer[this.offset] = length;
      this.offset += 1 + length;
      return;
    }
    const length = Buffer.byteLength(value, "utf8");
    this.varint(length);
    this.offset += this.buffer.write(value, this.offset, "utf8");
  }

  nullableString(value: string | null): void {
    if (value === null) {
      this.uint8(1);
      return;
    }
    this.uint8(0);
    this.string(value);
  }

  strings(values: readonly string[]): void {
    this.varint(values.length);
    for (const value of values) this.string(value);
  }

  uint8(value: number): void {
    this.reserve(1);
    this.buffer[this.offset++] = value;
  }

  /** A UInt64 or Int64 from a safe integer (two's complement for a negative one). */
  int64(value: number): void {
    if (!Number.isSafeInteger(value)) throw new TypeError(`not a safe integer: ${value}`);
    this.reserve(8);
    this.buffer.writeBigInt64LE(BigInt(value), this.offset);
    this.offset += 8;
  }

  /** A UInt64 from its decimal text (e.g. epoch nanoseconds, exact beyond 2^53). */
  uint64Decimal(text: string): void {
    this.reserve(8);
    this.buffer.writeBigUInt64LE(BigInt(text), this.offset);
    this.offset += 8;
  }

  private varint(value: number): void {
    this.reserve(5);
    let rest = value;
    while (rest >= 0x80) {
      this.buffer[this.offset++] = (rest & 0x7f) | 0x80;
      rest >>>= 7;
    }
    this.buffer[this.offset++] = rest;
  }

  private reserve(bytes: number): void {
    if (this.offset + bytes <= this.buffer.length) return;
    const grown = Buffer.allocUnsafe(Math.max(this.buffer.length * 2, this.offset + bytes));
    this.buffer.copy(grown, 0, 0, this.offset);
    this.buffer = grown;
  }
}
