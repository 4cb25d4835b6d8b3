/**
 * An OTLP trace request model for the fuzz suite, with its own encoders: OTLP/JSON, and
 * protobuf written field by field, so that tests can write what no well-behaved encoder
 * would — ids of the wrong length, a field under the wrong wire type, invalid UTF-8 inside a
 * string, nesting 100,000 levels deep.
 */
import type { Prng } from "./fuzz-prng";

/** A string as text, or as raw bytes that may not be valid UTF-8. */
export type FuzzText = string | Buffer;

export type FuzzValue =
  | { string: FuzzText }
  | { bool: boolean }
  | { int: bigint }
  | { double: number }
  | { array: FuzzValue[] }
  | { kvlist: FuzzAttribute[] }
  | { bytes: Buffer };

export interface FuzzAttribute {
  key: FuzzText;
  value: FuzzValue;
}

export interface FuzzSpan {
  traceId: Buffer;
  spanId: Buffer;
  parentSpanId: Buffer | null;
  name: FuzzText;
  kind: number;
  /** `null`: the field is left out. */
  start: bigint | null;
  end: bigint | null;
  attributes: FuzzAttribute[];
  events: Array<{ name: FuzzText; time: bigint; attributes: FuzzAttribute[] }>;
  status: { code: number; message: FuzzText } | null;
  /** Protobuf only: write the start time as a varint (the wrong wire type for fixed64). */
  startAsVarint?: boolean;
  /** Protobuf only: raw bytes appended inside the span message (unknown or confused fields). */
  extraFields?: Buffer;
}

export interface FuzzResourceSpans {
  resource: FuzzAttribute[];
  scopeSpans: Array<{ scope: string; spans: FuzzSpan[] }>;
}

export type FuzzRequest = FuzzResourceSpans[];

// ---------------------------------------------------------------------------------------------
// JSON
// ---------------------------------------------------------------------------------------------

const RAW_MARK_START = "\uE000RAW";
const RAW_MARK_END = "\uE001";

/** Collects raw byte strings while building a JSON object, and splices them in after stringify. */
export class JsonText {
  private readonly raws: Buffer[] = [];

  text(value: FuzzText): string {
    if (typeof value === "string") return value;
    this.raws.push(value);
    return `${RAW_MARK_START}${this.raws.length - 1}${RAW_MARK_END}`;
  }

  /** `JSON.stringify(object)` with the raw strings' bytes in place of their markers. */
  serialize(object: unknown): Buffer {
    const json = JSON.stringify(object);
    if (this.raws.length === 0) return Buffer.from(json);
    const parts: Buffer[] = [];
    const pattern = /\uE000RAW(\d+)\uE001/g;
    let last = 0;
    for (let match = pattern.exec(json); match; match = pattern.exec(json)) {
      parts.push(Buffer.from(json.slice(last, match.index)), this.raws[Number(match[1])]!);
      last = match.index + match[0].length;
    }
    parts.push(Buffer.from(json.slice(last)));
    return Buffer.concat(parts);
  }
}

export function jsonValue(value: FuzzValue, texts: JsonText): Record<string, unknown> {
  if ("string" in value) return { stringValue: texts.text(value.string) };
  if ("bool" in value) return { boolValue: value.bool };
  if ("int" in value) return { intValue: value.int.toString() };
  if ("double" in value)
    return { doubleValue: Number.isFinite(value.double) ? value.double : String(value.double) };
  if ("array" in value)
    return { arrayValue: { values: value.array.map((item) => jsonValue(item, texts)) } };
  if ("kvlist" in value) return { kvlistValue: { values: jsonAttributes(value.kvlist, texts) } };
  return { bytesValue: value.bytes.toString("base64") };
}

export function jsonAttributes(
  attributes: FuzzAttribute[],
  texts: JsonText,
): Array<Record<string, unknown>> {
  return attributes.map((attribute) => ({
    key: texts.text(attribute.key),
    value: jsonValue(attribute.value, texts),
  }));
}

export function jsonSpan(span: FuzzSpan, texts: JsonText): Record<string, unknown> {
  return {
    traceId: span.traceId.toString("hex"),
    spanId: span.spanId.toString("hex"),
    ...(span.parentSpanId ? { parentSpanId: span.parentSpanId.toString("hex") } : {}),
    name: texts.text(span.name),
    kind: span.kind,
    ...(span.start === null ? {} : { startTimeUnixNano: span.start.toString() }),
    ...(span.end === null ? {} : { endTimeUnixNano: span.end.toString() }),
    attributes: jsonAttributes(span.attributes, texts),
    events: span.events.map((event) => ({
      name: texts.text(event.name),
      timeUnixNano: event.time.toString(),
      attributes: jsonAttributes(event.attributes, texts),
    })),
    ...(span.status
      ? { status: { code: span.status.code, message: texts.text(span.status.message) } }
      : {}),
  };
}

/** The request as an OTLP/JSON object (raw strings appear as markers until `texts.serialize`). */
export function jsonRequest(
  request: FuzzRequest,
  texts: JsonText,
): { resourceSpans: Array<Record<string, any>> } {
  return {
    resourceSpans: request.map((resourceSpans) => ({
      resource: { attributes: jsonAttributes(resourceSpans.resource, texts) },
      scopeSpans: resourceSpans.scopeSpans.map((scopeSpans) => ({
        scope: { name: scopeSpans.scope },
        spans: scopeSpans.spans.map((span) => jsonSpan(span, texts)),
      })),
    })),
  };
}

export function encodeJson(request: FuzzRequest): Buffer {
  const texts = new JsonText();
  return texts.serialize(jsonRequest(request, texts));
}

// ---------------------------------------------------------------------------------------------
// Protobuf, written by hand
// ---------------------------------------------------------------------------------------------

export const WIRE = { VARINT: 0, I64: 1, LEN: 2, SGROUP: 3, EGROUP: 4, I32: 5 } as const;

export function varint(value: bigint | number): Buffer {
  if (typeof value === "number" && value >= 0 && value < 0x10000000 && Number.isInteger(value)) {
    if (value < 0x80) return Buffer.from([value]);
    const bytes: number[] = [];
    for (let rest = value; ; rest >>>= 7) {
      if (rest < 0x80) {
        bytes.push(rest);
        return Buffer.from(bytes);
      }
      bytes.push((rest & 0x7f) | 0x80);
    }
  }
  let rest = BigInt.asUintN(64, BigInt(value));
  const bytes: number[] = [];
  do {
    let byte = Number(rest & 0x7fn);
    rest >>= 7n;
    if (rest !== 0n) byte |= 0x80;
    bytes.push(byte);
  } while (rest !== 0n);
  return Buffer.from(bytes);
}

const TAGS = new Map<number, Buffer>();

export function tag(field: number, wire: number): Buffer {
  const key = field * 8 + wire;
  let encoded = TAGS.get(key);
  if (!encoded) TAGS.set(key, (encoded = varint((BigInt(field) << 3n) | BigInt(wire))));
  return encoded;
}

export function fixed64(value: bigint): Buffer {
  const buffer = Buffer.alloc(8);
  buffer.writeBigUInt64LE(BigInt.asUintN(64, value));
  return buffer;
}

export function lenField(field: number, payload: Buffer): Buffer {
  return Buffer.concat([tag(field, WIRE.LEN), varint(payload.length), payload]);
}

const textBytes = (text: FuzzText): Buffer =>
  typeof text === "string" ? Buffer.from(text, "utf8") : text;

/**
 * Optional confusion: each tag written may, with `probability`, get another wire type or field
 * number (the payload stays as it was, so readers see misframed data).
 */
export interface ProtoConfusion {
  prng: Prng;
  probability: number;
}

class ProtoEncoder {
  constructor(private readonly confusion?: ProtoConfusion) {}

  tag(field: number, wire: number): Buffer {
    const confusion = this.confusion;
    if (confusion && confusion.prng.chance(confusion.probability)) {
      if (confusion.prng.chance(0.5)) return tag(field, confusion.prng.int(8));
      return tag(confusion.prng.pick([field + 1, field - 1 || 1, 16, 1000, 536870911]), wire);
    }
    return tag(field, wire);
  }

  len(field: number, payload: Buffer): Buffer {
    return Buffer.concat([this.tag(field, WIRE.LEN), varint(payload.length), payload]);
  }

  value(value: FuzzValue): Buffer {
    if ("string" in value) return this.len(1, textBytes(value.string));
    if ("bool" in value)
      return Buffer.concat([this.tag(2, WIRE.VARINT), varint(value.bool ? 1 : 0)]);
    if ("int" in value) return Buffer.concat([this.tag(3, WIRE.VARINT), varint(value.int)]);
    if ("double" in value) {
      const buffer = Buffer.alloc(8);
      buffer.writeDoubleLE(value.double);
      return Buffer.concat([this.tag(4, WIRE.I64), buffer]);
    }
    if ("array" in value)
      return this.len(5, Buffer.concat(value.array.map((item) => this.len(1, this.value(item)))));
    if ("kvlist" in value)
      return this.len(
        6,
        Buffer.concat(value.kvlist.map((item) => this.len(1, this.keyValue(item)))),
      );
    return this.len(7, value.bytes);
  }

  keyValue(attribute: FuzzAttribute): Buffer {
    return Buffer.concat([
      this.len(1, textBytes(attribute.key)),
      this.len(2, this.value(attribute.value)),
    ]);
  }

  span(span: FuzzSpan): Buffer {
    const parts: Buffer[] = [this.len(1, span.traceId), this.len(2, span.spanId)];
    if (span.parentSpanId) parts.push(this.len(4, span.parentSpanId));
    parts.push(this.len(5, textBytes(span.name)));
    if (span.kind !== 0) parts.push(this.tag(6, WIRE.VARINT), varint(span.kind));
    if (span.start !== null) {
      parts.push(
        span.startAsVarint
          ? Buffer.concat([this.tag(7, WIRE.VARINT), varint(span.start)])
          : Buffer.concat([this.tag(7, WIRE.I64), fixed64(span.start)]),
      );
    }
    if (span.end !== null) parts.push(this.tag(8, WIRE.I64), fixed64(span.end));
    for (const attribute of span.attributes) parts.push(this.len(9, this.keyValue(attribute)));
    for (const event of span.events) {
      const eventParts = [
        this.tag(1, WIRE.I64),
        fixed64(event.time),
        this.len(2, textBytes(event.name)),
      ];
      for (const attribute of event.attributes)
        eventParts.push(this.len(3, this.keyValue(attribute)));
      parts.push(this.len(11, Buffer.concat(eventParts)));
    }
    if (span.status) {
      parts.push(
        this.len(
          15,
          Buffer.concat([
            this.len(2, textBytes(span.status.message)),
            this.tag(3, WIRE.VARINT),
            varint(span.status.code),
          ]),
        ),
      );
    }
    if (span.extraFields) parts.push(span.extraFields);
    return Buffer.concat(parts);
  }

  request(request: FuzzRequest): Buffer {
    return Buffer.concat(
      request.map((resourceSpans) => {
        const resource = Buffer.concat(
          resourceSpans.resource.map((attribute) => this.len(1, this.keyValue(attribute))),
        );
        const scopes = resourceSpans.scopeSpans.map((scopeSpans) =>
          this.len(
            2,
            Buffer.concat([
              this.len(1, this.len(1, Buffer.from(scopeSpans.scope))),
              ...scopeSpans.spans.map((span) => this.len(2, this.span(span))),
            ]),
          ),
        );
        return this.len(1, Buffer.concat([this.len(1, resource), ...scopes]));
      }),
    );
  }
}

export function encodeProtobuf(request: FuzzRequest, confusion?: ProtoConfusion): Buffer {
  return new ProtoEncoder(confusion).request(request);
}

/** The protobuf of one AnyValue wrapped in `depth` array values, built without recursion. */
const deepProtoValues = new Map<number, Buffer>();

export function deepProtoValue(depth: number): Buffer {
  let value = deepProtoValues.get(depth);
  if (!value) deepProtoValues.set(depth, (value = buildDeepProtoValue(depth)));
  return value;
}

function buildDeepProtoValue(depth: number): Buffer {
  const leaf = lenField(1, Buffer.from("deep"));
  // Lengths inside out: AnyValue(i) = tag 5 + len + ArrayValue(i); ArrayValue(i) = tag 1 + len + AnyValue(i-1).
  const anyLengths = [leaf.length];
  const arrayLengths = [0];
  for (let level = 1; level <= depth; level++) {
    const inner = anyLengths[level - 1]!;
    const array = 1 + varint(inner).length + inner;
    arrayLengths.push(array);
    anyLengths.push(1 + varint(array).length + array);
  }
  const prefix: Buffer[] = [];
  for (let level = depth; level >= 1; level--) {
    prefix.push(
      tag(5, WIRE.LEN),
      varint(arrayLengths[level]!),
      tag(1, WIRE.LEN),
      varint(anyLengths[level - 1]!),
    );
  }
  return Buffer.concat([...prefix, leaf]);
}

/** A JSON AnyValue nested `depth` array values deep, as text. */
export function deepJsonValue(depth: number): string {
  return '{"arrayValue":{"values":['.repeat(depth) + '{"stringValue":"deep"}' + "]}}".repeat(depth);
}
