import type { FastifyBaseLogger } from "fastify";
import type { AlertOptions } from "./alerts/evaluator";
import type { ApiKeyVerifierOptions } from "./auth/keys";
import type { CredentialVerifier } from "./auth/authenticate";
import type { IngestQueueOptions } from "./ingest/ingest-queue";
import type { RateLimitOptions } from "./ingest/rate-limiter";
import type { TokenOptions } from "./auth/project-tokens";
import type { Storage } from "./storage/types";

/** Options of {@link createServer}. Only `storage` is required. */
export interface ServerOptions {
  /** The store (see `openStorage`). The server never closes it: its owner does. */
  storage: Storage;
  /**
   * Largest OTLP request body, in bytes, counted both as received and after decompression.
   * Default 8 MiB (8,388,608).
   */
  bodyLimitBytes?: number;
  /**
   * Per-key token bucket on `POST /v1/traces`; over it, 429 with `Retry-After`. `false` turns it
   * off. Default `{ requestsPerSecond: 1000, burst: 2000 }`.
   */
  rateLimit?: RateLimitOptions | false;
  /** The bounded queue between the receiver and the store (503 + `Retry-After` when full). */
  ingestQueue?: IngestQueueOptions;
  /**
   * OTLP requests being read, decoded or stored at once; more get 503 + `Retry-After`, which
   * bounds memory to about this many request bodies. Default 32.
   */
  maxConcurrentIngestRequests?: number;
  /**
   * Folder of the built dashboard, served at `/` with SPA fallback. Default: the `dist` folder of
   * the `@agentops/dashboard` package when it is installed, else none. `false`: serve none.
   */
  dashboardDir?: string | false;
  /** Fastify logger: `true` for JSON lines on stdout, a pino-compatible logger, or `false` (default). */
  logger?: boolean | FastifyBaseLogger;
  /**
   * Extra verifiers for `Authorization: Bearer` credentials, tried in order before API keys
   * (e.g. signed short-lived tokens). Default none.
   */
  bearerVerifiers?: CredentialVerifier[];
  /**
   * Tokens of `POST /v3/auth/token` (HS256, signed with a secret generated once and kept in the
   * database unless given). Default lifetime 24 h. See {@link TokenOptions}.
   */
  tokens?: TokenOptions;
  /** Cache of verified API keys. Default 1,000 keys for 60 s. */
  keyCache?: ApiKeyVerifierOptions;
  /**
   * Alert rules (kept per project, managed with `agentops-server alerts` or `/v2/alerts`): how often
   * running sessions are swept and how webhooks are retried. `false` evaluates no rules.
   */
  alerts?: AlertOptions | false;
  /** Clock (epoch ms) for session timeouts, rate limits and token expiry; for tests. Default `Date.now`. */
  now?: () => number;
}
