/**
 * SQL text for ClickHouse, built with every value quoted here. ClickHouse 18.16 has no query
 * parameters, so values must go into the statement text: the `sql` template below is the only
 * way statements are built, and it turns each interpolated value into a literal (strings quoted
 * and escaped, numbers checked to be safe integers). Trusted text (table names, fixed fragments)
 * is a {@link Sql} value, made with `sql` itself, {@link identifier} or {@link raw}.
 */

/** A piece of SQL text: interpolating it into `sql` inserts it as is. */
export class Sql {
  constructor(readonly text: string) {}
  toString(): string {
    return this.text;
  }
}

export type SqlValue = string | number | bigint | boolean | null | Sql | readonly SqlValue[];

/**
 * `s` as a ClickHouse string literal. Inside single quotes ClickHouse reads backslash escapes, so
 * the backslash and the quote are escaped, and so are NUL and line breaks (harmless raw, but
 * they would cut the statement in logs). Everything else, UTF-8 included, stands for itself.
 *
 * @example
 * quoteString("it's"); // "'it\\'s'"
 */
export function quoteString(s: string): string {
  return `'${s.replace(/[\\'\0\n\r\t]/g, escapeChar)}'`;
}

const ESCAPES: Record<string, string> = {
  "\\": "\\\\",
  "'": "\\'",
  "\0": "\\0",
  "\n": "\\n",
  "\r": "\\r",
  "\t": "\\t",
};

function escapeChar(char: string): string {
  return ESCAPES[char]!;
}

/** A literal for a value; numbers must be safe integers (no float ever goes into a statement). */
export function literal(value: SqlValue): string {
  if (value instanceof Sql) return value.text;
  if (value === null) return "NULL";
  if (typeof value === "string") return quoteString(value);
  if (typeof value === "bigint") return value.toString();
  if (typeof value === "boolean") return value ? "1" : "0";
  if (typeof value === "number") {
    if (!Number.isSafeInteger(value)) throw new TypeError(`not a safe integer for SQL: ${value}`);
    return String(value);
  }
  if (Array.isArray(value)) return `[${value.map(literal).join(", ")}]`;
  throw new TypeError(`cannot write ${typeof value} into SQL`);
}

/**
 * Builds a statement: the template's text is trusted, every `${value}` becomes a literal.
 *
 * @example
 * sql`SELECT count() FROM ${table} WHERE project_id = ${projectId}`;
 */
export function sql(strings: TemplateStringsArray, ...values: SqlValue[]): Sql {
  let text = strings[0]!;
  for (let i = 0; i < values.length; i++) text += literal(values[i]!) + strings[i + 1]!;
  return new Sql(text);
}

const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** A database or table name, refused unless it is a plain identifier, then backquoted. */
export function identifier(...parts: string[]): Sql {
  for (const part of parts) {
    if (!IDENTIFIER.test(part)) throw new TypeError(`not a plain identifier: ${JSON.stringify(part)}`);
  }
  return new Sql(parts.map((part) => `\`${part}\``).join("."));
}

/** Trusted SQL text written in this code (never a value that came from outside). */
export function raw(text: string): Sql {
  return new Sql(text);
}

/** Fragments joined by a separator (e.g. conditions by " AND "). */
export function joinSql(parts: readonly Sql[], separator: string): Sql {
  return new Sql(parts.map((part) => part.text).join(separator));
}
