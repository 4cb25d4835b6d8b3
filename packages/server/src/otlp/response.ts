import { ExportTraceServiceResponse, RpcStatus } from "./otlp-proto";
import type { OtlpEncoding } from "./decode";

/** A response body and its media type, ready for `reply.type(...).send(...)`. */
export interface EncodedBody {
  contentType: string;
  body: Buffer | string;
}

/** gRPC status codes used in OTLP error bodies (google.rpc.Status). */
export const RpcCode = {
  INVALID_ARGUMENT: 3,
  RESOURCE_EXHAUSTED: 8,
  UNAUTHENTICATED: 16,
  UNAVAILABLE: 14,
  INTERNAL: 13,
} as const;

export function contentTypeOf(encoding: OtlpEncoding): string {
  return encoding === "protobuf" ? "application/x-protobuf" : "application/json";
}

/**
 * An `ExportTraceServiceResponse`: empty on full success, with `partial_success` when spans
 * were rejected (OTLP: "the server MUST leave partial_success unset" otherwise).
 */
export function encodeExportResponse(encoding: OtlpEncoding, rejectedSpans: number, errorMessage: string): EncodedBody {
  if (encoding === "protobuf") {
    const message =
      rejectedSpans > 0 || errorMessage !== ""
        ? ExportTraceServiceResponse.create({ partialSuccess: { rejectedSpans, errorMessage } })
        : ExportTraceServiceResponse.create({});
    return { contentType: contentTypeOf(encoding), body: bufferOf(ExportTraceServiceResponse.encode(message).finish()) };
  }
  const body =
    rejectedSpans > 0 || errorMessage !== ""
      ? // int64 is a string in the protobuf JSON mapping.
        { partialSuccess: { rejectedSpans: String(rejectedSpans), errorMessage } }
      : {};
  return { contentType: contentTypeOf(encoding), body: JSON.stringify(body) };
}

/** An OTLP error body: a `google.rpc.Status` in the request's encoding. */
export function encodeRpcStatus(encoding: OtlpEncoding, code: number, message: string): EncodedBody {
  if (encoding === "protobuf") {
    return {
      contentType: contentTypeOf(encoding),
      body: bufferOf(RpcStatus.encode(RpcStatus.create({ code, message })).finish()),
    };
  }
  return { contentType: contentTypeOf(encoding), body: JSON.stringify({ code, message }) };
}

function bufferOf(bytes: Uint8Array): Buffer {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}
