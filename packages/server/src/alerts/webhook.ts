import { createHmac } from "node:crypto";
import type { DeliveryAttempt } from "./project-alerts";

/** How a webhook is called and retried. */
export interface WebhookPolicy {
  /** Attempts in all, the first included. */
  maxAttempts: number;
  /** Wait before the second attempt, in ms; doubled before each next one. */
  retryBaseMs: number;
  /** Longest wait between attempts, in ms (also bounds a `Retry-After`). */
  maxRetryDelayMs: number;
  /** Time an attempt may take before it counts as failed, in ms. */
  timeoutMs: number;
}

export const SIGNATURE_HEADER = "x-agentops-signature";
export const DELIVERY_HEADER = "x-agentops-delivery";
export const TIMESTAMP_HEADER = "x-agentops-timestamp";

/** `sha256=<hex>`: HMAC-SHA256 of the raw body with the rule's secret. */
export function signBody(secret: string, body: string): string {
  return `sha256=${createHmac("sha256", secret).update(body).digest("hex")}`;
}

/** What one webhook call is. */
export interface WebhookCall {
  url: string;
  secret: string;
  deliveryId: string;
  /** The raw JSON body, signed as it is sent. */
  body: string;
  /** When the alert fired, epoch ms (the timestamp header, in seconds). */
  firedAtMs: number;
}

/**
 * POSTs the body until a 2xx, retrying network errors, timeouts, 5xx and 429 with exponential
 * backoff (a `Retry-After` within the bound is honoured); other answers are final. Each attempt's
 * outcome is passed to `onAttempt` before the next. Never throws; stops early when `signal` aborts.
 */
export async function sendWebhook(
  call: WebhookCall,
  policy: WebhookPolicy,
  signal: AbortSignal,
  onAttempt: (attempt: DeliveryAttempt, outcome: "delivered" | "retry" | "failed") => Promise<void>,
): Promise<"delivered" | "failed"> {
  const headers = {
    "content-type": "application/json",
    "user-agent": "agentops-server",
    [SIGNATURE_HEADER]: signBody(call.secret, call.body),
    [DELIVERY_HEADER]: call.deliveryId,
    [TIMESTAMP_HEADER]: String(Math.floor(call.firedAtMs / 1000)),
  };
  for (let attempt = 1; ; attempt++) {
    const started = Date.now();
    let status: number | null = null;
    let error: string | null = null;
    let retryAfterMs: number | undefined;
    try {
      const response = await fetch(call.url, {
        method: "POST",
        headers,
        body: call.body,
        // A redirect is an answer, not a place to send the signed body to.
        redirect: "manual",
        signal: AbortSignal.any([signal, AbortSignal.timeout(policy.timeoutMs)]),
      });
      status = response.status;
      retryAfterMs = retryAfter(response.headers.get("retry-after"));
      await response.body?.cancel().catch(() => undefined);
      if (status < 200 || status >= 300) error = `answered ${status}`;
    } catch (caught) {
      error = describeError(caught, policy.timeoutMs);
    }
    const delivered = status !== null && status >= 200 && status < 300;
    const retryable = !delivered && (status === null || status >= 500 || status === 429);
    const last = attempt >= policy.maxAttempts || signal.aborted;
    const outcome = delivered ? "delivered" : retryable && !last ? "retry" : "failed";
    const record: DeliveryAttempt = {
      attempt,
      at: new Date(started).toISOString(),
      status,
      error: signal.aborted && status === null ? "the server stopped before an answer came" : error,
      duration_ms: Date.now() - started,
    };
    await onAttempt(record, outcome);
    if (outcome !== "retry") return outcome;
    const backoff = Math.min(policy.retryBaseMs * 2 ** (attempt - 1), policy.maxRetryDelayMs);
    await sleep(Math.min(Math.max(backoff, retryAfterMs ?? 0), policy.maxRetryDelayMs), signal);
  }
}

function retryAfter(value: string | null): number | undefined {
  if (value === null || !/^\d{1,6}$/.test(value.trim())) return undefined;
  return Number(value.trim()) * 1000;
}

function describeError(error: unknown, timeoutMs: number): string {
  if (error instanceof Error && (error.name === "TimeoutError" || error.name === "AbortError")) {
    return error.name === "TimeoutError" ? `no answer within ${timeoutMs} ms` : "aborted";
  }
  const cause = (error as { cause?: { code?: unknown; message?: unknown } }).cause;
  if (cause && typeof cause.code === "string") return `${cause.code}${typeof cause.message === "string" ? `: ${cause.message}` : ""}`;
  return error instanceof Error ? error.message : String(error);
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const timer = setTimeout(done, ms);
    function done(): void {
      clearTimeout(timer);
      signal.removeEventListener("abort", done);
      resolve();
    }
    signal.addEventListener("abort", done, { once: true });
  });
}
