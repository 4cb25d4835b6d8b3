import type { DiagLogger } from "@opentelemetry/api";

/**
 * Logs each kind of instrumentation failure once: a bug that hits every call must not flood the
 * application's logs, and one line is enough to report it.
 */
export class OnceLogger {
  private readonly seen = new Set<string>();

  constructor(private readonly logger: DiagLogger) {}

  error(key: string, message: string, error?: unknown): void {
    if (this.seen.has(key)) return;
    this.seen.add(key);
    this.logger.error(`${message} (further failures of this kind are not logged)`, error);
  }

  debug(message: string, ...details: unknown[]): void {
    this.logger.debug(message, ...details);
  }
}
