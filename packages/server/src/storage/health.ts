import type { SpoolHealth } from "./types";

/** A spool's state as `/healthz` answers it and the server's log lines carry it. */
export function spoolHealthJson(health: SpoolHealth): Record<string, unknown> {
  return {
    pending_spans: health.pendingSpans,
    files: health.files,
    oldest_pending_ms: health.oldestPendingMs,
    failing_since: health.failingSinceMs === null ? null : new Date(health.failingSinceMs).toISOString(),
    failed_attempts: health.failedAttempts,
  };
}
