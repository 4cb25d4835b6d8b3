import type { IncomingMessage } from "node:http";
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import type { Authenticator } from "../auth/authenticate";
import { HttpError } from "../http-error";
import type { IngestQueue } from "../ingest/ingest-queue";
import { normalizeSpan } from "../ingest/normalize";
import type { RateLimiter } from "../ingest/rate-limiter";
import { type RequestBody, readRequestBody } from "../otlp/body";
import { type OtlpEncoding, OtlpDecodeError, decodeTraceRequest, encodingOfContentType } from "../otlp/decode";
import { RpcCode, encodeExportResponse, encodeRpcStatus } from "../otlp/response";
import type { NormalizedSpan } from "../storage/types";

/** What the OTLP route needs from the server. */
export interface OtlpTracesRouteOptions {
  authenticator: Authenticator;
  queue: IngestQueue;
  rateLimiter: RateLimiter | undefined;
  bodyLimitBytes: number;
  maxConcurrentRequests: number;
}

interface ParsedBody {
  encoding: OtlpEncoding;
  body: RequestBody;
}

/** Seconds a client is asked to wait when the server is saturated. */
const OVERLOAD_RETRY_AFTER_SECONDS = 1;
/** Seconds a client is asked to wait when the store failed (it may be restarting). */
const STORAGE_RETRY_AFTER_SECONDS = 5;

/**
 * `POST /v1/traces`: the OTLP/HTTP trace receiver. Admission (auth, overload, rate limit) runs
 * before the body is read; a 200 is sent only once the spans are committed.
 */
export async function otlpTracesRoutes(app: FastifyInstance, options: OtlpTracesRouteOptions): Promise<void> {
  const { authenticator, queue, rateLimiter, bodyLimitBytes, maxConcurrentRequests } = options;
  let inFlight = 0;

  // Bodies are read here, not by fastify: the route enforces its own limits (compressed and
  // decompressed), and answers unsupported types in OTLP's error format.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser("*", async (request: FastifyRequest, payload: IncomingMessage): Promise<ParsedBody> => {
    const encoding = encodingOfContentType(request.headers["content-type"]);
    if (!encoding) throw unsupportedMediaType(request.headers["content-type"]);
    return { encoding, body: await readRequestBody(payload, request.headers, bodyLimitBytes) };
  });

  app.setErrorHandler((error: Error & { statusCode?: number }, request, reply) => {
    const encoding = encodingOfContentType(request.headers["content-type"]) ?? "json";
    let status: number;
    let message = error.message;
    let retryAfter: number | undefined;
    if (error instanceof HttpError) {
      status = error.statusCode;
      retryAfter = error.retryAfterSeconds;
    } else if (error instanceof OtlpDecodeError) {
      status = 400;
    } else if (typeof error.statusCode === "number" && error.statusCode >= 400 && error.statusCode < 500) {
      status = error.statusCode; // fastify's own request errors
    } else {
      // The store failed: ask the exporter to retry the batch later (its spans are idempotent).
      request.log.error({ err: error }, "ingest failed");
      status = 503;
      message = "the spans could not be stored; retry later";
      retryAfter = STORAGE_RETRY_AFTER_SECONDS;
    }
    if (retryAfter !== undefined) void reply.header("retry-after", String(retryAfter));
    // Stop reading a body we refused for its size instead of draining it.
    if (status === 413) void reply.header("connection", "close");
    const encoded = encodeRpcStatus(encoding, rpcCodeOf(status), message);
    return reply.code(status).type(encoded.contentType).send(encoded.body);
  });

  app.addHook("onRequest", async (request, reply) => {
    const principal = await authenticator.authenticate(request.headers);
    if (!principal) throw new HttpError(401, "unauthorized", "missing or unknown API key");
    request.projectId = principal.projectId;
    if (inFlight >= maxConcurrentRequests || queue.full) {
      throw new HttpError(503, "overloaded", "the server is busy; retry later", OVERLOAD_RETRY_AFTER_SECONDS);
    }
    if (rateLimiter) {
      const wait = rateLimiter.take(principal.projectId);
      if (wait > 0) throw new HttpError(429, "rate_limited", "too many requests for this API key", wait);
    }
    inFlight++;
    reply.raw.once("close", () => inFlight--);
  });

  app.post("/v1/traces", async (request: FastifyRequest, reply: FastifyReply) => {
    const parsed = request.body as ParsedBody | undefined;
    const encoding = parsed?.encoding ?? encodingOfContentType(request.headers["content-type"]);
    if (!encoding) throw unsupportedMediaType(request.headers["content-type"]);

    let decoded;
    try {
      decoded = decodeTraceRequest(parsed?.body.bytes ?? Buffer.alloc(0), encoding);
    } finally {
      // The decoded spans hold copies of what they read: the body's memory can serve the next request.
      parsed?.body.release();
    }
    const errors = decoded.errors;
    let rejected = decoded.rejected;
    const spans: NormalizedSpan[] = [];
    for (const span of decoded.spans) {
      const normalized = normalizeSpan(span);
      if ("error" in normalized) {
        rejected++;
        if (errors.length < 5 && !errors.includes(normalized.error)) errors.push(normalized.error);
      } else {
        spans.push(normalized);
      }
    }

    const committed = queue.enqueue(request.projectId, spans);
    if (!committed) {
      throw new HttpError(503, "overloaded", "the ingest queue is full; retry later", OVERLOAD_RETRY_AFTER_SECONDS);
    }
    await committed;
    request.spanCounts = { accepted: spans.length, rejected };

    const encoded = encodeExportResponse(
      encoding,
      rejected,
      rejected > 0 ? `${rejected} span(s) rejected: ${errors.join("; ")}` : "",
    );
    return reply.code(200).type(encoded.contentType).send(encoded.body);
  });
}

function unsupportedMediaType(contentType: string | undefined): HttpError {
  return new HttpError(
    415,
    "unsupported_media_type",
    `Content-Type ${contentType ?? "(none)"} is not supported: use application/x-protobuf or application/json`,
  );
}

function rpcCodeOf(status: number): number {
  switch (status) {
    case 401:
      return RpcCode.UNAUTHENTICATED;
    case 429:
      return RpcCode.RESOURCE_EXHAUSTED;
    case 503:
      return RpcCode.UNAVAILABLE;
    default:
      return status >= 500 ? RpcCode.INTERNAL : RpcCode.INVALID_ARGUMENT;
  }
}
