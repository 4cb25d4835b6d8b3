/**
 * A URL from session data, kept only when it is http(s): a `javascript:` or `data:` link in a
 * recorded video or screenshot must never become clickable.
 */
export function safeHttpUrl(value: unknown): string | undefined {
  if (typeof value !== "string" || value.length > 4096) return undefined;
  try {
    const url = new URL(value);
    return url.protocol === "http:" || url.protocol === "https:" ? url.href : undefined;
  } catch {
    return undefined;
  }
}
