/**
 * Both sides of the protocol in one process, the real SDK over its in-memory transport: the
 * client's requests are spans, they carry the trace context in `params._meta`, and the server's
 * handlers run under SERVER spans in the client's trace.
 */
import { context, SpanKind, SpanStatusCode, trace } from "@opentelemetry/api";
import { suppressTracing } from "@opentelemetry/core";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { Server } from "@modelcontextprotocol/sdk/server/index.js";
import { interpretSpan, readToolCall } from "@agentops/span-model";
import { MCPInstrumentation } from "@agentops/instrumentation-mcp";
import { setupTracing, type TestTracing } from "@agentops/test-support";
import { connectWeather, type Seen } from "./utils/weather";

let tracing: TestTracing;
let instrumentation: MCPInstrumentation;
let seen: Seen[];
let weather: Awaited<ReturnType<typeof connectWeather>>;

beforeAll(async () => {
  tracing = setupTracing();
  instrumentation = new MCPInstrumentation({ captureContent: true });
  instrumentation.setTracerProvider(tracing.provider);
  instrumentation.manuallyInstrument(Client);
  instrumentation.manuallyInstrument(Server);
  seen = [];
  weather = await connectWeather(seen);
});

afterEach(() => {
  tracing.exporter.reset();
  seen.length = 0;
  instrumentation.setConfig({ captureContent: true });
  instrumentation.enable();
});

afterAll(async () => {
  await weather.close();
  instrumentation.disable();
  await tracing.shutdown();
});

function spansOf(kind: SpanKind) {
  return tracing.spans().filter((span) => span.kind === kind);
}

/** The span model's reading of a span, as the SDK and the server make it. */
function meaningOf(span: ReturnType<TestTracing["spans"]>[number]) {
  return interpretSpan(span.name, span.parentSpanContext?.spanId ?? null, span.attributes, span.status.code);
}

describe("a tool call", () => {
  it("is one client tool span, with the server's span under it in the same trace", async () => {
    const result = await weather.client.callTool({ name: "get_weather", arguments: { city: "Oslo" } });
    expect(result.content).toEqual([{ type: "text", text: "Sunny in Oslo" }]);

    const [client] = spansOf(SpanKind.CLIENT);
    const [server] = spansOf(SpanKind.SERVER);
    expect(tracing.spans()).toHaveLength(2);
    expect(client!.name).toBe("execute_tool get_weather");
    expect(client!.status.code).toBe(SpanStatusCode.UNSET);
    expect(client!.attributes).toEqual({
      "mcp.method.name": "tools/call",
      "gen_ai.operation.name": "execute_tool",
      "gen_ai.tool.name": "get_weather",
      "gen_ai.tool.call.arguments": '{"city":"Oslo"}',
      "gen_ai.tool.call.result": '[{"type":"text","text":"Sunny in Oslo"}]',
      "mcp.server.name": "weather",
      "mcp.server.version": "1.2.3",
    });
    expect(server!.name).toBe("tools/call get_weather");
    expect(server!.spanContext().traceId).toBe(client!.spanContext().traceId);
    expect(server!.parentSpanContext?.spanId).toBe(client!.spanContext().spanId);
    expect(server!.parentSpanContext?.isRemote).toBe(true);
    expect(server!.attributes).toMatchObject({ "agentops.span.kind": "mcp.server", "mcp.server.name": "weather", "jsonrpc.request.id": expect.any(String) });

    // The tool ran inside the server span.
    expect(seen).toEqual([expect.objectContaining({ tool: "get_weather", spanId: server!.spanContext().spanId })]);
    // One call, one tool call: the server's span is shown, not counted.
    expect([meaningOf(client!).kind, meaningOf(server!).kind]).toEqual(["tool", "other"]);
    expect(readToolCall(client!.attributes)).toEqual({ name: "get_weather", server: "weather", arguments: { city: "Oslo" }, result: [{ type: "text", text: "Sunny in Oslo" }] });
  });

  it("sends the client span's traceparent in _meta, keeping the caller's own _meta and objects", async () => {
    const params = { name: "get_weather", arguments: { city: "Bergen" }, _meta: { "example.com/request": "r-1" } };
    const before = JSON.stringify(params);
    await weather.client.callTool(params);
    expect(JSON.stringify(params)).toBe(before);
    const [client] = spansOf(SpanKind.CLIENT);
    const { traceId, spanId } = client!.spanContext();
    expect(seen[0]!.meta).toMatchObject({ "example.com/request": "r-1", traceparent: `00-${traceId}-${spanId}-01` });
  });

  it("lets a traceparent the caller put in _meta stand", async () => {
    const caller = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01";
    await weather.client.callTool({ name: "get_weather", arguments: { city: "Rome" }, _meta: { traceparent: caller } });
    expect(seen[0]!.meta?.traceparent).toBe(caller);
    expect(spansOf(SpanKind.SERVER)[0]!.spanContext().traceId).toBe("0af7651916cd43dd8448eb211c80319c");
  });

  it("ends with status ERROR when the tool reports isError, and returns the result unchanged", async () => {
    const result = await weather.client.callTool({ name: "flaky", arguments: {} });
    expect(result.isError).toBe(true);
    const [client] = spansOf(SpanKind.CLIENT);
    const [server] = spansOf(SpanKind.SERVER);
    for (const span of [client!, server!]) {
      expect(span.status).toEqual({ code: SpanStatusCode.ERROR, message: "the weather station is down" });
      expect(span.attributes["error.type"]).toBe("tool_error");
      expect(span.attributes["gen_ai.tool.call.result"]).toBeUndefined();
    }
    expect(meaningOf(client!)).toMatchObject({ kind: "tool", isError: true });
    expect(meaningOf(server!)).toMatchObject({ kind: "other", isError: false });
  });

  it("ends with status ERROR when the request fails, and rethrows the SDK's error unchanged", async () => {
    const failure = await weather.client.readResource({ uri: "weather://atlantis" }).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(Error);
    const [client] = spansOf(SpanKind.CLIENT);
    expect(client!.status.code).toBe(SpanStatusCode.ERROR);
    expect(client!.status.message).toBe((failure as Error).message);
    expect(client!.attributes).toMatchObject({ "rpc.response.status_code": String((failure as { code: number }).code), "error.type": String((failure as { code: number }).code) });
    expect(client!.events.map((event) => event.name)).toEqual(["exception"]);
  });

  it("records no arguments or result without captureContent", async () => {
    instrumentation.setConfig({ captureContent: false });
    await weather.client.callTool({ name: "get_weather", arguments: { city: "Oslo" } });
    for (const span of tracing.spans()) {
      expect(Object.keys(span.attributes).filter((key) => key.startsWith("gen_ai.tool.call."))).toEqual([]);
    }
  });
});

describe("listings, reads and prompts", () => {
  it("are spans named by their method, counted as actions", async () => {
    await weather.client.listTools();
    await weather.client.listResources();
    await weather.client.readResource({ uri: "weather://oslo" });
    await weather.client.listPrompts();
    await weather.client.getPrompt({ name: "plan", arguments: { city: "Oslo" } });
    const clients = spansOf(SpanKind.CLIENT);
    expect(clients.map((span) => [span.name, meaningOf(span).kind])).toEqual([
      ["tools/list", "action"],
      ["resources/list", "action"],
      ["resources/read", "action"],
      ["prompts/list", "action"],
      ["prompts/get plan", "action"],
    ]);
    expect(clients[2]!.attributes).toMatchObject({ "mcp.resource.uri": "weather://oslo", "mcp.server.name": "weather" });
    expect(clients[4]!.attributes["gen_ai.prompt.name"]).toBe("plan");
    const servers = spansOf(SpanKind.SERVER);
    expect(servers.map((span) => meaningOf(span).kind)).toEqual(["other", "other", "other", "other", "other"]);
    servers.forEach((span, index) => expect(span.parentSpanContext?.spanId).toBe(clients[index]!.spanContext().spanId));
  });
});

describe("lifecycle and faults", () => {
  it("emits no spans and sends no trace context while disabled, and again once re-enabled", async () => {
    instrumentation.disable();
    await weather.client.callTool({ name: "get_weather", arguments: { city: "Oslo" } });
    expect(tracing.spans()).toHaveLength(0);
    expect(seen[0]!.meta?.traceparent).toBeUndefined();
    instrumentation.enable();
    await weather.client.callTool({ name: "get_weather", arguments: { city: "Oslo" } });
    expect(tracing.spans()).toHaveLength(2);
  });

  it("emits no spans while tracing is suppressed", async () => {
    await context.with(suppressTracing(context.active()), () => weather.client.callTool({ name: "get_weather", arguments: { city: "Oslo" } }));
    expect(tracing.spans()).toHaveLength(0);
  });

  it("patches once however often it is asked to", async () => {
    instrumentation.manuallyInstrument(Client);
    instrumentation.manuallyInstrument(weather.client);
    instrumentation.manuallyInstrument(weather.server);
    await weather.client.callTool({ name: "get_weather", arguments: { city: "Oslo" } });
    expect(tracing.spans()).toHaveLength(2);
  });

  it("keeps calls working when hooks throw", async () => {
    instrumentation.setConfig({
      captureContent: true,
      parentContext: () => {
        throw new Error("parentContext hook");
      },
      onRemoteParent: () => {
        throw new Error("onRemoteParent hook");
      },
    });
    const result = await weather.client.callTool({ name: "get_weather", arguments: { city: "Oslo" } });
    expect(result.content).toEqual([{ type: "text", text: "Sunny in Oslo" }]);
    expect(tracing.spans()).toHaveLength(2);
  });

  it("hands the caller's span context to onRemoteParent", async () => {
    const callers: string[] = [];
    instrumentation.setConfig({ captureContent: true, onRemoteParent: (caller) => callers.push(caller.spanId) });
    await weather.client.callTool({ name: "get_weather", arguments: { city: "Oslo" } });
    expect(callers).toEqual([spansOf(SpanKind.CLIENT)[0]!.spanContext().spanId]);
  });

  it("passes odd arguments and garbage _meta through to the SDK, which answers as it would untraced", async () => {
    const untraced = await weather.client.callTool(undefined as never).catch((error: unknown) => error);
    expect(untraced).toBeInstanceOf(TypeError);
    expect(spansOf(SpanKind.CLIENT)[0]!.status.code).toBe(SpanStatusCode.ERROR);

    const odd = await weather.client.callTool({ name: "get_weather", arguments: { city: "Oslo" }, _meta: { traceparent: "garbage", tracestate: 42 } as never });
    expect(odd.content).toEqual([{ type: "text", text: "Sunny in Oslo" }]);
    // The caller's garbage stands; the server runs without a parent from it.
    expect(seen.at(-1)!.meta?.traceparent).toBe("garbage");
  });

  it("still calls through when the tracer cannot start spans", async () => {
    const broken = new MCPInstrumentation({ captureContent: true });
    broken.setTracerProvider({
      getTracer: () => ({
        startSpan: () => {
          throw new Error("no spans today");
        },
        startActiveSpan: () => {
          throw new Error("no spans today");
        },
      }),
    });
    instrumentation.disable();
    broken.manuallyInstrument(Client);
    try {
      const result = await weather.client.callTool({ name: "get_weather", arguments: { city: "Oslo" } });
      expect(result.content).toEqual([{ type: "text", text: "Sunny in Oslo" }]);
    } finally {
      broken.disable();
    }
  });

  it("runs a handler in the caller's trace, under a span started inside it", async () => {
    const tracer = tracing.provider.getTracer("test");
    await tracer.startActiveSpan("agent step", async (step) => {
      await weather.client.callTool({ name: "get_weather", arguments: { city: "Oslo" } });
      step.end();
    });
    const step = tracing.spans().find((span) => span.name === "agent step")!;
    const [client] = spansOf(SpanKind.CLIENT);
    expect(client!.parentSpanContext?.spanId).toBe(step.spanContext().spanId);
    expect(seen[0]!.traceId).toBe(step.spanContext().traceId);
    expect(trace.getActiveSpan()).toBeUndefined();
  });
});
