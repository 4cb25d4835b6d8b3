import type { DiagLogger } from "@opentelemetry/api";

/**
 * Logs each kind of instrumentation failure once as an error, later ones of that kind at debug
 * level: a bug that hits every call must not flood the application's logs, and one line is
 * enough to report it.
 *
 * @example
 * const failures = new OnceLogger(diag.createComponentLogger({ namespace: "my-instrumentation" }));
 * failures.error("start", "could not start a span", error);
 */
export class OnceLogger {
  private readonly seen = new Set<string>();

  constructor(private readonly logger: DiagLogger) {}

  /** Logs `message` as an error the first time `kind` fails, at debug level afterwards. */
  error(kind: string, message: string, error?: unknown): void {
    if (this.seen.has(kind)) {
      this.logger.debug(message, error);
      return;
    }
    this.seen.add(kind);
    this.logger.error(
      `${message} (further failures of this kind are logged at debug level)`,
      error,
    );
  }

  /** A warning about the application's setup (not a failure): logged each time. */
  warn(message: string, ...details: unknown[]): void {
    this.logger.warn(message, ...details);
  }

  /** Flow details, at debug level. */
  debug(message: string, ...details: unknown[]): void {
    this.logger.debug(message, ...details);
  }
}
