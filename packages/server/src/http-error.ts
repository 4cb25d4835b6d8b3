/**
 * An error that maps to one HTTP answer. Routes throw it; the error handlers turn it into the
 * body each route family uses (OTLP `Status` for /v1/traces, `{ error, message }` for the REST API).
 */
export class HttpError extends Error {
  override readonly name = "HttpError";

  constructor(
    readonly statusCode: number,
    /** A stable snake_case code, e.g. `payload_too_large`. */
    readonly code: string,
    message: string,
    /** Seconds for the `Retry-After` header (429 / 503). */
    readonly retryAfterSeconds?: number,
  ) {
    super(message);
  }
}
