import type { DecodedSpan } from "../storage/types";
import { setAttribute } from "./attribute-map";
import { type RawProtoSpan, readTraceRequest } from "./proto-reader";

/** The two OTLP/HTTP encodings. */
export type OtlpEncoding = "protobuf" | "json";

/** What a trace export request decodes to. */
export interface DecodeResult {
  /** Spans that passed validation, in request order. */
  spans: DecodedSpan[];
  /** Spans dropped by validation. */
  rejected: number;
  /** Why, one message per distinct reason, at most {@link MAX_ERROR_MESSAGES}. */
  errors: string[];
}

/** A body that is not an OTLP trace request at all: the route answers 400 with this message. */
export class OtlpDecodeError extends Error {
  override readonly name = "OtlpDecodeError";
}

/** Per-span problem: the span is rejected, the rest of the request goes on. */
class SpanError extends Error {}

const MAX_ERROR_MESSAGES = 5;
/** Nesting of arrays and key/value lists inside one attribute value. */
const MAX_VALUE_DEPTH = 16;
const MAX_UINT64 = 18446744073709551615n;
const ZERO_TRACE_ID = "0".repeat(32);
const ZERO_SPAN_ID = "0".repeat(16);

/**
 * The OTLP encoding of a `Content-Type` header value (parameters such as `charset` ignored),
 * or `undefined` when it is neither OTLP encoding.
 */
export function encodingOfContentType(contentType: string | undefined): OtlpEncoding | undefined {
  if (!contentType) return undefined;
  const semicolon = contentType.indexOf(";");
  const mediaType = (semicolon === -1 ? contentType : contentType.slice(0, semicolon)).trim().toLowerCase();
  if (mediaType === "application/x-protobuf" || mediaType === "application/protobuf") return "protobuf";
  if (mediaType === "application/json") return "json";
  return undefined;
}

/**
 * Decodes an OTLP/HTTP `ExportTraceServiceRequest` body (already decompressed) into spans.
 * Throws {@link OtlpDecodeError} when the body as a whole is malformed; a malformed span only
 * counts as rejected.
 *
 * @example
 * const { spans, rejected } = decodeTraceRequest(body, "protobuf");
 */
export function decodeTraceRequest(body: Uint8Array, encoding: OtlpEncoding): DecodeResult {
  const collector = new ErrorCollector();
  const spans = encoding === "protobuf" ? decodeProtobuf(body, collector) : decodeJson(body, collector);
  return { spans, rejected: collector.rejected, errors: collector.messages };
}

class ErrorCollector {
  rejected = 0;
  readonly messages: string[] = [];

  reject(error: unknown): void {
    this.rejected++;
    if (this.messages.length >= MAX_ERROR_MESSAGES) return;
    const message = error instanceof SpanError ? error.message : `invalid span: ${String(error)}`;
    if (!this.messages.includes(message)) this.messages.push(message);
  }
}

// ---------------------------------------------------------------------------------------------
// Protobuf
// ---------------------------------------------------------------------------------------------

function decodeProtobuf(body: Uint8Array, collector: ErrorCollector): DecodedSpan[] {
  const spans: DecodedSpan[] = [];
  try {
    readTraceRequest(body, (raw, resource, scope) => {
      try {
        spans.push(protoSpan(raw, resource, scope));
      } catch (error) {
        collector.reject(error);
      }
    });
  } catch (error) {
    throw new OtlpDecodeError(`malformed protobuf ExportTraceServiceRequest: ${(error as Error).message}`);
  }
  return spans;
}

function protoSpan(raw: RawProtoSpan, resource: Record<string, unknown>, scope: string | null): DecodedSpan {
  if (raw.error !== null) throw new SpanError(raw.error);
  checkIdLength(raw.traceIdBytes, 16, "traceId");
  checkIdLength(raw.spanIdBytes, 8, "spanId");
  if (raw.parentSpanIdBytes !== 0) checkIdLength(raw.parentSpanIdBytes, 8, "parentSpanId");
  return finishSpan({
    traceId: raw.traceId,
    spanId: raw.spanId,
    parentSpanId: raw.parentSpanIdBytes === 0 || raw.parentSpanId === ZERO_SPAN_ID ? null : raw.parentSpanId,
    name: raw.name,
    startTimeUnixNano: raw.startTimeUnixNano,
    endTimeUnixNano: raw.endTimeUnixNano,
    statusCode: raw.statusCode,
    statusMessage: raw.statusMessage,
    attributes: raw.attributes,
    resource,
    events: raw.events,
    spanKind: raw.kind,
    scope,
  });
}

function checkIdLength(bytes: number, length: number, field: string): void {
  if (bytes !== length) throw new SpanError(`${field} must be ${length} bytes, got ${bytes}`);
}




// ---------------------------------------------------------------------------------------------
// JSON (the OTLP/JSON mapping: lowerCamelCase keys, hex ids, int64 as string or number)
// ---------------------------------------------------------------------------------------------

type JsonObject = Record<string, unknown>;

function decodeJson(body: Uint8Array, collector: ErrorCollector): DecodedSpan[] {
  let request: unknown;
  try {
    request = JSON.parse(Buffer.from(body.buffer, body.byteOffset, body.byteLength).toString("utf8"));
  } catch (error) {
    throw new OtlpDecodeError(`malformed JSON: ${(error as Error).message}`);
  }
  if (!isObject(request)) throw new OtlpDecodeError("the body must be a JSON ExportTraceServiceRequest object");
  const resourceSpansList = listField(request, "resourceSpans", "resource_spans", "request");
  const spans: DecodedSpan[] = [];
  for (const resourceSpans of resourceSpansList) {
    if (!isObject(resourceSpans)) throw new OtlpDecodeError("resourceSpans entries must be objects");
    const scopeSpansList = listField(resourceSpans, "scopeSpans", "scope_spans", "resourceSpans");
    let resource: Record<string, unknown> | undefined;
    let resourceError: unknown;
    try {
      const resourceObject = field(resourceSpans, "resource", "resource");
      resource = isObject(resourceObject)
        ? jsonAttributes(field(resourceObject, "attributes", "attributes"))
        : {};
    } catch (error) {
      resourceError = prefixed("resource", error);
    }
    for (const scopeSpans of scopeSpansList) {
      if (!isObject(scopeSpans)) throw new OtlpDecodeError("scopeSpans entries must be objects");
      const scopeObject = field(scopeSpans, "scope", "scope");
      const scopeName = isObject(scopeObject) ? field(scopeObject, "name", "name") : undefined;
      const scope = typeof scopeName === "string" && scopeName !== "" ? scopeName : null;
      for (const span of listField(scopeSpans, "spans", "spans", "scopeSpans")) {
        if (resource === undefined) {
          collector.reject(resourceError);
          continue;
        }
        try {
          spans.push(jsonSpan(span, resource, scope));
        } catch (error) {
          collector.reject(error);
        }
      }
    }
  }
  return spans;
}

function jsonSpan(span: unknown, resource: Record<string, unknown>, scope: string | null): DecodedSpan {
  if (!isObject(span)) throw new SpanError("a span must be a JSON object");
  const traceId = idFromJson(field(span, "traceId", "trace_id"), 16, "traceId");
  const spanId = idFromJson(field(span, "spanId", "span_id"), 8, "spanId");
  const parentRaw = field(span, "parentSpanId", "parent_span_id");
  const parentSpanId = parentRaw === undefined || parentRaw === null || parentRaw === "" ? null : idFromJson(parentRaw, 8, "parentSpanId");
  const name = field(span, "name", "name") ?? "";
  if (typeof name !== "string") throw new SpanError("name must be a string");
  const status = field(span, "status", "status");
  let statusCode = 0;
  let statusMessage: string | null = null;
  if (isObject(status)) {
    statusCode = enumFromJson(field(status, "code", "code"), STATUS_CODES, "status.code");
    const message = field(status, "message", "message");
    if (typeof message === "string" && message !== "") statusMessage = message;
  }
  const eventsRaw = field(span, "events", "events") ?? [];
  if (!Array.isArray(eventsRaw)) throw new SpanError("events must be an array");
  return finishSpan({
    traceId,
    spanId,
    parentSpanId: parentSpanId === ZERO_SPAN_ID ? null : parentSpanId,
    name,
    startTimeUnixNano: nanosFromJson(field(span, "startTimeUnixNano", "start_time_unix_nano"), "startTimeUnixNano"),
    endTimeUnixNano: nanosFromJson(field(span, "endTimeUnixNano", "end_time_unix_nano"), "endTimeUnixNano"),
    statusCode,
    statusMessage,
    attributes: jsonAttributes(field(span, "attributes", "attributes")),
    resource,
    events: eventsRaw.map((event) => {
      if (!isObject(event)) throw new SpanError("events entries must be objects");
      const eventName = field(event, "name", "name") ?? "";
      if (typeof eventName !== "string") throw new SpanError("event name must be a string");
      return {
        name: eventName,
        timeUnixNano: nanosFromJson(field(event, "timeUnixNano", "time_unix_nano"), "event timeUnixNano"),
        attributes: jsonAttributes(field(event, "attributes", "attributes")),
      };
    }),
    spanKind: enumFromJson(field(span, "kind", "kind"), SPAN_KINDS, "kind"),
    scope,
  });
}

const SPAN_KINDS = [
  "SPAN_KIND_UNSPECIFIED",
  "SPAN_KIND_INTERNAL",
  "SPAN_KIND_SERVER",
  "SPAN_KIND_CLIENT",
  "SPAN_KIND_PRODUCER",
  "SPAN_KIND_CONSUMER",
];
const STATUS_CODES = ["STATUS_CODE_UNSET", "STATUS_CODE_OK", "STATUS_CODE_ERROR"];

function enumFromJson(value: unknown, names: string[], what: string): number {
  if (value === undefined || value === null) return 0;
  if (typeof value === "number" && Number.isInteger(value)) return value;
  if (typeof value === "string") {
    const index = names.indexOf(value);
    if (index !== -1) return index;
  }
  throw new SpanError(`${what} must be an enum number or name`);
}

const HEX_PATTERN = /^[0-9a-fA-F]*$/;

function idFromJson(value: unknown, length: number, what: string): string {
  if (typeof value !== "string") throw new SpanError(`${what} must be a hex string`);
  if (value.length === length * 2 && HEX_PATTERN.test(value)) return value.toLowerCase();
  // Generic protobuf JSON encodes bytes as base64; some clients send ids that way.
  const bytes = Buffer.from(value, "base64");
  if (bytes.length === length && bytes.toString("base64").replace(/=+$/, "") === value.replace(/=+$/, "")) {
    return bytes.toString("hex");
  }
  throw new SpanError(`${what} must be ${length * 2} hex digits`);
}

const DECIMAL_PATTERN = /^\d{1,20}$/;

function nanosFromJson(value: unknown, what: string): string {
  if (typeof value === "number") {
    if (!Number.isInteger(value) || value < 0) throw new SpanError(`${what} must be a non-negative integer`);
    return BigInt(value).toString();
  }
  if (typeof value === "string" && DECIMAL_PATTERN.test(value)) {
    const nanos = BigInt(value);
    if (nanos > MAX_UINT64) throw new SpanError(`${what} is out of range`);
    return nanos.toString();
  }
  if (value === undefined || value === null) return "0";
  throw new SpanError(`${what} must be a decimal string or integer`);
}

function jsonAttributes(value: unknown): Record<string, unknown> {
  if (value === undefined || value === null) return {};
  if (!Array.isArray(value)) throw new SpanError("attributes must be an array of key/value objects");
  const attributes: Record<string, unknown> = {};
  for (const keyValue of value) {
    if (!isObject(keyValue) || typeof keyValue.key !== "string") {
      throw new SpanError("attributes entries must be objects with a string key");
    }
    setAttribute(attributes, keyValue.key, jsonValue(keyValue.value, keyValue.key, 0));
  }
  return attributes;
}

function jsonValue(value: unknown, key: string, depth: number): unknown {
  if (value === undefined || value === null) return null;
  if (!isObject(value)) throw new SpanError(`attribute ${key}: the value must be an AnyValue object`);
  let result: unknown;
  if ((result = field(value, "stringValue", "string_value")) !== undefined) {
    if (typeof result !== "string") throw new SpanError(`attribute ${key}: stringValue must be a string`);
    return result;
  }
  if ((result = field(value, "boolValue", "bool_value")) !== undefined) {
    if (typeof result !== "boolean") throw new SpanError(`attribute ${key}: boolValue must be a boolean`);
    return result;
  }
  if ((result = field(value, "intValue", "int_value")) !== undefined) {
    return int64FromJson(result, key);
  }
  if ((result = field(value, "doubleValue", "double_value")) !== undefined) {
    if (typeof result === "number") return result;
    if (result === "NaN" || result === "Infinity" || result === "-Infinity") return result;
    if (typeof result === "string" && result.trim() !== "" && Number.isFinite(Number(result))) return Number(result);
    throw new SpanError(`attribute ${key}: doubleValue must be a number`);
  }
  if ((result = field(value, "bytesValue", "bytes_value")) !== undefined) {
    if (typeof result !== "string") throw new SpanError(`attribute ${key}: bytesValue must be base64`);
    return result;
  }
  if ((result = field(value, "arrayValue", "array_value")) !== undefined) {
    checkDepth(key, depth);
    const values = isObject(result) ? (result.values ?? []) : undefined;
    if (!Array.isArray(values)) throw new SpanError(`attribute ${key}: arrayValue.values must be an array`);
    return values.map((item) => jsonValue(item, key, depth + 1));
  }
  if ((result = field(value, "kvlistValue", "kvlist_value")) !== undefined) {
    checkDepth(key, depth);
    const values = isObject(result) ? (result.values ?? []) : undefined;
    if (!Array.isArray(values)) throw new SpanError(`attribute ${key}: kvlistValue.values must be an array`);
    const object: Record<string, unknown> = {};
    for (const entry of values) {
      if (!isObject(entry) || typeof entry.key !== "string") {
        throw new SpanError(`attribute ${key}: kvlistValue entries must have a string key`);
      }
      setAttribute(object, entry.key, jsonValue(entry.value, key, depth + 1));
    }
    return object;
  }
  return null;
}

const INTEGER_PATTERN = /^-?\d{1,20}$/;

function int64FromJson(value: unknown, key: string): number | string {
  if (typeof value === "number" && Number.isInteger(value)) return value;
  if (typeof value === "string" && INTEGER_PATTERN.test(value)) {
    const number = Number(value);
    return Number.isSafeInteger(number) ? number : BigInt(value).toString();
  }
  throw new SpanError(`attribute ${key}: intValue must be an integer`);
}

// ---------------------------------------------------------------------------------------------
// Shared
// ---------------------------------------------------------------------------------------------

function finishSpan(span: DecodedSpan): DecodedSpan {
  if (span.traceId === ZERO_TRACE_ID) throw new SpanError("traceId must not be all zeros");
  if (span.spanId === ZERO_SPAN_ID) throw new SpanError("spanId must not be all zeros");
  if (span.startTimeUnixNano === "0") throw new SpanError("startTimeUnixNano is missing");
  if (span.endTimeUnixNano === "0") throw new SpanError("endTimeUnixNano is missing");
  if (decimalLess(span.endTimeUnixNano, span.startTimeUnixNano)) {
    throw new SpanError("endTimeUnixNano is before startTimeUnixNano");
  }
  if (span.statusCode < 0 || span.statusCode > 2) span.statusCode = 0;
  if (span.spanKind < 0 || span.spanKind > 5) span.spanKind = 0;
  return span;
}

/** `a < b` for canonical decimal strings (no leading zeros), without parsing them. */
function decimalLess(a: string, b: string): boolean {
  return a.length !== b.length ? a.length < b.length : a < b;
}

function checkDepth(key: string, depth: number): void {
  if (depth >= MAX_VALUE_DEPTH) throw new SpanError(`attribute ${key}: nested deeper than ${MAX_VALUE_DEPTH} levels`);
}


function prefixed(what: string, error: unknown): SpanError {
  return new SpanError(`${what}: ${error instanceof Error ? error.message : String(error)}`);
}

function isObject(value: unknown): value is JsonObject {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** OTLP/JSON uses lowerCamelCase; the protobuf JSON mapping also allows the original field names. */
function field(object: JsonObject, camel: string, snake: string): unknown {
  const value = object[camel];
  return value === undefined ? object[snake] : value;
}

function listField(object: JsonObject, camel: string, snake: string, parent: string): unknown[] {
  const value = field(object, camel, snake);
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) throw new OtlpDecodeError(`${parent}.${camel} must be an array`);
  return value;
}
