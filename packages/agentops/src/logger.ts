import { diag, DiagConsoleLogger, DiagLogLevel, type DiagLogger } from "@opentelemetry/api";

/** The SDK's component logger; everything it says goes through OpenTelemetry's `diag`. */
export const logger: DiagLogger = diag.createComponentLogger({ namespace: "agentops" });

/** Log levels accepted by the `logLevel` option and `AGENTOPS_LOG_LEVEL`. */
export type LogLevel = "none" | "error" | "warn" | "info" | "debug" | "verbose" | "all";

const LEVELS: Record<LogLevel, DiagLogLevel> = {
  none: DiagLogLevel.NONE,
  error: DiagLogLevel.ERROR,
  warn: DiagLogLevel.WARN,
  info: DiagLogLevel.INFO,
  debug: DiagLogLevel.DEBUG,
  verbose: DiagLogLevel.VERBOSE,
  all: DiagLogLevel.ALL,
};

export function isLogLevel(value: string): value is LogLevel {
  return Object.prototype.hasOwnProperty.call(LEVELS, value);
}

let installed = false;

/**
 * Makes the SDK's warnings visible: registers a console diag logger at `level` unless the
 * application registered one of its own (then its choice stands).
 */
export function installDiagLogger(level: LogLevel): void {
  if (installed) return;
  // `diag.setLogger` returns false and keeps the existing logger only with suppressOverrideMessage
  // semantics; probe for an application logger by its global registration instead.
  const registered = (globalThis as any)[Symbol.for("opentelemetry.js.api.1")]?.diag;
  if (registered) return;
  installed = true;
  diag.setLogger(new DiagConsoleLogger(), { logLevel: LEVELS[level], suppressOverrideMessage: true });
}

/** Logs a message once per key, for conditions that would otherwise repeat on every span. */
const said = new Set<string>();
export function logOnce(level: "error" | "warn" | "info" | "debug", key: string, message: string, ...args: unknown[]): void {
  if (said.has(key)) return;
  said.add(key);
  logger[level](message, ...args);
}
