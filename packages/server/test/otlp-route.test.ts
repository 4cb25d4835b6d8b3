import http from "node:http";
import { JsonTraceSerializer, ProtobufTraceSerializer } from "@opentelemetry/otlp-transformer";
import { RpcStatus } from "../src/otlp/otlp-proto";
import type { OtlpEncoding } from "../src/index";
import { contentType, gzip, hex, otlpBody, sessionSpans } from "./utils/otlp-bodies";
import { startTestServer, type TestServer } from "./utils/server-harness";

const ENCODINGS: OtlpEncoding[] = ["protobuf", "json"];

async function post(
  server: TestServer,
  body: Buffer,
  headers: Record<string, string>,
): Promise<{ status: number; headers: Headers; body: Buffer }> {
  const response = await fetch(`${server.url}/v1/traces`, { method: "POST", body, headers });
  return { status: response.status, headers: response.headers, body: Buffer.from(await response.arrayBuffer()) };
}

function exportResponse(encoding: OtlpEncoding, body: Buffer) {
  return encoding === "protobuf"
    ? ProtobufTraceSerializer.deserializeResponse(body)
    : JsonTraceSerializer.deserializeResponse(body);
}

function rpcStatus(encoding: OtlpEncoding, body: Buffer): { code: number; message: string } {
  if (encoding === "json") return JSON.parse(body.toString("utf8"));
  return RpcStatus.toObject(RpcStatus.decode(body), { defaults: true }) as { code: number; message: string };
}

describe("POST /v1/traces", () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer();
  });
  afterAll(async () => {
    await server.close();
  });

  const keyHeaders = (encoding: OtlpEncoding, apiKey = server.projectA.apiKey) => ({
    "content-type": contentType(encoding),
    "x-agentops-api-key": apiKey,
  });

  describe.each(ENCODINGS)("in %s", (encoding) => {
    it("answers 200 in the request's encoding once the spans are stored", async () => {
      const session = sessionSpans();
      const response = await post(server, otlpBody(session.spans, encoding), keyHeaders(encoding));
      expect(response.status).toBe(200);
      expect(response.headers.get("content-type")).toContain(contentType(encoding));
      expect(exportResponse(encoding, response.body).partialSuccess).toBeUndefined();
      // No wait: a 200 means committed.
      const stats = await server.storage.sessionStats(server.projectA.id, session.sessionId);
      expect(stats).toMatchObject({ llm_calls: 1, tool_calls: 1, actions: 1, errors: 1, prompt_tokens: 1000, completion_tokens: 500 });
    });

    it("accepts Authorization: Bearer <key>", async () => {
      const session = sessionSpans();
      const response = await post(server, otlpBody(session.spans, encoding), {
        "content-type": contentType(encoding),
        authorization: `Bearer ${server.projectA.apiKey}`,
      });
      expect(response.status).toBe(200);
      expect(await server.storage.sessionStats(server.projectA.id, session.sessionId)).toBeDefined();
    });

    it("accepts a gzip body", async () => {
      const session = sessionSpans();
      const response = await post(server, gzip(otlpBody(session.spans, encoding)), {
        ...keyHeaders(encoding),
        "content-encoding": "gzip",
      });
      expect(response.status).toBe(200);
      expect((await server.storage.sessionStats(server.projectA.id, session.sessionId))!.llm_calls).toBe(1);
    });

    it("answers 200 with partial_success when some spans are invalid, storing the valid ones", async () => {
      const session = sessionSpans();
      const spans = [
        ...session.spans,
        { traceId: session.traceId, name: "bad", startMs: 2000, endMs: 1000 }, // ends before it starts
        // A valid uint64 (the decoder takes it) past signed 64 bits (the normaliser refuses it).
        { traceId: session.traceId, name: "far", startMs: 9_300_000_000_000, endMs: 9_300_000_000_010 },
      ];
      const response = await post(server, otlpBody(spans, encoding), keyHeaders(encoding));
      expect(response.status).toBe(200);
      const partial = exportResponse(encoding, response.body).partialSuccess!;
      expect(Number(partial.rejectedSpans)).toBe(2);
      expect(partial.errorMessage).toMatch(/^2 span\(s\) rejected: /);
      expect(partial.errorMessage).toMatch(/endTimeUnixNano is before startTimeUnixNano/);
      expect(partial.errorMessage).toMatch(/invalid start time/);
      expect((await server.storage.sessionStats(server.projectA.id, session.sessionId))!.llm_calls).toBe(1);
    });

    it("answers 401 in the request's encoding without a key, with an unknown key, and with a malformed one", async () => {
      const body = otlpBody(sessionSpans().spans, encoding);
      const forged = `ak_${"0".repeat(16)}_${"A".repeat(43)}`;
      const attempts: Array<Record<string, string>> = [
        { "content-type": contentType(encoding) },
        keyHeaders(encoding, forged),
        keyHeaders(encoding, "not-a-key"),
        { "content-type": contentType(encoding), authorization: `Bearer ${forged}` },
      ];
      for (const headers of attempts) {
        const response = await post(server, body, headers);
        expect(response.status).toBe(401);
        expect(response.headers.get("content-type")).toContain(contentType(encoding));
        expect(rpcStatus(encoding, response.body)).toEqual({ code: 16, message: "missing or unknown API key" });
      }
    });

    it("answers 400 with a message for a malformed body", async () => {
      const response = await post(server, Buffer.from([0xff, 0xff, 0xff, 0xff, 0x01]), keyHeaders(encoding));
      expect(response.status).toBe(400);
      expect(rpcStatus(encoding, response.body).message).toMatch(encoding === "json" ? /malformed JSON/ : /malformed protobuf/);
    });

    it("answers 400 for a body that is not gzip although it says so", async () => {
      const response = await post(server, Buffer.from("plain"), { ...keyHeaders(encoding), "content-encoding": "gzip" });
      expect(response.status).toBe(400);
      expect(rpcStatus(encoding, response.body).message).toMatch(/gzip/);
    });
  });

  it("answers 415 for other content types and content encodings", async () => {
    const body = Buffer.from("{}");
    const plain = await post(server, body, { "content-type": "text/plain", "x-agentops-api-key": server.projectA.apiKey });
    expect(plain.status).toBe(415);
    expect(JSON.parse(plain.body.toString())).toMatchObject({ message: expect.stringMatching(/text\/plain/) });
    const brotli = await post(server, body, {
      "content-type": "application/json",
      "content-encoding": "br",
      "x-agentops-api-key": server.projectA.apiKey,
    });
    expect(brotli.status).toBe(415);
    const none = await post(server, body, { "x-agentops-api-key": server.projectA.apiKey });
    expect(none.status).toBe(415);
    expect(JSON.parse(none.body.toString())).toMatchObject({ code: 3, message: expect.stringMatching(/\(none\)/) });
  });

  it("checks the key before anything else: 401 beats 415", async () => {
    const response = await post(server, Buffer.from("x"), { "content-type": "text/plain" });
    expect(response.status).toBe(401);
  });

  it("answers GET /healthz without a key", async () => {
    const response = await fetch(`${server.url}/healthz`);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ status: "ok" });
  });
});

describe("POST /v1/traces limits", () => {
  it("answers 413 for a body over the limit, and for a gzip bomb, in the request's encoding", async () => {
    const server = await startTestServer({ bodyLimitBytes: 64 * 1024 });
    try {
      for (const encoding of ENCODINGS) {
        const big = Buffer.alloc(65 * 1024, 0x20);
        const raw = await post(server, big, {
          "content-type": contentType(encoding),
          "x-agentops-api-key": server.projectA.apiKey,
        });
        expect(raw.status).toBe(413);
        expect(rpcStatus(encoding, raw.body).message).toMatch(/exceeds the limit of 65536 bytes/);

        // 64 MiB of zeros gzip to ~64 KiB; the server must stop inflating at the limit.
        const bomb = gzip(Buffer.alloc(64 * 1024 * 1024));
        expect(bomb.length).toBeLessThan(64 * 1024);
        const rssBefore = process.memoryUsage().rss;
        const inflated = await post(server, bomb, {
          "content-type": contentType(encoding),
          "content-encoding": "gzip",
          "x-agentops-api-key": server.projectA.apiKey,
        });
        expect(inflated.status).toBe(413);
        expect(rpcStatus(encoding, inflated.body).message).toMatch(/decompressed request body exceeds/);
        expect(process.memoryUsage().rss - rssBefore).toBeLessThan(48 * 1024 * 1024);
      }
    } finally {
      await server.close();
    }
  });

  it("rejects a gzip bomb under the default 8 MiB limit with 413", async () => {
    const server = await startTestServer();
    try {
      const bomb = gzip(Buffer.alloc(256 * 1024 * 1024));
      const response = await post(server, bomb, {
        "content-type": "application/x-protobuf",
        "content-encoding": "gzip",
        "x-agentops-api-key": server.projectA.apiKey,
      });
      expect(response.status).toBe(413);
    } finally {
      await server.close();
    }
  });

  it("answers 429 with Retry-After past the per-key rate, without affecting other keys", async () => {
    const server = await startTestServer({ rateLimit: { requestsPerSecond: 0.5, burst: 2 } });
    try {
      for (const encoding of ENCODINGS) {
        const headers = { "content-type": contentType(encoding), "x-agentops-api-key": server.projectA.apiKey };
        const body = otlpBody(sessionSpans().spans, encoding);
        if (encoding === "protobuf") {
          expect((await post(server, body, headers)).status).toBe(200);
          expect((await post(server, body, headers)).status).toBe(200);
        }
        const limited = await post(server, body, headers);
        expect(limited.status).toBe(429);
        expect(Number(limited.headers.get("retry-after"))).toBeGreaterThanOrEqual(1);
        expect(rpcStatus(encoding, limited.body).code).toBe(8);
      }
      const other = await post(server, otlpBody(sessionSpans().spans, "json"), {
        "content-type": "application/json",
        "x-agentops-api-key": server.projectB.apiKey,
      });
      expect(other.status).toBe(200);
    } finally {
      await server.close();
    }
  });

  it("answers 503 with Retry-After while the in-flight ingest limit is reached", async () => {
    const server = await startTestServer({ maxConcurrentIngestRequests: 1 });
    const { port } = new URL(server.url);
    // A request whose body never finishes holds the only slot.
    const held = http.request({
      host: "127.0.0.1",
      port: Number(port),
      path: "/v1/traces",
      method: "POST",
      headers: { "content-type": "application/json", "x-agentops-api-key": server.projectA.apiKey },
    });
    held.on("error", () => {});
    const heldResponse = new Promise<number>((resolve) => held.on("response", (response) => resolve(response.statusCode!)));
    held.write('{"resourceSpans":[');
    try {
      // Admission happens once the held request's headers are processed.
      let busy: Awaited<ReturnType<typeof post>> | undefined;
      for (let attempt = 0; attempt < 50; attempt++) {
        busy = await post(server, otlpBody(sessionSpans().spans, "protobuf"), {
          "content-type": "application/x-protobuf",
          "x-agentops-api-key": server.projectA.apiKey,
        });
        if (busy.status === 503) break;
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      expect(busy!.status).toBe(503);
      expect(busy!.headers.get("retry-after")).toBe("1");
      expect(rpcStatus("protobuf", busy!.body).code).toBe(14);
      held.end("]}");
      expect(await heldResponse).toBe(200);
      const after = await post(server, otlpBody(sessionSpans().spans, "json"), {
        "content-type": "application/json",
        "x-agentops-api-key": server.projectA.apiKey,
      });
      expect(after.status).toBe(200);
    } finally {
      held.destroy();
      await server.close();
    }
  });

  it("answers 503 with Retry-After when the store fails, so the exporter retries", async () => {
    const server = await startTestServer();
    try {
      const headers = { "content-type": "application/x-protobuf", "x-agentops-api-key": server.projectA.apiKey };
      expect((await post(server, otlpBody(sessionSpans().spans, "protobuf"), headers)).status).toBe(200);
      await server.storage.close(); // the key stays cached; the write fails
      const failed = await post(server, otlpBody(sessionSpans().spans, "protobuf"), headers);
      expect(failed.status).toBe(503);
      expect(failed.headers.get("retry-after")).toBe("5");
      expect(rpcStatus("protobuf", failed.body)).toEqual({ code: 14, message: "the spans could not be stored; retry later" });
    } finally {
      await server.app.close();
    }
  });

  it("takes a large batch of spans in one request, all committed", async () => {
    const server = await startTestServer();
    try {
      const session = sessionSpans();
      const extra = Array.from({ length: 3000 }, (_, index) => ({
        traceId: session.traceId,
        parentSpanId: session.rootSpanId,
        name: "execute_tool lookup",
        startMs: Date.now() - 10_000 + index,
        attributes: { "gen_ai.operation.name": "execute_tool", "gen_ai.tool.name": "lookup", i: index, id: hex(4) },
      }));
      const response = await post(server, otlpBody([...session.spans, ...extra], "protobuf"), {
        "content-type": "application/x-protobuf",
        "x-agentops-api-key": server.projectA.apiKey,
      });
      expect(response.status).toBe(200);
      expect((await server.storage.sessionStats(server.projectA.id, session.sessionId))!.tool_calls).toBe(3001);
    } finally {
      await server.close();
    }
  });
});
