import { traceIdToUuid } from "@agentops/semconv";
import { interpretSpan, readSessionMetadata } from "@agentops/span-model";
import { storableText, storableTextOrNull } from "../storage/storable-text";
import type { DecodedSpan, NormalizedSpan } from "../storage/types";
import { canonicalInt64Decimal, compareDecimal, decimalMillisOfNanos } from "../uint64";

const TRACE_ID = /^[0-9a-f]{32}$/;
const SPAN_ID = /^[0-9a-f]{16}$/;
const ZERO_TRACE_ID = "0".repeat(32);
const ZERO_SPAN_ID = "0".repeat(16);

/** Why a span was rejected; the OTLP receiver reports it in `partial_success`. */
export interface NormalizeError {
  error: string;
}

/**
 * Validates a decoded span and derives everything the stores need: its kind in the session model,
 * token counts and cost (LLM spans), whether it counts as an error, and the session metadata
 * (tags, end state, video) that session and marker spans carry.
 *
 * Rejected (an `{ error }` instead of a span): a trace id that is not 32 hex digits or is all
 * zeros, a span id that is not 16 hex digits or is all zeros, a start time that is not a positive
 * integer of nanoseconds, an end time before the start. A malformed or all-zero parent span id is
 * read as "no parent".
 *
 * @example
 * const result = normalizeSpan(decoded);
 * if ("error" in result) rejected.push(result.error); else spans.push(result);
 */
export function normalizeSpan(decoded: DecodedSpan): NormalizedSpan | NormalizeError {
  const traceId = typeof decoded.traceId === "string" ? decoded.traceId.toLowerCase() : "";
  if (!TRACE_ID.test(traceId) || traceId === ZERO_TRACE_ID) {
    return { error: `invalid trace id ${JSON.stringify(String(decoded.traceId).slice(0, 64))}` };
  }
  const spanId = typeof decoded.spanId === "string" ? decoded.spanId.toLowerCase() : "";
  if (!SPAN_ID.test(spanId) || spanId === ZERO_SPAN_ID) {
    return { error: `invalid span id ${JSON.stringify(String(decoded.spanId).slice(0, 64))}` };
  }
  const parent = typeof decoded.parentSpanId === "string" ? decoded.parentSpanId.toLowerCase() : "";
  const parentSpanId = SPAN_ID.test(parent) && parent !== ZERO_SPAN_ID ? parent : null;

  const start = readNanos(decoded.startTimeUnixNano);
  const end = readNanos(decoded.endTimeUnixNano);
  if (start === undefined || start === "0") return { error: `span ${spanId}: invalid start time` };
  if (end === undefined || compareDecimal(end, start) < 0)
    return { error: `span ${spanId}: end time missing or before start time` };

  const attributes = isRecord(decoded.attributes) ? decoded.attributes : {};
  const resource = isRecord(decoded.resource) ? decoded.resource : {};
  const name = typeof decoded.name === "string" ? decoded.name : "";
  const statusCode = decoded.statusCode === 1 || decoded.statusCode === 2 ? decoded.statusCode : 0;
  const statusMessage =
    typeof decoded.statusMessage === "string" && decoded.statusMessage !== ""
      ? decoded.statusMessage
      : null;

  // The span model decides kind, error, tokens and cost, exactly as the SDK's analytics do.
  const meaning = interpretSpan(name, parentSpanId, attributes, statusCode);
  const kind = meaning.kind;
  const metadata =
    kind === "session" || kind === "marker"
      ? readSessionMetadata(attributes, kind === "session", statusCode, statusMessage)
      : null;

  return {
    traceId,
    spanId,
    parentSpanId,
    sessionId: traceIdToUuid(traceId),
    // Text columns hold what every store can keep (PostgreSQL refuses NUL and lone surrogates).
    name: storableText(name),
    kind,
    startTimeUnixNano: start,
    endTimeUnixNano: end,
    startMs: decimalMillisOfNanos(start),
    endMs: decimalMillisOfNanos(end),
    statusCode,
    statusMessage: storableTextOrNull(statusMessage),
    attributes,
    resource,
    events: Array.isArray(decoded.events) ? decoded.events : [],
    model: storableTextOrNull(meaning.model),
    provider: storableTextOrNull(meaning.provider),
    promptTokens: meaning.promptTokens,
    completionTokens: meaning.completionTokens,
    cachedTokens: meaning.cachedTokens,
    reasoningTokens: meaning.reasoningTokens,
    cost: meaning.cost,
    isError: meaning.isError,
    tags: metadata?.tags ? [...new Set(metadata.tags.map(storableText))] : null,
    endState: metadata?.endState ?? null,
    endStateReason: storableTextOrNull(metadata?.endStateReason ?? null),
    video: storableTextOrNull(metadata?.video ?? null),
  };
}

/** Epoch nanoseconds as canonical decimal text, or undefined when not an integer in 0 … 2^63 - 1. */
function readNanos(value: unknown): string | undefined {
  if (typeof value === "string") return canonicalInt64Decimal(value);
  if (typeof value === "bigint") return canonicalInt64Decimal(value.toString());
  if (typeof value === "number" && Number.isSafeInteger(value)) return canonicalInt64Decimal(String(value));
  return undefined;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
