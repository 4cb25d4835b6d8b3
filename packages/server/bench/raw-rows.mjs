// One span as the values of a raw row insert, shared by the storage and ingest benches: the
// baseline they compare the store against writes the same columns the store writes.

/** The row of `span` in the spans table, for a plain INSERT. `bigints` for SQLite's integer columns. */
export function rawValues(span, projectPk, traceId, receivedMs, bigints) {
  return [
    projectPk,
    traceId,
    span.spanId,
    span.parentSpanId,
    span.name,
    span.kind,
    bigints ? BigInt(span.startTimeUnixNano) : span.startTimeUnixNano,
    bigints ? BigInt(span.endTimeUnixNano) : span.endTimeUnixNano,
    span.statusCode,
    span.statusMessage,
    JSON.stringify(span.attributes),
    span.events.length === 0 ? null : JSON.stringify(span.events),
    "bench-resource",
    span.model,
    span.provider,
    span.promptTokens,
    span.completionTokens,
    span.cachedTokens,
    span.reasoningTokens,
    Math.round(span.cost * 1e12),
    bigints ? (span.isError ? 1 : 0) : span.isError,
    null,
    null,
    null,
    null,
    receivedMs,
  ];
}
