import { SpanKind, SpanStatusCode, context, trace } from "@opentelemetry/api";
import { JsonTraceSerializer, ProtobufTraceSerializer } from "@opentelemetry/otlp-transformer";
import { resourceFromAttributes } from "@opentelemetry/resources";
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor, type ReadableSpan } from "@opentelemetry/sdk-trace-base";
import { OtlpDecodeError, decodeTraceRequest, encodingOfContentType } from "../src/index";
import { ExportTraceServiceRequest } from "../src/otlp/otlp-proto";

function recordSpans(): ReadableSpan[] {
  const exporter = new InMemorySpanExporter();
  const provider = new BasicTracerProvider({
    resource: resourceFromAttributes({ "service.name": "decode-test", "host.name": "box" }),
    spanProcessors: [new SimpleSpanProcessor(exporter)],
  });
  const tracer = provider.getTracer("decode-scope", "1.2.3");
  const root = tracer.startSpan("session", { startTime: [1_700_000_000, 123_456_789] });
  const child = tracer.startSpan(
    "chat gpt-4o",
    {
      kind: SpanKind.CLIENT,
      startTime: [1_700_000_001, 1],
      attributes: {
        "gen_ai.request.model": "gpt-4o",
        "gen_ai.usage.input_tokens": 1000,
        "gen_ai.request.temperature": 0.5,
        "gen_ai.request.stream": false,
        "gen_ai.response.finish_reasons": ["stop", "length"],
        "big.int": 2 ** 40,
      },
    },
    trace.setSpan(context.active(), root),
  );
  child.addEvent("exception", { "exception.message": "boom" }, [1_700_000_001, 500]);
  child.setStatus({ code: SpanStatusCode.ERROR, message: "failed" });
  child.end([1_700_000_002, 0]);
  root.end([1_700_000_003, 0]);
  return exporter.getFinishedSpans();
}

describe("decodeTraceRequest", () => {
  const spans = recordSpans();

  it.each(["protobuf", "json"] as const)("decodes what the OpenTelemetry %s serializer writes", (encoding) => {
    const body =
      encoding === "protobuf" ? ProtobufTraceSerializer.serializeRequest(spans)! : JsonTraceSerializer.serializeRequest(spans)!;
    const result = decodeTraceRequest(body, encoding);
    expect(result.rejected).toBe(0);
    expect(result.spans).toHaveLength(2);
    const child = result.spans.find((span) => span.name === "chat gpt-4o")!;
    const root = result.spans.find((span) => span.name === "session")!;
    const original = spans.find((span) => span.name === "chat gpt-4o")!;
    expect(child.traceId).toBe(original.spanContext().traceId);
    expect(child.spanId).toBe(original.spanContext().spanId);
    expect(child.parentSpanId).toBe(root.spanId);
    expect(root.parentSpanId).toBeNull();
    expect(root.startTimeUnixNano).toBe("1700000000123456789");
    expect(child.startTimeUnixNano).toBe("1700000001000000001");
    expect(child.endTimeUnixNano).toBe("1700000002000000000");
    expect(child.spanKind).toBe(3);
    expect(child.statusCode).toBe(2);
    expect(child.statusMessage).toBe("failed");
    expect(child.scope).toBe("decode-scope");
    expect(child.attributes).toEqual({
      "gen_ai.request.model": "gpt-4o",
      "gen_ai.usage.input_tokens": 1000,
      "gen_ai.request.temperature": 0.5,
      "gen_ai.request.stream": false,
      "gen_ai.response.finish_reasons": ["stop", "length"],
      "big.int": 2 ** 40,
    });
    expect(child.resource).toMatchObject({ "service.name": "decode-test", "host.name": "box" });
    expect(child.events).toEqual([
      { name: "exception", timeUnixNano: "1700000001000000500", attributes: { "exception.message": "boom" } },
    ]);
  });

  it("decodes every AnyValue type from protobuf, 64-bit integers exactly", () => {
    const body = ExportTraceServiceRequest.encode(
      ExportTraceServiceRequest.fromObject({
        resourceSpans: [
          {
            resource: { attributes: [{ key: "r", value: { stringValue: "x" } }] },
            scopeSpans: [
              {
                spans: [
                  {
                    traceId: Buffer.from("0af7651916cd43dd8448eb211c80319c", "hex"),
                    spanId: Buffer.from("b7ad6b7169203331", "hex"),
                    name: "values",
                    startTimeUnixNano: "1700000000000000001",
                    endTimeUnixNano: "1700000000000000002",
                    attributes: [
                      { key: "s", value: { stringValue: "text" } },
                      { key: "b", value: { boolValue: true } },
                      { key: "i", value: { intValue: -42 } },
                      { key: "huge", value: { intValue: "9007199254740993" } },
                      { key: "d", value: { doubleValue: 1.25 } },
                      { key: "nan", value: { doubleValue: NaN } },
                      { key: "bytes", value: { bytesValue: Buffer.from("hi") } },
                      { key: "a", value: { arrayValue: { values: [{ stringValue: "x" }, { intValue: 1 }] } } },
                      {
                        key: "kv",
                        value: { kvlistValue: { values: [{ key: "inner", value: { kvlistValue: { values: [{ key: "n", value: { boolValue: false } }] } } }] } },
                      },
                      { key: "empty", value: {} },
                    ],
                  },
                ],
              },
            ],
          },
        ],
      }),
    ).finish();
    const result = decodeTraceRequest(body, "protobuf");
    expect(result.rejected).toBe(0);
    expect(result.spans[0]!.attributes).toEqual({
      s: "text",
      b: true,
      i: -42,
      huge: "9007199254740993",
      d: 1.25,
      nan: "NaN",
      bytes: Buffer.from("hi").toString("base64"),
      a: ["x", 1],
      kv: { inner: { n: false } },
      empty: null,
    });
    expect(result.spans[0]!.startTimeUnixNano).toBe("1700000000000000001");
    expect(result.spans[0]!.resource).toEqual({ r: "x" });
  });

  it("reads the OTLP JSON mapping: hex ids, nanos as strings or numbers, enum names, snake_case keys", () => {
    const body = Buffer.from(
      JSON.stringify({
        resource_spans: [
          {
            resource: { attributes: [{ key: "host.name", value: { stringValue: "h" } }] },
            scope_spans: [
              {
                scope: { name: "s" },
                spans: [
                  {
                    traceId: "0AF7651916CD43DD8448EB211C80319C",
                    spanId: "b7ad6b7169203331",
                    parentSpanId: "",
                    name: "a",
                    kind: "SPAN_KIND_CLIENT",
                    startTimeUnixNano: "1700000000000000001",
                    endTimeUnixNano: 1700000000000001000,
                    status: { code: "STATUS_CODE_ERROR", message: "bad" },
                    attributes: [
                      { key: "i", value: { intValue: "12" } },
                      { key: "big", value: { intValue: "-9223372036854775808" } },
                      { key: "d", value: { doubleValue: "Infinity" } },
                      { key: "bytes", value: { bytesValue: "aGk=" } },
                      { key: "kv", value: { kvlistValue: { values: [{ key: "x", value: { arrayValue: { values: [{ boolValue: true }] } } }] } } },
                    ],
                  },
                  {
                    trace_id: "0af7651916cd43dd8448eb211c80319c",
                    span_id: "b7ad6b7169203332",
                    parent_span_id: "b7ad6b7169203331",
                    name: "b",
                    start_time_unix_nano: 1,
                    end_time_unix_nano: 2,
                  },
                ],
              },
            ],
          },
        ],
      }),
    );
    const result = decodeTraceRequest(body, "json");
    expect(result.errors).toEqual([]);
    const [a, b] = result.spans;
    expect(a).toMatchObject({
      traceId: "0af7651916cd43dd8448eb211c80319c",
      parentSpanId: null,
      spanKind: 3,
      statusCode: 2,
      statusMessage: "bad",
      startTimeUnixNano: "1700000000000000001",
      scope: "s",
      resource: { "host.name": "h" },
      attributes: { i: 12, big: "-9223372036854775808", d: "Infinity", bytes: "aGk=", kv: { x: [true] } },
    });
    expect(b).toMatchObject({ parentSpanId: "b7ad6b7169203331", startTimeUnixNano: "1", endTimeUnixNano: "2" });
  });

  it("rejects bad spans one by one with reasons, keeping the good ones", () => {
    const good = { traceId: "0af7651916cd43dd8448eb211c80319c", spanId: "b7ad6b7169203331", name: "ok", startTimeUnixNano: "10", endTimeUnixNano: "20" };
    const body = Buffer.from(
      JSON.stringify({
        resourceSpans: [
          {
            scopeSpans: [
              {
                spans: [
                  good,
                  { ...good, traceId: "xyz" },
                  { ...good, spanId: "0000000000000000" },
                  { ...good, startTimeUnixNano: "abc" },
                  { ...good, endTimeUnixNano: "5" },
                  { ...good, attributes: [{ key: "n", value: { intValue: "1.5" } }] },
                  "not a span",
                ],
              },
            ],
          },
        ],
      }),
    );
    const result = decodeTraceRequest(body, "json");
    expect(result.spans.map((span) => span.name)).toEqual(["ok"]);
    expect(result.rejected).toBe(6);
    expect(result.errors.length).toBeGreaterThan(0);
    expect(result.errors.length).toBeLessThanOrEqual(5);
    expect(result.errors.join("\n")).toMatch(/traceId/);
  });

  it("rejects protobuf spans with ids of the wrong length", () => {
    const body = ExportTraceServiceRequest.encode(
      ExportTraceServiceRequest.fromObject({
        resourceSpans: [
          {
            scopeSpans: [
              {
                spans: [
                  { traceId: Buffer.alloc(3, 1), spanId: Buffer.alloc(8, 1), startTimeUnixNano: "1", endTimeUnixNano: "2" },
                  { traceId: Buffer.alloc(16, 1), spanId: Buffer.alloc(8, 1), startTimeUnixNano: "1", endTimeUnixNano: "2" },
                ],
              },
            ],
          },
        ],
      }),
    ).finish();
    const result = decodeTraceRequest(body, "protobuf");
    expect(result.spans).toHaveLength(1);
    expect(result.rejected).toBe(1);
    expect(result.errors[0]).toMatch(/traceId must be 16 bytes/);
  });

  it("rejects a span whose attribute nests too deep, in both encodings", () => {
    let nested: Record<string, unknown> = { stringValue: "leaf" };
    for (let i = 0; i < 20; i++) nested = { arrayValue: { values: [nested] } };
    const request = {
      resourceSpans: [
        {
          scopeSpans: [
            {
              spans: [
                { traceId: Buffer.alloc(16, 1), spanId: Buffer.alloc(8, 1), startTimeUnixNano: "1", endTimeUnixNano: "2", attributes: [{ key: "deep", value: nested }] },
                { traceId: Buffer.alloc(16, 1), spanId: Buffer.alloc(8, 2), startTimeUnixNano: "1", endTimeUnixNano: "2" },
              ],
            },
          ],
        },
      ],
    };
    const protobufResult = decodeTraceRequest(
      ExportTraceServiceRequest.encode(ExportTraceServiceRequest.fromObject(request)).finish(),
      "protobuf",
    );
    expect(protobufResult.spans).toHaveLength(1);
    expect(protobufResult.errors[0]).toMatch(/nested deeper than 16/);
    const json = JSON.stringify(request, (key, value) =>
      (key === "traceId" || key === "spanId") && value?.type === "Buffer" ? Buffer.from(value.data).toString("hex") : value,
    );
    const jsonResult = decodeTraceRequest(Buffer.from(json), "json");
    expect(jsonResult.spans).toHaveLength(1);
    expect(jsonResult.errors[0]).toMatch(/nested deeper than 16/);
  });

  it("throws OtlpDecodeError for a truncated protobuf body", () => {
    const body = ProtobufTraceSerializer.serializeRequest(spans)!;
    for (const cut of [1, 7, body.length >> 1, body.length - 1]) {
      expect(() => decodeTraceRequest(body.subarray(0, cut), "protobuf")).toThrow(OtlpDecodeError);
    }
  });

  it.each([
    ["json", "{not json"],
    ["json", "[]"],
    ["json", '{"resourceSpans": 5}'],
    ["protobuf", "\u00ff\u00ff\u00ff\u00ff\u00ff"],
  ] as const)("throws OtlpDecodeError for a malformed %s body %j", (encoding, text) => {
    expect(() => decodeTraceRequest(Buffer.from(text, "latin1"), encoding)).toThrow(OtlpDecodeError);
  });

  it("accepts an empty request", () => {
    expect(decodeTraceRequest(Buffer.alloc(0), "protobuf")).toEqual({ spans: [], rejected: 0, errors: [] });
    expect(decodeTraceRequest(Buffer.from("{}"), "json")).toEqual({ spans: [], rejected: 0, errors: [] });
  });

  it("maps Content-Type values to encodings", () => {
    expect(encodingOfContentType("application/x-protobuf")).toBe("protobuf");
    expect(encodingOfContentType("application/json; charset=utf-8")).toBe("json");
    expect(encodingOfContentType("Application/JSON")).toBe("json");
    expect(encodingOfContentType("text/plain")).toBeUndefined();
    expect(encodingOfContentType(undefined)).toBeUndefined();
  });
});
