import { format } from "node:util";
import { diag, DiagLogLevel, type DiagLogger } from "@opentelemetry/api";

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

/**
 * Every level to stderr. OpenTelemetry's console logger writes info and debug to stdout, which is
 * the application's output: a CLI's JSON, an MCP stdio server's protocol channel.
 */
class StderrDiagLogger implements DiagLogger {
  error(message: string, ...args: unknown[]): void {
    write(message, args);
  }
  warn(message: string, ...args: unknown[]): void {
    write(message, args);
  }
  info(message: string, ...args: unknown[]): void {
    write(message, args);
  }
  debug(message: string, ...args: unknown[]): void {
    write(message, args);
  }
  verbose(message: string, ...args: unknown[]): void {
    write(message, args);
  }
}

function write(message: string, args: unknown[]): void {
  try {
    process.stderr.write(`${format(message, ...args)}\n`);
  } catch {
    // A closed stderr must not break the application.
  }
}

let installed = false;

/**
 * Makes the SDK's warnings visible: registers a diag logger writing to stderr at `level` unless the
 * application registered one of its own (then its choice stands).
 */
export function installDiagLogger(level: LogLevel): void {
  if (installed) return;
  // `diag.setLogger` returns false and keeps the existing logger only with suppressOverrideMessage
  // semantics; probe for an application logger by its global registration instead.
  const registered = (globalThis as any)[Symbol.for("opentelemetry.js.api.1")]?.diag;
  if (registered) return;
  installed = true;
  diag.setLogger(new StderrDiagLogger(), { logLevel: LEVELS[level], suppressOverrideMessage: true });
}

/** Logs a message once per key, for conditions that would otherwise repeat on every span. */
const said = new Set<string>();
export function logOnce(level: "error" | "warn" | "info" | "debug", key: string, message: string, ...args: unknown[]): void {
  if (said.has(key)) return;
  said.add(key);
  logger[level](message, ...args);
}
