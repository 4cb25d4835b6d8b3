import protobuf from "protobufjs/light.js";
import type { DecodedSpan } from "../storage/types";
import { uint64ToDecimal } from "../uint64";
import { setAttribute } from "./attribute-map";

/**
 * A streaming reader for `ExportTraceServiceRequest` on protobufjs' wire `Reader`: it walks the
 * fields of the OTLP trace messages (field numbers from opentelemetry-proto v1, as in
 * `otlp-proto.ts`) and builds the receiver's plain span objects directly, without protobufjs'
 * intermediate message objects. That halves the allocations of the hot path; unknown fields are
 * skipped as protobuf requires.
 *
 * Truncated or malformed wire data throws (the caller answers 400). Spans are handed over raw:
 * validation happens in `decode.ts`, so that one bad span only rejects itself.
 */

type Reader = protobuf.Reader;

const WIRE_VARINT = 0;
const WIRE_I64 = 1;
const WIRE_LEN = 2;
const MAX_VALUE_DEPTH = 16;

/** A span as read from the wire, before validation. */
export interface RawProtoSpan {
  traceId: string;
  traceIdBytes: number;
  spanId: string;
  spanIdBytes: number;
  parentSpanId: string;
  parentSpanIdBytes: number;
  name: string;
  kind: number;
  startTimeUnixNano: string;
  endTimeUnixNano: string;
  attributes: Record<string, unknown>;
  events: DecodedSpan["events"];
  statusCode: number;
  statusMessage: string | null;
  /** A problem found while reading this span's values (e.g. nesting too deep). */
  error: string | null;
}

/** Calls `onSpan` for every span of the request, in order. */
export function readTraceRequest(
  body: Uint8Array,
  onSpan: (span: RawProtoSpan, resource: Record<string, unknown>, scope: string | null) => void,
): void {
  // A Buffer gets protobufjs' BufferReader, whose strings decode natively.
  const reader = protobuf.Reader.create(Buffer.isBuffer(body) ? body : Buffer.from(body.buffer, body.byteOffset, body.byteLength));
  while (reader.pos < reader.len) {
    const tag = reader.uint32();
    if (tag >>> 3 === 1 && (tag & 7) === WIRE_LEN) readResourceSpans(reader, reader.uint32() + reader.pos, onSpan);
    else reader.skipType(tag & 7);
  }
}

function readResourceSpans(
  reader: Reader,
  end: number,
  onSpan: (span: RawProtoSpan, resource: Record<string, unknown>, scope: string | null) => void,
): void {
  // The resource may follow the spans on the wire: collect scope spans first, then hand them over.
  let resource: Record<string, unknown> = {};
  const scopes: Array<{ scope: string | null; spans: RawProtoSpan[] }> = [];
  while (reader.pos < end) {
    const tag = reader.uint32();
    const field = tag >>> 3;
    if (field === 1 && (tag & 7) === WIRE_LEN) resource = readResource(reader, reader.uint32() + reader.pos);
    else if (field === 2 && (tag & 7) === WIRE_LEN) scopes.push(readScopeSpans(reader, reader.uint32() + reader.pos));
    else reader.skipType(tag & 7);
  }
  for (const { scope, spans } of scopes) for (const span of spans) onSpan(span, resource, scope);
}

function readResource(reader: Reader, end: number): Record<string, unknown> {
  const attributes: Record<string, unknown> = {};
  const errors: string[] = [];
  while (reader.pos < end) {
    const tag = reader.uint32();
    if (tag >>> 3 === 1 && (tag & 7) === WIRE_LEN) readKeyValue(reader, reader.uint32() + reader.pos, attributes, 0, errors);
    else reader.skipType(tag & 7);
  }
  return attributes;
}

function readScopeSpans(reader: Reader, end: number): { scope: string | null; spans: RawProtoSpan[] } {
  let scope: string | null = null;
  const spans: RawProtoSpan[] = [];
  while (reader.pos < end) {
    const tag = reader.uint32();
    const field = tag >>> 3;
    if (field === 1 && (tag & 7) === WIRE_LEN) scope = readScopeName(reader, reader.uint32() + reader.pos);
    else if (field === 2 && (tag & 7) === WIRE_LEN) spans.push(readSpan(reader, reader.uint32() + reader.pos));
    else reader.skipType(tag & 7);
  }
  return { scope, spans };
}

function readScopeName(reader: Reader, end: number): string | null {
  let name: string | null = null;
  while (reader.pos < end) {
    const tag = reader.uint32();
    if (tag >>> 3 === 1 && (tag & 7) === WIRE_LEN) name = reader.string() || null;
    else reader.skipType(tag & 7);
  }
  return name;
}

function readSpan(reader: Reader, end: number): RawProtoSpan {
  const span: RawProtoSpan = {
    traceId: "",
    traceIdBytes: 0,
    spanId: "",
    spanIdBytes: 0,
    parentSpanId: "",
    parentSpanIdBytes: 0,
    name: "",
    kind: 0,
    startTimeUnixNano: "0",
    endTimeUnixNano: "0",
    attributes: {},
    events: [],
    statusCode: 0,
    statusMessage: null,
    error: null,
  };
  const errors: string[] = [];
  while (reader.pos < end) {
    const tag = reader.uint32();
    const wire = tag & 7;
    switch (tag >>> 3) {
      case 1:
        if (wire !== WIRE_LEN) break;
        span.traceIdBytes = reader.uint32();
        span.traceId = hexAt(reader, span.traceIdBytes);
        continue;
      case 2:
        if (wire !== WIRE_LEN) break;
        span.spanIdBytes = reader.uint32();
        span.spanId = hexAt(reader, span.spanIdBytes);
        continue;
      case 4:
        if (wire !== WIRE_LEN) break;
        span.parentSpanIdBytes = reader.uint32();
        span.parentSpanId = hexAt(reader, span.parentSpanIdBytes);
        continue;
      case 5:
        if (wire !== WIRE_LEN) break;
        span.name = reader.string();
        continue;
      case 6:
        if (wire !== WIRE_VARINT) break;
        span.kind = reader.int32();
        continue;
      case 7:
        if (wire !== WIRE_I64) break;
        span.startTimeUnixNano = readFixed64(reader);
        continue;
      case 8:
        if (wire !== WIRE_I64) break;
        span.endTimeUnixNano = readFixed64(reader);
        continue;
      case 9:
        if (wire !== WIRE_LEN) break;
        readKeyValue(reader, reader.uint32() + reader.pos, span.attributes, 0, errors);
        continue;
      case 11:
        if (wire !== WIRE_LEN) break;
        span.events.push(readEvent(reader, reader.uint32() + reader.pos, errors));
        continue;
      case 15:
        if (wire !== WIRE_LEN) break;
        readStatus(reader, reader.uint32() + reader.pos, span);
        continue;
    }
    reader.skipType(wire);
  }
  checkEnd(reader, end);
  if (errors.length > 0) span.error = errors[0]!;
  return span;
}

function readEvent(reader: Reader, end: number, errors: string[]): DecodedSpan["events"][number] {
  const event = { name: "", timeUnixNano: "0", attributes: {} as Record<string, unknown> };
  while (reader.pos < end) {
    const tag = reader.uint32();
    const field = tag >>> 3;
    const wire = tag & 7;
    if (field === 1 && wire === WIRE_I64) event.timeUnixNano = readFixed64(reader);
    else if (field === 2 && wire === WIRE_LEN) event.name = reader.string();
    else if (field === 3 && wire === WIRE_LEN) readKeyValue(reader, reader.uint32() + reader.pos, event.attributes, 0, errors);
    else reader.skipType(wire);
  }
  return event;
}

function readStatus(reader: Reader, end: number, span: RawProtoSpan): void {
  while (reader.pos < end) {
    const tag = reader.uint32();
    const field = tag >>> 3;
    const wire = tag & 7;
    if (field === 2 && wire === WIRE_LEN) span.statusMessage = reader.string() || null;
    else if (field === 3 && wire === WIRE_VARINT) span.statusCode = reader.int32();
    else reader.skipType(wire);
  }
}

function readKeyValue(reader: Reader, end: number, into: Record<string, unknown>, depth: number, errors: string[]): void {
  let key = "";
  let value: unknown = null;
  while (reader.pos < end) {
    const tag = reader.uint32();
    const field = tag >>> 3;
    const wire = tag & 7;
    if (field === 1 && wire === WIRE_LEN) key = reader.string();
    else if (field === 2 && wire === WIRE_LEN) value = readAnyValue(reader, reader.uint32() + reader.pos, depth, errors);
    else reader.skipType(wire);
  }
  checkEnd(reader, end);
  setAttribute(into, key, value);
}

function readAnyValue(reader: Reader, end: number, depth: number, errors: string[]): unknown {
  let value: unknown = null;
  while (reader.pos < end) {
    const tag = reader.uint32();
    const wire = tag & 7;
    switch (tag >>> 3) {
      case 1:
        if (wire !== WIRE_LEN) break;
        value = reader.string();
        continue;
      case 2:
        if (wire !== WIRE_VARINT) break;
        value = reader.bool();
        continue;
      case 3:
        if (wire !== WIRE_VARINT) break;
        value = readInt64(reader);
        continue;
      case 4:
        if (wire !== WIRE_I64) break;
        value = finiteOrString(reader.double());
        continue;
      case 5: {
        if (wire !== WIRE_LEN) break;
        const listEnd = reader.uint32() + reader.pos;
        if (depth >= MAX_VALUE_DEPTH) {
          errors.push(`an attribute is nested deeper than ${MAX_VALUE_DEPTH} levels`);
          reader.pos = listEnd;
          continue;
        }
        const items: unknown[] = [];
        while (reader.pos < listEnd) {
          const itemTag = reader.uint32();
          if (itemTag >>> 3 === 1 && (itemTag & 7) === WIRE_LEN) {
            items.push(readAnyValue(reader, reader.uint32() + reader.pos, depth + 1, errors));
          } else {
            reader.skipType(itemTag & 7);
          }
        }
        value = items;
        continue;
      }
      case 6: {
        if (wire !== WIRE_LEN) break;
        const listEnd = reader.uint32() + reader.pos;
        if (depth >= MAX_VALUE_DEPTH) {
          errors.push(`an attribute is nested deeper than ${MAX_VALUE_DEPTH} levels`);
          reader.pos = listEnd;
          continue;
        }
        const object: Record<string, unknown> = {};
        while (reader.pos < listEnd) {
          const itemTag = reader.uint32();
          if (itemTag >>> 3 === 1 && (itemTag & 7) === WIRE_LEN) {
            readKeyValue(reader, reader.uint32() + reader.pos, object, depth + 1, errors);
          } else {
            reader.skipType(itemTag & 7);
          }
        }
        value = object;
        continue;
      }
      case 7: {
        if (wire !== WIRE_LEN) break;
        const length = reader.uint32();
        value = sliceOf(reader, length).toString("base64");
        continue;
      }
    }
    reader.skipType(wire);
  }
  checkEnd(reader, end);
  return value;
}

function checkEnd(reader: Reader, end: number): void {
  if (reader.pos !== end) throw new RangeError("a field runs past the end of its message");
}

/** `length` bytes at the reader's position as hex, without copying them out first. */
function hexAt(reader: Reader, length: number): string {
  const start = reader.pos;
  const end = start + length;
  if (end > reader.len) throw new RangeError(`index out of range: ${end} > ${reader.len}`);
  reader.pos = end;
  return (reader.buf as Buffer).toString("hex", start, end);
}

function sliceOf(reader: Reader, length: number): Buffer {
  const start = reader.pos;
  const end = start + length;
  if (end > reader.len) throw new RangeError(`index out of range: ${end} > ${reader.len}`);
  reader.pos = end;
  const buf = reader.buf;
  return Buffer.from(buf.buffer, buf.byteOffset + start, length);
}

/** fixed64 (little-endian) as an exact decimal string. */
function readFixed64(reader: Reader): string {
  const low = reader.fixed32();
  const high = reader.fixed32();
  return uint64ToDecimal(high, low);
}

/** int64 varint: a number when exact, else its decimal string. */
function readInt64(reader: Reader): number | string {
  const long = reader.int64() as unknown as number | { low: number; high: number };
  if (typeof long === "number") return long;
  const high = long.high | 0;
  const low = long.low >>> 0;
  // Within ±2^53 the double is exact.
  if (high >= -0x200000 && high < 0x200000) return high * 4294967296 + low;
  return BigInt.asIntN(64, (BigInt(high >>> 0) << 32n) | BigInt(low)).toString();
}

/** NaN and the infinities have no JSON form: keep them as the strings the OTLP JSON mapping uses. */
function finiteOrString(value: number): number | string {
  return Number.isFinite(value) ? value : String(value);
}
