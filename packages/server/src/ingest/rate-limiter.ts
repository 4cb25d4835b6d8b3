/** Options of {@link RateLimiter}. */
export interface RateLimitOptions {
  /** Sustained requests per second per key. Default 1,000. */
  requestsPerSecond?: number;
  /** Requests a key may send at once after being idle (the bucket size). Default 2 × `requestsPerSecond`. */
  burst?: number;
  /** Keys tracked at once; the least recently seen are forgotten first. Default 10,000. */
  maxKeys?: number;
}

interface Bucket {
  tokens: number;
  updatedAt: number;
}

/**
 * A token bucket per key: each request takes a token; tokens refill at `requestsPerSecond` up to
 * `burst`. When empty, {@link RateLimiter.take} says how many seconds until the next token, for
 * the `Retry-After` header.
 */
export class RateLimiter {
  private readonly buckets = new Map<string, Bucket>();
  private readonly rate: number;
  private readonly burst: number;
  private readonly maxKeys: number;

  constructor(
    options: RateLimitOptions = {},
    private readonly now: () => number = Date.now,
  ) {
    this.rate = Math.max(options.requestsPerSecond ?? 1000, 1e-6);
    this.burst = Math.max(options.burst ?? this.rate * 2, 1);
    this.maxKeys = options.maxKeys ?? 10_000;
  }

  /** Takes a token for `key`: `0` when allowed, else the whole seconds to wait (at least 1). */
  take(key: string): number {
    const now = this.now();
    let bucket = this.buckets.get(key);
    if (bucket) {
      this.buckets.delete(key);
      bucket.tokens = Math.min(this.burst, bucket.tokens + ((now - bucket.updatedAt) / 1000) * this.rate);
      bucket.updatedAt = now;
    } else {
      bucket = { tokens: this.burst, updatedAt: now };
      if (this.buckets.size >= this.maxKeys) this.buckets.delete(this.buckets.keys().next().value!);
    }
    this.buckets.set(key, bucket);
    if (bucket.tokens >= 1) {
      bucket.tokens -= 1;
      return 0;
    }
    return Math.max(1, Math.ceil((1 - bucket.tokens) / this.rate));
  }
}
