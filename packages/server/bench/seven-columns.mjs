// The smallest honest baseline for ingest: the same spans as rows of a 7-column table with 2
// indexes (trace and start time; a unique (trace, span) key), the columns any span store has.
// The store's own table has 26 columns and derives kind, tokens, cost and session metadata; the
// ratio to this insert shows what that schema and work cost, which a baseline writing the
// store's own row cannot.

/** The 7 values of a span's row: trace, span, parent, name, start, end (nanoseconds), attributes. */
export function sevenValues(span, bigints) {
  return [
    span.traceId,
    span.spanId,
    span.parentSpanId,
    span.name,
    bigints ? BigInt(span.startTimeUnixNano) : span.startTimeUnixNano,
    bigints ? BigInt(span.endTimeUnixNano) : span.endTimeUnixNano,
    JSON.stringify(span.attributes),
  ];
}

export const SEVEN_COLUMNS = "trace_id, span_id, parent_span_id, name, start_ns, end_ns, attributes";

/** SQLite and PostgreSQL: the table and its two indexes. */
export function sevenColumnTable(name, { integer = "INTEGER" } = {}) {
  return [
    `CREATE TABLE ${name} (trace_id TEXT NOT NULL, span_id TEXT NOT NULL, parent_span_id TEXT, name TEXT NOT NULL,
      start_ns ${integer} NOT NULL, end_ns ${integer} NOT NULL, attributes TEXT NOT NULL)`,
    `CREATE UNIQUE INDEX ${name}_span ON ${name} (trace_id, span_id)`,
    `CREATE INDEX ${name}_start ON ${name} (trace_id, start_ns)`,
  ];
}
