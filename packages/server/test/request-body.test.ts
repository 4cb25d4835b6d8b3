import { randomBytes } from "node:crypto";
import { Readable } from "node:stream";
import { gzipSync } from "node:zlib";
import { readRequestBody } from "../src/otlp/body";
import { HttpError } from "../src/http-error";

const LIMIT = 8 * 1024 * 1024;

/** A body arriving in chunks of `chunkBytes`, as a socket delivers it. */
function streamOf(bytes: Buffer, chunkBytes = 16 * 1024): Readable {
  const chunks: Buffer[] = [];
  for (let at = 0; at < bytes.length; at += chunkBytes) chunks.push(bytes.subarray(at, at + chunkBytes));
  return Readable.from(chunks, { objectMode: false });
}

describe("readRequestBody", () => {
  it("reads a body of declared length into memory it reuses once released, never mixing bodies", async () => {
    const first = randomBytes(130_000);
    const body = await readRequestBody(streamOf(first), { "content-length": String(first.length) }, LIMIT);
    expect(body.bytes.equals(first)).toBe(true);
    const memory = body.bytes.buffer;
    body.release();
    body.release(); // a second release gives nothing back twice

    const second = randomBytes(120_000);
    const third = randomBytes(125_000);
    const [a, b] = await Promise.all([
      readRequestBody(streamOf(second), { "content-length": String(second.length) }, LIMIT),
      readRequestBody(streamOf(third), { "content-length": String(third.length) }, LIMIT),
    ]);
    // One of them got the released block, the other one of its own; each holds its own bytes.
    expect([a.bytes.buffer, b.bytes.buffer].filter((buffer) => buffer === memory)).toHaveLength(1);
    expect(a.bytes.equals(second)).toBe(true);
    expect(b.bytes.equals(third)).toBe(true);
    a.release();
    b.release();
  });

  it("reads a body longer than declared whole, and one without a length", async () => {
    const bytes = randomBytes(200_000);
    const longer = await readRequestBody(streamOf(bytes), { "content-length": "100000" }, LIMIT);
    expect(longer.bytes.equals(bytes)).toBe(true);
    longer.release();
    const chunked = await readRequestBody(streamOf(bytes), {}, LIMIT);
    expect(chunked.bytes.equals(bytes)).toBe(true);
    chunked.release();
  });

  it("decompresses gzip bodies of declared length", async () => {
    const bytes = randomBytes(300_000);
    const compressed = gzipSync(bytes);
    const body = await readRequestBody(
      streamOf(compressed),
      { "content-length": String(compressed.length), "content-encoding": "gzip" },
      LIMIT,
    );
    expect(body.bytes.equals(bytes)).toBe(true);
    body.release();
  });

  it("refuses a body past the limit whatever its declared length", async () => {
    const bytes = randomBytes(300_000);
    const error = await readRequestBody(streamOf(bytes), { "content-length": "1000" }, 200_000).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(HttpError);
    expect((error as HttpError).statusCode).toBe(413);
  });
});
