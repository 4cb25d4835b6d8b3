/**
 * The fuzz suite's inputs: generated and mutated OTLP/HTTP trace requests in both encodings, each
 * rebuilt from (seed, index) alone. An input says what it may be answered; where it holds valid
 * spans, which of them must be stored when the answer is 200.
 */
import { deflateSync, gzipSync } from "node:zlib";
import {
  ATTR_AGENTOPS_EVENT_PARAMS,
  ATTR_AGENTOPS_SESSION_END_STATE,
  ATTR_AGENTOPS_SESSION_END_STATE_REASON,
  ATTR_AGENTOPS_SESSION_TAGS,
  ATTR_AGENTOPS_SESSION_VIDEO,
  ATTR_AGENTOPS_SPAN_KIND,
  ATTR_GEN_AI_OPERATION_NAME,
  ATTR_GEN_AI_PROVIDER_NAME,
  ATTR_GEN_AI_REQUEST_MODEL,
  ATTR_GEN_AI_TOOL_NAME,
  ATTR_GEN_AI_USAGE_INPUT_TOKENS,
  ATTR_GEN_AI_USAGE_OUTPUT_TOKENS,
  SpanKindValues,
} from "@agentops/semconv";
import {
  type FuzzAttribute,
  type FuzzRequest,
  type FuzzSpan,
  type FuzzText,
  type FuzzValue,
  JsonText,
  WIRE,
  deepJsonValue,
  deepProtoValue,
  encodeJson,
  encodeProtobuf,
  fixed64,
  jsonRequest,
  lenField,
  tag,
  varint,
} from "./fuzz-otlp";
import { Prng } from "./fuzz-prng";

export const JSON_TYPE = "application/json";
export const PROTOBUF_TYPE = "application/x-protobuf";

/** One request of the fuzz run. */
export interface FuzzInput {
  kind: string;
  /** The request's `Content-Type` (none when undefined). */
  contentType?: string;
  contentEncoding?: string;
  body: Buffer;
  /** Answers this input may get; when undefined, any answer but a 5xx. */
  expectStatus?: number[];
  /** Spans that must be stored when the answer is 200. */
  validSpans?: Array<{ traceId: string; spanId: string }>;
  /** When the answer is 200, `partial_success.rejected_spans` must be exactly this. */
  rejected?: number;
}

/** A REST request of the fuzz run (method and path with query). */
export interface RestFuzzInput {
  kind: "rest";
  method: string;
  path: string;
}

/** Strings that have broken parsers, drivers and databases before. */
export const UNICODE_EDGES: readonly string[] = [
  "\u0000",
  "a\u0000b",
  "\ud800",
  "\udfff",
  "x\ud83dy",
  "x\ude00y",
  "\ud83d\ude00".repeat(3) + "\ud83d",
  "\ufeffbom",
  "\uffff\ufffe",
  "\u2028\u2029",
  "\u202eevil",
  "e\u0301\u0301\u0301",
  "\ud83d\udc69\u200d\ud83d\udc69\u200d\ud83d\udc67",
  "\u0001\u001f\u007f",
  "\u4e2d\u6587",
  "\ud835\udd4f",
  "<script>alert(1)</script>",
  "'; DROP TABLE spans; --",
  '\\"\\',
  "%00%ff",
  "",
  " ",
];

/** Byte sequences that are not UTF-8: overlong NUL, an encoded surrogate, 0xFF, past U+10FFFF, a cut sequence. */
export const INVALID_UTF8: readonly Buffer[] = [
  Buffer.from([0xc0, 0x80]),
  Buffer.from([0xed, 0xa0, 0x80]),
  Buffer.from([0xff]),
  Buffer.from([0xf4, 0x90, 0x80, 0x80]),
  Buffer.from([0xe2, 0x82]),
  Buffer.from([0x80, 0x80]),
];

const WORDS = ["agent", "search", "plan", "tool", "llm", "chat", "step", "retry", "fetch", "write"];
const MODELS = ["gpt-4o", "gpt-4o-mini", "claude-sonnet-4-5", "unknown-model"];
const NS = 1_000_000n;

interface Context {
  prng: Prng;
  /** Epoch ms around which spans are placed. */
  nowMs: number;
}

function text(prng: Prng, unicode: boolean): FuzzText {
  if (unicode && prng.chance(0.5)) {
    if (prng.chance(0.25))
      return Buffer.concat([
        Buffer.from(prng.pick(WORDS)),
        prng.pick(INVALID_UTF8),
        Buffer.from(prng.pick(WORDS)),
      ]);
    return prng.pick(UNICODE_EDGES) + (prng.chance(0.5) ? prng.pick(UNICODE_EDGES) : "");
  }
  const length = prng.between(1, 3);
  const parts: string[] = [];
  for (let i = 0; i < length; i++) parts.push(prng.pick(WORDS));
  return parts.join(prng.pick([" ", ".", "_", "-"]));
}

function randomValue(prng: Prng, unicode: boolean, depth = 0): FuzzValue {
  switch (prng.int(depth >= 3 ? 5 : 7)) {
    case 0:
      return { string: text(prng, unicode) };
    case 1:
      return { bool: prng.chance(0.5) };
    case 2:
      return {
        int: BigInt(prng.between(-1_000_000, 1_000_000)) * (prng.chance(0.1) ? 10n ** 12n : 1n),
      };
    case 3:
      return {
        double: prng.pick([
          0,
          -0,
          1.5,
          -2.25,
          1e308,
          5e-324,
          Number.NaN,
          Number.POSITIVE_INFINITY,
          prng.next(),
        ]),
      };
    case 4:
      return { bytes: prng.bytes(prng.int(24)) };
    case 5:
      return {
        array: Array.from({ length: prng.int(4) }, () => randomValue(prng, unicode, depth + 1)),
      };
    default:
      return {
        kvlist: Array.from({ length: prng.int(4) }, () => ({
          key: text(prng, unicode),
          value: randomValue(prng, unicode, depth + 1),
        })),
      };
  }
}

/** The attributes of a span in the session model, with a few random extras. */
function spanAttributes(prng: Prng, role: string, unicode: boolean): FuzzAttribute[] {
  const attributes: FuzzAttribute[] = [];
  const string = (key: string, value: FuzzText) =>
    attributes.push({ key, value: { string: value } });
  const maybeText = (plain: string): FuzzText =>
    unicode && prng.chance(0.5) ? text(prng, true) : plain;
  if (role === "session") {
    string(ATTR_AGENTOPS_SPAN_KIND, SpanKindValues.SESSION);
    string(
      ATTR_AGENTOPS_SESSION_END_STATE,
      prng.pick(["Success", "Failure", "Indeterminate", "bogus"]),
    );
    string(ATTR_AGENTOPS_SESSION_END_STATE_REASON, maybeText("done"));
    string(ATTR_AGENTOPS_SESSION_VIDEO, maybeText("https://example.test/video.mp4"));
    attributes.push({
      key: ATTR_AGENTOPS_SESSION_TAGS,
      value: {
        array: Array.from({ length: prng.between(0, 3) }, () => ({
          string: maybeText(prng.pick(WORDS)),
        })),
      },
    });
    if (unicode && prng.chance(0.3)) {
      // A tag cut at the tag length limit in the middle of a surrogate pair.
      attributes[attributes.length - 1]!.value = {
        array: [{ string: "x".repeat(255) + "\ud83d\ude00" }],
      };
    }
  } else if (role === "llm") {
    string(ATTR_GEN_AI_OPERATION_NAME, "chat");
    string(ATTR_GEN_AI_PROVIDER_NAME, maybeText("openai"));
    string(ATTR_GEN_AI_REQUEST_MODEL, maybeText(prng.pick(MODELS)));
    attributes.push({
      key: ATTR_GEN_AI_USAGE_INPUT_TOKENS,
      value: { int: BigInt(prng.int(5000)) },
    });
    attributes.push({
      key: ATTR_GEN_AI_USAGE_OUTPUT_TOKENS,
      value: { int: BigInt(prng.int(5000)) },
    });
  } else if (role === "tool") {
    string(ATTR_GEN_AI_OPERATION_NAME, "execute_tool");
    string(ATTR_GEN_AI_TOOL_NAME, maybeText("search"));
    string(ATTR_AGENTOPS_EVENT_PARAMS, maybeText('{"q":"x"}'));
  }
  for (let i = prng.int(4); i > 0; i--)
    attributes.push({ key: text(prng, unicode), value: randomValue(prng, unicode) });
  return attributes;
}

/** A session's worth of valid spans: a root and a few children under one trace id. */
function validSpans(context: Context, count: number, unicode = false): FuzzSpan[] {
  const { prng } = context;
  const traceId = prng.id(16);
  const rootId = prng.id(8);
  const base = BigInt(context.nowMs - prng.int(3_600_000)) * NS;
  const spans: FuzzSpan[] = [];
  for (let i = 0; i < count; i++) {
    const role = i === 0 ? "session" : prng.pick(["llm", "tool", "other"]);
    const start = base + BigInt(prng.int(60_000)) * NS;
    spans.push({
      traceId,
      spanId: i === 0 ? rootId : prng.id(8),
      parentSpanId: i === 0 ? null : rootId,
      name: unicode ? text(prng, true) : `${role} ${prng.pick(WORDS)}`,
      kind: prng.int(6),
      start,
      end: start + BigInt(prng.int(10_000)) * NS,
      attributes: spanAttributes(prng, role, unicode),
      events: prng.chance(0.3)
        ? [
            {
              name: text(prng, unicode),
              time: start,
              attributes: spanAttributes(prng, "other", unicode),
            },
          ]
        : [],
      status: prng.chance(0.3) ? { code: prng.int(3), message: text(prng, unicode) } : null,
    });
  }
  return spans;
}

function request(context: Context, spans: FuzzSpan[], unicode = false): FuzzRequest {
  const { prng } = context;
  return [
    {
      resource: [
        { key: "service.name", value: { string: unicode ? text(prng, true) : "fuzz" } },
        { key: "host.name", value: { string: "fuzz-host" } },
      ],
      scopeSpans: [{ scope: "fuzz", spans }],
    },
  ];
}

const ids = (spans: FuzzSpan[]) =>
  spans.map((span) => ({
    traceId: span.traceId.toString("hex"),
    spanId: span.spanId.toString("hex"),
  }));

// ---------------------------------------------------------------------------------------------
// Span corruptions that must reject exactly the span they touch
// ---------------------------------------------------------------------------------------------

type JsonSpanCorruption = (span: Record<string, any>, prng: Prng) => unknown;

const JSON_SPAN_CORRUPTIONS: readonly JsonSpanCorruption[] = [
  (span) => void (span.traceId = "abc"),
  (span) => void (span.traceId = "0".repeat(32)),
  (span) => void (span.spanId = 12345),
  (span) => void (span.spanId = "zz".repeat(8)),
  (span) => void (span.parentSpanId = "xyz"),
  (span) => void delete span.startTimeUnixNano,
  (span) => void (span.startTimeUnixNano = "0"),
  (span) => void (span.endTimeUnixNano = (BigInt(span.startTimeUnixNano) - 1n).toString()),
  (span) => void (span.startTimeUnixNano = "-5"),
  (span) => void (span.startTimeUnixNano = 1.5),
  (span) => void (span.startTimeUnixNano = "99999999999999999999"),
  (span) => void (span.endTimeUnixNano = "18446744073709551000"),
  (span) => void (span.name = {}),
  (span) => void (span.attributes = "not a list"),
  (span) => void (span.attributes = [{ key: "k", value: { stringValue: 1 } }]),
  (span) => void (span.attributes = [{ key: 7, value: { stringValue: "v" } }]),
  (span) => void (span.attributes = [{ key: "deep", value: JSON.parse(deepJsonValue(17)) }]),
  (span) => void (span.events = {}),
  (span) => void (span.events = [{ name: 5 }]),
  (span) => void (span.kind = "SPAN_KIND_BOGUS"),
  (span) => void (span.status = { code: "WRONG" }),
  () => "not a span",
  () => null,
  () => 42,
  () => [],
];

type ProtoSpanCorruption = (span: FuzzSpan, prng: Prng) => void;

const PROTO_SPAN_CORRUPTIONS: readonly ProtoSpanCorruption[] = [
  (span, prng) => void (span.traceId = prng.id(15)),
  (span, prng) => void (span.traceId = prng.id(17)),
  (span) => void (span.traceId = Buffer.alloc(16)),
  (span) => void (span.spanId = Buffer.alloc(0)),
  (span, prng) => void (span.spanId = prng.id(9)),
  (span) => void (span.spanId = Buffer.alloc(8)),
  (span, prng) => void (span.parentSpanId = prng.id(5)),
  (span) => void (span.start = null),
  (span) => void (span.end = null),
  (span) => void (span.end = span.start! - 1n),
  (span) => void (span.startAsVarint = true),
  (span) => void (span.start = 0xffffffffffffffffn),
  (span) => void (span.end = 0x8000000000000000n),
  (span) =>
    void (span.extraFields = lenField(
      9,
      Buffer.concat([lenField(1, Buffer.from("deep")), lenField(2, deepProtoValue(17))]),
    )),
];

// ---------------------------------------------------------------------------------------------
// JSON tree mutations
// ---------------------------------------------------------------------------------------------

function randomJunk(prng: Prng): unknown {
  switch (prng.int(12)) {
    case 0:
      return prng.between(-1000, 1000);
    case 1:
      return prng.pick([1e308, -1e308, 2 ** 53 + 1, -0, 0.1, 1e-7, 18446744073709551616]);
    case 2:
      return prng.pick(UNICODE_EDGES);
    case 3:
      return "x".repeat(prng.int(20_000));
    case 4:
      return prng.chance(0.5);
    case 5:
      return null;
    case 6:
      return [];
    case 7:
      return {};
    case 8:
      return JSON.parse("[".repeat(200) + "]".repeat(200));
    case 9:
      return { stringValue: prng.pick(UNICODE_EDGES), intValue: "7", arrayValue: { values: 3 } };
    case 10:
      return prng.bytes(prng.int(16)).toString("hex");
    default:
      return prng.pick([
        "NaN",
        "Infinity",
        "-1",
        "0x10",
        "1e18",
        " 12",
        "true",
        "null",
        "__proto__",
        "constructor",
      ]);
  }
}

/** Every (container, key) pair of a JSON tree, for picking a random place to mutate. */
function places(
  root: unknown,
  limit = 5000,
): Array<[Record<string, unknown> | unknown[], string | number]> {
  const found: Array<[Record<string, unknown> | unknown[], string | number]> = [];
  const stack: unknown[] = [root];
  while (stack.length > 0 && found.length < limit) {
    const node = stack.pop();
    if (Array.isArray(node)) {
      node.forEach((item, index) => {
        found.push([node, index]);
        stack.push(item);
      });
    } else if (node && typeof node === "object") {
      for (const [key, item] of Object.entries(node)) {
        found.push([node as Record<string, unknown>, key]);
        stack.push(item);
      }
    }
  }
  return found;
}

function mutateJsonTree(root: unknown, prng: Prng, count: number): void {
  for (let i = 0; i < count; i++) {
    const all = places(root);
    if (all.length === 0) return;
    const [container, key] = prng.pick(all);
    const action = prng.int(4);
    if (action === 0 && !Array.isArray(container)) delete container[key as string];
    else if (action === 1 && Array.isArray(container)) container.push(randomJunk(prng));
    else if (action === 2 && !Array.isArray(container)) {
      // defineProperty: a plain assignment to "__proto__" would set the prototype, not a key.
      Object.defineProperty(
        container,
        prng.pick(["__proto__", "extra", "resourceSpans", "spans", "value"]),
        {
          value: randomJunk(prng),
          enumerable: true,
          configurable: true,
          writable: true,
        },
      );
    } else (container as any)[key] = randomJunk(prng);
  }
}

// ---------------------------------------------------------------------------------------------
// Byte mutations
// ---------------------------------------------------------------------------------------------

function mutateBytes(body: Buffer, prng: Prng): Buffer {
  const bytes = Buffer.from(body);
  let result = bytes;
  for (let i = prng.between(1, 4); i > 0; i--) {
    if (result.length === 0) break;
    const at = prng.int(result.length);
    switch (prng.int(6)) {
      case 0:
        result[at] = result[at]! ^ (1 << prng.int(8));
        break;
      case 1:
        result[at] = prng.pick([0x00, 0xff, 0x7f, 0x80]);
        break;
      case 2:
        result = Buffer.concat([
          result.subarray(0, at),
          prng.bytes(prng.between(1, 8)),
          result.subarray(at),
        ]);
        break;
      case 3:
        result = Buffer.concat([
          result.subarray(0, at),
          result.subarray(Math.min(result.length, at + prng.between(1, 16))),
        ]);
        break;
      case 4: {
        const length = prng.between(1, 32);
        result = Buffer.concat([
          result.subarray(0, at + length),
          result.subarray(at, at + length),
          result.subarray(at + length),
        ]);
        break;
      }
      default:
        // A length or tag byte turned into an overlong varint.
        result = Buffer.concat([
          result.subarray(0, at),
          Buffer.from([0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01]),
          result.subarray(at + 1),
        ]);
    }
  }
  return result;
}

// ---------------------------------------------------------------------------------------------
// The kinds
// ---------------------------------------------------------------------------------------------

type Generator = (context: Context) => FuzzInput;

const OK_OR_CLIENT_ERROR = [200, 400, 413, 415];

function valid(encoding: "json" | "protobuf", unicode: boolean): Generator {
  return (context) => {
    const spans = validSpans(context, context.prng.between(1, 8), unicode);
    const body =
      encoding === "json"
        ? encodeJson(request(context, spans, unicode))
        : encodeProtobuf(request(context, spans, unicode));
    return {
      kind: `${encoding}-${unicode ? "unicode" : "valid"}`,
      contentType: encoding === "json" ? JSON_TYPE : PROTOBUF_TYPE,
      body,
      expectStatus: [200],
      validSpans: ids(spans),
      rejected: 0,
    };
  };
}

const jsonMixed: Generator = (context) => {
  const { prng } = context;
  const good = validSpans(context, prng.between(1, 6));
  const bad = validSpans(context, prng.between(1, 4));
  const texts = new JsonText();
  const object = jsonRequest(request(context, [...good, ...bad]), texts);
  const list = object.resourceSpans[0]!.scopeSpans[0].spans as unknown[];
  for (let i = good.length; i < list.length; i++) {
    const replaced = prng.pick(JSON_SPAN_CORRUPTIONS)(list[i] as Record<string, any>, prng);
    if (replaced !== undefined) list[i] = replaced;
  }
  // Shuffle so that bad spans sit anywhere in the batch.
  for (let i = list.length - 1; i > 0; i--) {
    const j = prng.int(i + 1);
    [list[i], list[j]] = [list[j], list[i]];
  }
  return {
    kind: "json-mixed",
    contentType: JSON_TYPE,
    body: texts.serialize(object),
    expectStatus: [200],
    validSpans: ids(good),
    rejected: bad.length,
  };
};

const protoMixed: Generator = (context) => {
  const { prng } = context;
  const good = validSpans(context, prng.between(1, 6));
  const bad = validSpans(context, prng.between(1, 4));
  for (const span of bad) prng.pick(PROTO_SPAN_CORRUPTIONS)(span, prng);
  const all = [...good, ...bad];
  for (let i = all.length - 1; i > 0; i--) {
    const j = prng.int(i + 1);
    [all[i], all[j]] = [all[j]!, all[i]!];
  }
  return {
    kind: "protobuf-mixed",
    contentType: PROTOBUF_TYPE,
    body: encodeProtobuf(request(context, all)),
    expectStatus: [200],
    validSpans: ids(good),
    rejected: bad.length,
  };
};

/** Random edits of the JSON tree (types swapped, fields dropped or added); spans left untouched must be stored. */
const jsonTypeConfusion: Generator = (context) => {
  const { prng } = context;
  const spans = validSpans(context, prng.between(2, 6));
  const texts = new JsonText();
  const object = jsonRequest(request(context, spans), texts);
  const list = object.resourceSpans[0]!.scopeSpans[0].spans as unknown[];
  const touched = prng.int(list.length);
  mutateJsonTree(list[touched], prng, prng.between(1, 3));
  const wholeRequest = prng.chance(0.3);
  if (wholeRequest) mutateJsonTree(object, prng, prng.between(1, 3));
  return {
    kind: "json-type-confusion",
    contentType: JSON_TYPE,
    body: texts.serialize(object),
    expectStatus: OK_OR_CLIENT_ERROR,
    validSpans: wholeRequest ? undefined : ids(spans.filter((_, index) => index !== touched)),
  };
};

const BAD_IDS: readonly unknown[] = [
  "",
  "0",
  "g".repeat(32),
  "A".repeat(32),
  "ab".repeat(17),
  "ab".repeat(15),
  "AAECAwQFBgcICQoLDA0ODw==",
  "AAECAwQFBgc=",
  "\u0000".repeat(32),
  "\ud800".repeat(32),
  " ".repeat(32),
  123,
  -1,
  null,
  true,
  [],
  { hex: "ab" },
  "0x" + "ab".repeat(15),
];

const jsonIds: Generator = (context) => {
  const { prng } = context;
  const spans = validSpans(context, prng.between(2, 6));
  const texts = new JsonText();
  const object = jsonRequest(request(context, spans), texts);
  const list = object.resourceSpans[0]!.scopeSpans[0].spans as Array<Record<string, unknown>>;
  const touched = prng.int(list.length);
  list[touched]![prng.pick(["traceId", "spanId", "parentSpanId", "trace_id", "span_id"])] =
    prng.pick(BAD_IDS);
  return {
    kind: "json-ids",
    contentType: JSON_TYPE,
    body: texts.serialize(object),
    expectStatus: [200],
    validSpans: ids(spans.filter((_, index) => index !== touched)),
  };
};

const BAD_TIMES: readonly unknown[] = [
  "",
  "-1",
  "1e18",
  "0x10",
  " 1700000000000000000",
  "1700000000000000000 ",
  "18446744073709551615",
  "18446744073709551616",
  "9223372036854775807",
  "9223372036854775808",
  "99999999999999999999999999",
  1.7e18,
  2 ** 64,
  -1,
  0.5,
  Number.MAX_SAFE_INTEGER + 2,
  1e300,
  "NaN",
  true,
  {},
  [],
];

const jsonTimestamps: Generator = (context) => {
  const { prng } = context;
  const spans = validSpans(context, prng.between(2, 6));
  const texts = new JsonText();
  const object = jsonRequest(request(context, spans), texts);
  const list = object.resourceSpans[0]!.scopeSpans[0].spans as Array<Record<string, any>>;
  const touched = prng.int(list.length);
  const span = list[touched]!;
  const field = prng.pick(["startTimeUnixNano", "endTimeUnixNano", "start_time_unix_nano"]);
  span[field] = prng.pick(BAD_TIMES);
  if (prng.chance(0.3) && Array.isArray(span.events))
    span.events.push({ name: "e", timeUnixNano: prng.pick(BAD_TIMES) });
  return {
    kind: "json-timestamps",
    contentType: JSON_TYPE,
    body: texts.serialize(object),
    expectStatus: [200],
    validSpans: ids(spans.filter((_, index) => index !== touched)),
  };
};

const jsonDeep: Generator = (context) => {
  const { prng } = context;
  const depth = prng.pick([17, 64, 1000, 10_000, 100_000]);
  const spans = validSpans(context, 2);
  const texts = new JsonText();
  const object = jsonRequest(request(context, spans), texts);
  const json = texts.serialize(object).toString();
  const where = prng.int(3);
  let body: string;
  if (where === 0) {
    // An attribute value nested deeper than the limit: that span is rejected, the other stored.
    const at = json.indexOf('"attributes":[', json.indexOf('"spans":[')) + '"attributes":['.length;
    body = `${json.slice(0, at)}{"key":"deep","value":${deepJsonValue(depth)}},${json.slice(at)}`;
    return {
      kind: "json-deep",
      contentType: JSON_TYPE,
      body: Buffer.from(body),
      expectStatus: [200, 400],
      validSpans: ids(spans.slice(1)),
      rejected: 1,
    };
  }
  if (where === 1)
    body = json.replace(
      '"resourceSpans":[',
      `"resourceSpans":[${"[".repeat(depth)}${"]".repeat(depth)},`,
    );
  else
    body = json.replace(
      '"scope":',
      `"unknownField":${"[".repeat(depth)}${"]".repeat(depth)},"scope":`,
    );
  return {
    kind: "json-deep",
    contentType: JSON_TYPE,
    body: Buffer.from(body),
    expectStatus: OK_OR_CLIENT_ERROR,
  };
};

const protoDeep: Generator = (context) => {
  const { prng } = context;
  const depth = prng.pick([17, 64, 1000, 100_000]);
  const spans = validSpans(context, 2);
  const deep = lenField(
    9,
    Buffer.concat([lenField(1, Buffer.from("deep")), lenField(2, deepProtoValue(depth))]),
  );
  spans[0]!.extraFields = deep;
  return {
    kind: "protobuf-deep",
    contentType: PROTOBUF_TYPE,
    body: encodeProtobuf(request(context, spans)),
    expectStatus: [200],
    validSpans: ids(spans.slice(1)),
    rejected: 1,
  };
};

/** Nested start-group tags: skipping them recurses once per level. */
const protoGroups: Generator = (context) => {
  const depth = context.prng.pick([10, 1000, 100_000]);
  const open = Buffer.alloc(depth, tag(1, WIRE.SGROUP)[0]!);
  const close = Buffer.alloc(context.prng.chance(0.5) ? depth : 0, tag(1, WIRE.EGROUP)[0]!);
  return {
    kind: "protobuf-groups",
    contentType: PROTOBUF_TYPE,
    body: Buffer.concat([open, close]),
    expectStatus: [200, 400],
  };
};

const jsonTruncated: Generator = (context) => {
  const body = encodeJson(request(context, validSpans(context, context.prng.between(1, 4))));
  return {
    kind: "json-truncated",
    contentType: JSON_TYPE,
    body: body.subarray(0, context.prng.int(body.length)),
    expectStatus: [400],
  };
};

const protoTruncated: Generator = (context) => {
  const body = encodeProtobuf(request(context, validSpans(context, context.prng.between(1, 4))));
  return {
    kind: "protobuf-truncated",
    contentType: PROTOBUF_TYPE,
    body: body.subarray(0, context.prng.int(body.length)),
    // Cut right after a complete resourceSpans entry (or at 0) is still a well-formed request.
    expectStatus: [200, 400],
  };
};

const jsonBytes: Generator = (context) => {
  const body = encodeJson(request(context, validSpans(context, context.prng.between(1, 4))));
  return {
    kind: "json-bitflip",
    contentType: JSON_TYPE,
    body: mutateBytes(body, context.prng),
    expectStatus: [200, 400],
  };
};

const protoBytes: Generator = (context) => {
  const body = encodeProtobuf(request(context, validSpans(context, context.prng.between(1, 4))));
  return {
    kind: "protobuf-bitflip",
    contentType: PROTOBUF_TYPE,
    body: mutateBytes(body, context.prng),
    expectStatus: [200, 400],
  };
};

const protoWireConfusion: Generator = (context) => {
  const { prng } = context;
  const body = encodeProtobuf(request(context, validSpans(context, prng.between(1, 4))), {
    prng,
    probability: prng.pick([0.02, 0.1, 0.3]),
  });
  return {
    kind: "protobuf-wire-confusion",
    contentType: PROTOBUF_TYPE,
    body,
    expectStatus: [200, 400],
  };
};

/** Framing edge cases: overlong varints, lengths past the end or near 2^32, unknown wire types. */
const protoFraming: Generator = (context) => {
  const { prng } = context;
  const good = encodeProtobuf(request(context, validSpans(context, 1)));
  const pieces = [
    Buffer.concat([tag(1, WIRE.LEN), varint(0xffffffffn)]),
    Buffer.concat([tag(1, WIRE.LEN), varint(0xffffffffffffffffn)]),
    Buffer.concat([
      tag(1, WIRE.LEN),
      Buffer.from([0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x01]),
    ]),
    Buffer.from([0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80]),
    Buffer.concat([tag(1, 6), varint(5)]),
    Buffer.concat([tag(1, 7), varint(5)]),
    Buffer.concat([tag(0, WIRE.VARINT), varint(1)]),
    Buffer.concat([tag(536870911, WIRE.I64), fixed64(1n)]),
    Buffer.concat([tag(2, WIRE.I32), Buffer.from([1, 2])]),
    Buffer.concat([tag(1, WIRE.LEN), varint(3), tag(1, WIRE.LEN), varint(200)]),
    Buffer.concat([tag(1, WIRE.EGROUP)]),
  ];
  const piece = prng.pick(pieces);
  const body = prng.chance(0.5) ? Buffer.concat([good, piece]) : Buffer.concat([piece, good]);
  return { kind: "protobuf-framing", contentType: PROTOBUF_TYPE, body, expectStatus: [200, 400] };
};

const randomBytes =
  (contentType: string): Generator =>
  (context) => ({
    kind: contentType === JSON_TYPE ? "json-random-bytes" : "protobuf-random-bytes",
    contentType,
    body: context.prng.bytes(context.prng.int(context.prng.chance(0.9) ? 512 : 65_536)),
    expectStatus: [200, 400],
  });

const JSON_SNIPPETS = [
  "{",
  "}",
  "[",
  "]",
  ",",
  ":",
  '"',
  '"resourceSpans"',
  '"spans"',
  "null",
  "true",
  "1e999",
  "-",
  '"\\u',
  '"\\ud800"',
  "\u0000",
  "{}",
  "[]",
];

const jsonRandomText: Generator = (context) => {
  const { prng } = context;
  const parts: string[] = [];
  for (let i = prng.between(1, 60); i > 0; i--) parts.push(prng.pick(JSON_SNIPPETS));
  return {
    kind: "json-random-text",
    contentType: JSON_TYPE,
    body: Buffer.from(parts.join("")),
    expectStatus: [200, 400],
  };
};

/** Bodies near and past the 8 MiB limit: one string of several MiB in a name, a key or a value. */
const hugeString: Generator = (context) => {
  const { prng } = context;
  const encoding = prng.pick(["json", "protobuf"] as const);
  const size = prng.pick([1, 4, 7, 9]) * 1024 * 1024;
  const spans = validSpans(context, 2);
  const big = prng.pick(["x", "\u00e9", "\ud83d\ude00"]).repeat(Math.floor(size / 4));
  const where = prng.int(3);
  if (where === 0) spans[1]!.name = big;
  else if (where === 1) spans[1]!.attributes.push({ key: big, value: { string: "v" } });
  else spans[1]!.attributes.push({ key: "big", value: { string: big } });
  const body =
    encoding === "json"
      ? encodeJson(request(context, spans))
      : encodeProtobuf(request(context, spans));
  return {
    kind: "huge-string",
    contentType: encoding === "json" ? JSON_TYPE : PROTOBUF_TYPE,
    body,
    expectStatus: body.length > 8 * 1024 * 1024 ? [413] : [200],
    validSpans: ids(spans),
    rejected: 0,
  };
};

/** One span with 100,000 attributes (and its resource with as many), in either encoding. */
const manyAttributes: Generator = (context) => {
  const { prng } = context;
  const encoding = prng.pick(["json", "protobuf"] as const);
  const spans = validSpans(context, 2);
  const many: FuzzAttribute[] = Array.from({ length: 100_000 }, (_, i) => ({
    key: `k${i}`,
    value: i % 2 ? { int: BigInt(i) } : { string: "v" },
  }));
  const req = request(context, spans);
  if (prng.chance(0.5)) spans[1]!.attributes = many;
  else req[0]!.resource = many;
  const body = encoding === "json" ? encodeJson(req) : encodeProtobuf(req);
  return {
    kind: "many-attributes",
    contentType: encoding === "json" ? JSON_TYPE : PROTOBUF_TYPE,
    body,
    expectStatus: [200],
    validSpans: ids(spans),
    rejected: 0,
  };
};

/** Many spans in one request. */
const manySpans: Generator = (context) => {
  const spans: FuzzSpan[] = [];
  for (let i = 0; i < 20; i++) spans.push(...validSpans(context, 500));
  return {
    kind: "many-spans",
    contentType: PROTOBUF_TYPE,
    body: encodeProtobuf(request(context, spans)),
    expectStatus: [200],
    validSpans: ids(spans),
    rejected: 0,
  };
};

const gzipValid: Generator = (context) => {
  const { prng } = context;
  const spans = validSpans(context, prng.between(1, 6));
  const json = prng.chance(0.5);
  const raw = json ? encodeJson(request(context, spans)) : encodeProtobuf(request(context, spans));
  const deflate = prng.chance(0.3);
  return {
    kind: "gzip-valid",
    contentType: json ? JSON_TYPE : PROTOBUF_TYPE,
    contentEncoding: deflate ? "deflate" : prng.pick(["gzip", "x-gzip", "GZIP", " gzip "]),
    body: deflate ? deflateSync(raw) : gzipSync(raw),
    expectStatus: [200],
    validSpans: ids(spans),
    rejected: 0,
  };
};

const gzipBad: Generator = (context) => {
  const { prng } = context;
  const raw = encodeProtobuf(request(context, validSpans(context, 2)));
  const gz = gzipSync(raw);
  const variants: Array<() => { body: Buffer; encoding: string }> = [
    () => ({ body: prng.bytes(prng.int(256)), encoding: "gzip" }),
    () => ({ body: gz.subarray(0, prng.int(gz.length)), encoding: "gzip" }),
    () => ({ body: mutateBytes(gz, prng), encoding: "gzip" }),
    () => {
      const corrupt = Buffer.from(gz);
      corrupt.writeUInt32LE(
        (corrupt.readUInt32LE(corrupt.length - 8) ^ 1) >>> 0,
        corrupt.length - 8,
      ); // CRC
      return { body: corrupt, encoding: "gzip" };
    },
    () => ({ body: gz, encoding: "deflate" }),
    () => ({ body: deflateSync(raw), encoding: "gzip" }),
    () => ({ body: raw, encoding: "gzip" }),
    () => ({ body: Buffer.alloc(0), encoding: "gzip" }),
    () => ({ body: Buffer.concat([gz, prng.bytes(prng.between(1, 64))]), encoding: "gzip" }),
    () => ({ body: gzipSync(gz), encoding: "gzip" }),
  ];
  const { body, encoding } = prng.pick(variants)();
  return {
    kind: "gzip-bad",
    contentType: PROTOBUF_TYPE,
    contentEncoding: encoding,
    body,
    expectStatus: [200, 400],
  };
};

let bombCache: Buffer | undefined;

/** About 1 GiB of zeros in about 1 MiB of gzip (64 gzip members of 16 MiB each). */
export function gzipBomb(): Buffer {
  bombCache ??= Buffer.concat(Array.from({ length: 64 }, () => BOMB_MEMBER()));
  return bombCache;
}
let bombMember: Buffer | undefined;
const BOMB_MEMBER = () => (bombMember ??= gzipSync(Buffer.alloc(16 * 1024 * 1024), { level: 9 }));

const gzipBombInput: Generator = (context) => ({
  kind: "gzip-bomb",
  contentType: context.prng.pick([JSON_TYPE, PROTOBUF_TYPE]),
  contentEncoding: "gzip",
  body: gzipBomb(),
  expectStatus: [413],
});

const CONTENT_TYPES = [
  undefined,
  "",
  "text/plain",
  "application/json; charset=utf-16",
  "APPLICATION/X-PROTOBUF",
  "application/x-protobuf; proto=opentelemetry",
  "application/json, application/x-protobuf",
  "application/protobuf",
  "application/grpc",
  "multipart/form-data; boundary=x",
  "application/x-www-form-urlencoded",
  ";;;",
  "application/json\u0000",
];
const CONTENT_ENCODINGS = [undefined, "identity", "br", "zstd", "gzip, gzip", "compress", "*", ""];

const headerConfusion: Generator = (context) => {
  const { prng } = context;
  const spans = validSpans(context, 2);
  const json = prng.chance(0.5);
  const body = json ? encodeJson(request(context, spans)) : encodeProtobuf(request(context, spans));
  return {
    kind: "headers",
    contentType: prng.pick(CONTENT_TYPES.filter((type) => !type?.includes("\u0000"))),
    contentEncoding: prng.pick(CONTENT_ENCODINGS),
    body,
    expectStatus: OK_OR_CLIENT_ERROR,
  };
};

const EXTREME_COSTS: readonly FuzzValue[] = [
  { double: 1e6 },
  { double: 5e5 },
  { double: 1e300 },
  { double: Number.MAX_VALUE },
  { double: -1 },
  { double: Number.NaN },
  { double: Number.POSITIVE_INFINITY },
  { int: 10n ** 15n },
  { string: "1e400" },
  { string: "999999999999999999999999" },
  { double: 5e-13 },
];
const EXTREME_COUNTS: readonly FuzzValue[] = [
  { int: 10n ** 12n },
  { int: 2n ** 63n - 1n },
  { int: -1n },
  { double: 1e300 },
  { double: 0.5 },
  { string: "999999999999999999999" },
  { string: "-0" },
];

/**
 * LLM spans with extreme token counts and client-sent costs, many to a session: sums that pass
 * 64 bits must neither fail the store nor make the rollup differ from its recomputation.
 */
const extremeNumbers: Generator = (context) => {
  const { prng } = context;
  const spans = validSpans(context, prng.between(2, 30));
  for (const span of spans.slice(1)) {
    span.attributes = [
      { key: ATTR_GEN_AI_OPERATION_NAME, value: { string: "chat" } },
      { key: ATTR_GEN_AI_PROVIDER_NAME, value: { string: "openai" } },
      { key: ATTR_GEN_AI_REQUEST_MODEL, value: { string: prng.pick(MODELS) } },
      { key: ATTR_GEN_AI_USAGE_INPUT_TOKENS, value: prng.pick(EXTREME_COUNTS) },
      { key: ATTR_GEN_AI_USAGE_OUTPUT_TOKENS, value: prng.pick(EXTREME_COUNTS) },
      { key: "gen_ai.usage.cache_read.input_tokens", value: prng.pick(EXTREME_COUNTS) },
      { key: "agentops.llm.cost", value: prng.pick(EXTREME_COSTS) },
    ];
  }
  const json = prng.chance(0.5);
  return {
    kind: "extreme-numbers",
    contentType: json ? JSON_TYPE : PROTOBUF_TYPE,
    body: json ? encodeJson(request(context, spans)) : encodeProtobuf(request(context, spans)),
    expectStatus: [200],
    validSpans: ids(spans),
    rejected: 0,
  };
};

/** Every kind, with its generator. */
export const FUZZ_KINDS: Readonly<Record<string, Generator>> = {
  "json-valid": valid("json", false),
  "protobuf-valid": valid("protobuf", false),
  "json-unicode": valid("json", true),
  "protobuf-unicode": valid("protobuf", true),
  "json-mixed": jsonMixed,
  "protobuf-mixed": protoMixed,
  "json-type-confusion": jsonTypeConfusion,
  "json-ids": jsonIds,
  "json-timestamps": jsonTimestamps,
  "json-deep": jsonDeep,
  "protobuf-deep": protoDeep,
  "protobuf-groups": protoGroups,
  "json-truncated": jsonTruncated,
  "protobuf-truncated": protoTruncated,
  "json-bitflip": jsonBytes,
  "protobuf-bitflip": protoBytes,
  "protobuf-wire-confusion": protoWireConfusion,
  "protobuf-framing": protoFraming,
  "json-random-bytes": randomBytes(JSON_TYPE),
  "protobuf-random-bytes": randomBytes(PROTOBUF_TYPE),
  "json-random-text": jsonRandomText,
  "huge-string": hugeString,
  "many-attributes": manyAttributes,
  "many-spans": manySpans,
  "gzip-valid": gzipValid,
  "gzip-bad": gzipBad,
  "gzip-bomb": gzipBombInput,
  headers: headerConfusion,
  "extreme-numbers": extremeNumbers,
};

/** How many inputs of each kind a run makes. */
export type FuzzPlan = ReadonlyArray<readonly [kind: string, count: number]>;

/** The plan's kinds, one after the other, as (index, kind) pairs; index numbers the whole run. */
export function planCases(plan: FuzzPlan): Array<{ index: number; kind: string }> {
  const cases: Array<{ index: number; kind: string }> = [];
  for (const [kind, count] of plan) {
    if (!FUZZ_KINDS[kind]) throw new Error(`unknown fuzz kind ${kind}`);
    for (let i = 0; i < count; i++) cases.push({ index: cases.length, kind });
  }
  return cases;
}

/** Builds input `index` of a run, from the seed alone. */
export function buildInput(seed: number, index: number, kind: string, nowMs: number): FuzzInput {
  return FUZZ_KINDS[kind]!({ prng: Prng.forCase(seed, index), nowMs });
}

// ---------------------------------------------------------------------------------------------
// REST
// ---------------------------------------------------------------------------------------------

/** `encodeURIComponent`, with lone surrogates (which it refuses) sent as the bytes of one. */
function encodeText(value: string): string {
  return encodeURIComponent(value.replace(/[\ud800-\udfff]/g, "\ufffd")).replace(
    /%EF%BF%BD/g,
    "%ED%A0%80",
  );
}

const REST_IDS = [
  () => "00000000-0000-0000-0000-000000000000",
  () => "' OR 1=1 --",
  () => "%00",
  () => "%ED%A0%80",
  () => "..%2F..%2Fetc%2Fpasswd",
  () => "x".repeat(5000),
  () => "%25",
  () => encodeURIComponent("\ud83d\ude00"),
  () => "12345678123456781234567812345678",
  () => "12345678-1234-1234-1234-1234567812345",
];

/** A random request to the REST API: odd ids, parameters and methods. */
export function buildRestInput(
  seed: number,
  index: number,
  sessionIds: readonly string[],
): RestFuzzInput {
  const prng = Prng.forCase(seed, index);
  const id =
    prng.chance(0.3) && sessionIds.length > 0
      ? prng.pick(sessionIds)
      : prng.chance(0.5)
        ? prng.pick(REST_IDS)()
        : encodeText(String(randomJunk(prng)).slice(0, 300));
  const method = prng.pick([
    "GET",
    "GET",
    "GET",
    "HEAD",
    "POST",
    "PUT",
    "DELETE",
    "OPTIONS",
    "PATCH",
  ]);
  const route = prng.int(5);
  if (route < 3)
    return {
      kind: "rest",
      method,
      path: `/v2/sessions/${id}/${["stats", "export", "spans"][route]}`,
    };
  if (route === 3)
    return {
      kind: "rest",
      method,
      path: prng.pick([
        "/v2/project",
        "/v2/sessions/",
        "/v2//sessions",
        "/v2/sessions/x/y/z",
        "/v1/traces",
        "/healthz",
      ]),
    };
  const params: string[] = [];
  const value = (): string =>
    prng.chance(0.5)
      ? encodeText(String(randomJunk(prng)).slice(0, 2000))
      : prng.pick([
          "",
          "%00",
          "%ED%A0%80",
          "%ZZ",
          "1",
          "-1",
          "201",
          "1e3",
          "Success",
          "Fail",
          "running",
          "2026-01-01",
          "275760-09-13T00:00:00Z",
          "eyJ4Ijox",
          "'--",
        ]);
  for (let i = prng.int(6); i > 0; i--) {
    params.push(
      `${prng.pick(["limit", "cursor", "tag", "end_state", "from", "to", "limit", "tag", "x", "__proto__"])}=${value()}`,
    );
  }
  return { kind: "rest", method, path: `/v2/sessions?${params.join("&")}` };
}

// ---------------------------------------------------------------------------------------------
// Raw HTTP
// ---------------------------------------------------------------------------------------------

/** A malformed or unusual HTTP/1.1 request to `POST /v1/traces`, as bytes on the wire. */
export function buildRawHttpInput(
  seed: number,
  index: number,
  apiKey: string,
  nowMs: number,
): { kind: "http-raw"; bytes: Buffer } {
  const prng = Prng.forCase(seed, index);
  const body = encodeJson(request({ prng, nowMs }, validSpans({ prng, nowMs }, 2)));
  const head = (lines: string[]) =>
    Buffer.from(
      [
        "POST /v1/traces HTTP/1.1",
        "Host: 127.0.0.1",
        `X-Agentops-Api-Key: ${apiKey}`,
        "Content-Type: application/json",
        ...lines,
        "",
        "",
      ].join("\r\n"),
    );
  const chunked = (chunk: Buffer) =>
    Buffer.concat([
      Buffer.from(chunk.length.toString(16) + "\r\n"),
      chunk,
      Buffer.from("\r\n0\r\n\r\n"),
    ]);
  const variants: Array<() => Buffer> = [
    () => Buffer.concat([head(["Content-Length: -1"]), body]),
    () => Buffer.concat([head(["Content-Length: abc"]), body]),
    () =>
      Buffer.concat([
        head([`Content-Length: ${body.length}`, `Content-Length: ${body.length + 1}`]),
        body,
      ]),
    () =>
      Buffer.concat([
        head(["Transfer-Encoding: chunked", `Content-Length: ${body.length}`]),
        chunked(body),
      ]),
    () => Buffer.concat([head(["Transfer-Encoding: chunked"]), Buffer.from("zz\r\n"), body]),
    () =>
      Buffer.concat([
        head(["Transfer-Encoding: chunked"]),
        Buffer.from("fffffffffffffff\r\n"),
        body,
      ]),
    () => Buffer.concat([head(["Transfer-Encoding: chunked"]), chunked(body)]),
    () => Buffer.concat([head([`Content-Length: ${body.length + 100}`]), body]),
    () => Buffer.concat([head(["Header-Without-Colon", `Content-Length: ${body.length}`]), body]),
    () =>
      Buffer.concat([
        head([
          `X-Big: ${"a".repeat(prng.pick([1000, 20_000, 100_000]))}`,
          `Content-Length: ${body.length}`,
        ]),
        body,
      ]),
    () =>
      Buffer.concat([
        head([
          ...Array.from({ length: 2000 }, (_, i) => `X-H${i}: v`),
          `Content-Length: ${body.length}`,
        ]),
        body,
      ]),
    () => Buffer.from("POST /v1/traces HTTP/9.9\r\n\r\n"),
    () => Buffer.from("\u0000\u0001\u0002 garbage\r\n\r\n"),
    () => prng.bytes(prng.between(1, 2048)),
    () =>
      Buffer.concat([
        head([`Content-Length: ${body.length}`]),
        body,
        head([`Content-Length: ${body.length}`]),
        body,
      ]),
    () => Buffer.concat([head([`Content-Length: ${body.length}`, "Expect: 100-continue"]), body]),
    () =>
      Buffer.concat([
        head([`Content-Length: ${body.length}`, "Content-Encoding: gzip, identity"]),
        body,
      ]),
    () => Buffer.concat([head([`Content-Length: ${body.length}`]).subarray(0, prng.int(200))]),
  ];
  return { kind: "http-raw", bytes: prng.pick(variants)() };
}
