/** A pino-shaped logger that keeps every call's arguments (for `createServer({ logger })`). */
export function captureLogger(lines: unknown[]): any {
  const logger: Record<string, unknown> = { level: "info", silent: () => undefined, child: () => logger };
  for (const level of ["fatal", "error", "warn", "info", "debug", "trace"]) logger[level] = (...args: unknown[]) => lines.push(args);
  return logger;
}
