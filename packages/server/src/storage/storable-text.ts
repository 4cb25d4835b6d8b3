/** NUL, and UTF-16 surrogates without their other half. */
const UNSTORABLE = /\0|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

/**
 * `text` as every store can keep it in a text column and compare it: NUL (which PostgreSQL's
 * `text` and `jsonb` cannot hold) and unpaired surrogates (not Unicode at all: `jsonb` refuses
 * them, UTF-8 cannot encode them, and protobuf strings never carry them) become U+FFFD. Columns
 * derived from a span (name, status message, model, provider, tags, end-state reason, video) go
 * through it at ingest, and so do the values they are filtered by; attributes are stored as JSON
 * text, where both survive escaped.
 *
 * @example
 * storableText("a\u0000b"); // "a\ufffdb"
 */
export function storableText(text: string): string {
  return text.replace(UNSTORABLE, "\ufffd");
}

/** {@link storableText} for nullable columns. */
export function storableTextOrNull(text: string | null): string | null {
  return text === null ? null : storableText(text);
}
