import { type Readable } from "node:stream";
import { promisify } from "node:util";
import zlib from "node:zlib";
import { HttpError } from "../http-error";

const gunzip = promisify(zlib.gunzip);
const inflate = promisify(zlib.inflate);

/**
 * Reads a request body of at most `limitBytes`, before and after decompression. A body over the
 * limit (or a gzip bomb that would inflate past it) is a 413 without ever holding more than
 * `limitBytes` of either form in memory.
 */
export async function readRequestBody(
  stream: Readable,
  headers: { "content-length"?: string; "content-encoding"?: string },
  limitBytes: number,
): Promise<Buffer> {
  const encoding = (headers["content-encoding"] ?? "identity").trim().toLowerCase();
  if (encoding !== "identity" && encoding !== "gzip" && encoding !== "x-gzip" && encoding !== "deflate") {
    throw new HttpError(415, "unsupported_content_encoding", `Content-Encoding ${encoding} is not supported (use gzip or none)`);
  }
  const declared = Number(headers["content-length"]);
  if (Number.isFinite(declared) && declared > limitBytes) throw tooLarge(limitBytes);

  const raw = await readAll(stream, limitBytes);
  if (encoding === "identity") return raw;
  try {
    const options = { maxOutputLength: limitBytes };
    return encoding === "deflate" ? await inflate(raw, options) : await gunzip(raw, options);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ERR_BUFFER_TOO_LARGE") throw tooLarge(limitBytes, "decompressed ");
    throw new HttpError(400, "bad_request", `the body is not valid ${encoding} data`);
  }
}

function readAll(stream: Readable, limitBytes: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer): void => {
      size += chunk.length;
      if (size > limitBytes) {
        cleanup();
        // Stop buffering; Node discards the rest of the request after the response is sent.
        stream.resume();
        reject(tooLarge(limitBytes));
        return;
      }
      chunks.push(chunk);
    };
    const onEnd = (): void => {
      cleanup();
      resolve(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, size));
    };
    const onError = (error: Error): void => {
      cleanup();
      reject(new HttpError(400, "bad_request", `the request body could not be read: ${error.message}`));
    };
    const cleanup = (): void => {
      stream.off("data", onData);
      stream.off("end", onEnd);
      stream.off("error", onError);
    };
    stream.on("data", onData);
    stream.on("end", onEnd);
    stream.on("error", onError);
  });
}

function tooLarge(limitBytes: number, what = ""): HttpError {
  return new HttpError(413, "payload_too_large", `the ${what}request body exceeds the limit of ${limitBytes} bytes`);
}
