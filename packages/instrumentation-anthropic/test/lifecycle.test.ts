import * as AnthropicModule from "@anthropic-ai/sdk";
import Anthropic from "@anthropic-ai/sdk";
import {
  AnthropicInstrumentation,
  type AnthropicInstrumentationConfig,
} from "@agentops/instrumentation-anthropic";
import { ATTR_GEN_AI_RESPONSE_ID } from "@agentops/semconv";
import { suppressTracing } from "@opentelemetry/core";
import { isWrapped } from "@opentelemetry/instrumentation";
import {
  context,
  diag,
  DiagLogLevel,
  trace,
  type DiagLogger,
  type Span,
  type TracerProvider,
} from "@opentelemetry/api";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { resolveConfig } from "../src/config";
import { PACKAGE_VERSION } from "../src/version";
import { ANSWER, QUESTION, startHarness, type Harness } from "./utils/harness";

let harness: Harness;

beforeAll(async () => {
  harness = await startHarness({ captureContent: false });
});

afterEach(() => {
  harness.exporter.reset();
  harness.mock.reset();
});

afterAll(async () => {
  await harness.close();
});

/**
 * Runs `test` with a harness of its own; the file's instrumentation steps aside meanwhile, as a
 * prototype already patched by one instance is left to it.
 */
async function withOwnHarness(
  config: AnthropicInstrumentationConfig,
  test: (own: Harness) => Promise<void>,
): Promise<void> {
  harness.instrumentation.disable();
  const own = await startHarness(config);
  try {
    await test(own);
  } finally {
    await own.close();
    harness.instrumentation.enable();
  }
}

/** The text of a logged line (the component logger puts its namespace first). */
function line(args: unknown[]): string {
  return args.map(String).join(" ");
}

/** Collects what the instrumentation logs through `diag`. */
function captureDiag(): { errors: unknown[][]; warnings: unknown[][]; restore(): void } {
  const errors: unknown[][] = [];
  const warnings: unknown[][] = [];
  const ignore = () => undefined;
  const logger: DiagLogger = {
    error: (...args) => errors.push(args),
    warn: (...args) => warnings.push(args),
    info: ignore,
    debug: ignore,
    verbose: ignore,
  };
  diag.setLogger(logger, { logLevel: DiagLogLevel.WARN, suppressOverrideMessage: true });
  return { errors, warnings, restore: () => diag.disable() };
}

describe("enable / disable", () => {
  it("records no spans while disabled, restores the client's own methods, and traces again once enabled", async () => {
    const patched = Anthropic.Messages.prototype.create;
    harness.instrumentation.disable();
    const unpatched = Anthropic.Messages.prototype.create;
    try {
      expect(unpatched).not.toBe(patched);
      // _unwrap restored the client's own methods, not a pass-through wrapper
      expect(isWrapped(patched)).toBe(true);
      expect(isWrapped(unpatched)).toBe(false);
      expect(isWrapped(Anthropic.Messages.prototype.stream)).toBe(false);
      const message = await harness.client.messages.create(QUESTION);
      const streamed = await harness.client.messages.stream(QUESTION).finalMessage();
      expect(message.content[0]).toMatchObject({ text: ANSWER });
      expect(streamed.content[0]).toMatchObject({ text: ANSWER });
      expect(harness.exporter.getFinishedSpans()).toHaveLength(0);
    } finally {
      harness.instrumentation.enable();
    }
    expect(Anthropic.Messages.prototype.create).not.toBe(unpatched);
    expect(isWrapped(Anthropic.Messages.prototype.create)).toBe(true);
    expect(isWrapped(Anthropic.Messages.prototype.stream)).toBe(true);
    await harness.client.messages.create(QUESTION);
    expect(harness.spans()).toHaveLength(1);
  });
});

describe("one span per call", () => {
  it("emits no span while tracing is suppressed, and the call still succeeds", async () => {
    const message = await context.with(suppressTracing(context.active()), () =>
      harness.client.messages.create(QUESTION),
    );
    expect(message.content[0]).toMatchObject({ type: "text", text: ANSWER });
    await context.with(suppressTracing(context.active()), () =>
      harness.client.messages.stream(QUESTION).finalMessage(),
    );
    expect(harness.spans()).toHaveLength(0);
  });

  it("starts spans under the context the parentContext hook chooses; a throwing hook changes nothing", async () => {
    const session = harness.provider.getTracer("test").startSpan("session");
    harness.instrumentation.setConfig({
      captureContent: false,
      parentContext: (active) => trace.setSpan(active, session),
    });
    try {
      await harness.client.messages.create(QUESTION);
      expect(harness.onlySpan().parentSpanContext?.spanId).toBe(session.spanContext().spanId);
      harness.exporter.reset();
      harness.instrumentation.setConfig({
        captureContent: false,
        parentContext: () => {
          throw new Error("hook failure");
        },
      });
      const message = await harness.client.messages.create(QUESTION);
      expect(message.content[0]).toMatchObject({ type: "text", text: ANSWER });
      expect(harness.onlySpan().parentSpanContext).toBeUndefined();
      harness.exporter.reset();
      // a throwing hook leaves the span under the active context, here the caller's own span
      const caller = harness.provider.getTracer("test").startSpan("caller");
      const streamed = await context.with(trace.setSpan(context.active(), caller), () =>
        harness.client.messages.stream(QUESTION).finalMessage(),
      );
      caller.end();
      expect(streamed.content[0]).toMatchObject({ type: "text", text: ANSWER });
      const spans = harness.spans().filter((span) => span.name !== "caller");
      expect(spans).toHaveLength(1);
      expect(spans[0]!.parentSpanContext?.spanId).toBe(caller.spanContext().spanId);
    } finally {
      harness.instrumentation.setConfig({ captureContent: false });
      session.end();
    }
  });

  it("patches each prototype once, however often and by whatever route it is instrumented", async () => {
    harness.instrumentation.manuallyInstrument(Anthropic);
    harness.instrumentation.manuallyInstrument(AnthropicModule);
    harness.instrumentation.manuallyInstrument(harness.client);
    const second = new AnthropicInstrumentation();
    second.setTracerProvider(harness.provider);
    second.manuallyInstrument(Anthropic);
    try {
      await harness.client.messages.create(QUESTION);
      await harness.client.messages.stream(QUESTION).finalMessage();
      await harness.client.beta.messages.create(QUESTION);
      expect(harness.exporter.getFinishedSpans()).toHaveLength(3);
    } finally {
      second.disable();
    }
  });

  it("keeps the client's own span off while tracing, so a registered global provider sees one GenAI span", async () => {
    trace.setGlobalTracerProvider(harness.provider);
    try {
      await harness.client.messages.create(QUESTION);
      for await (const _event of await harness.client.messages.create({
        ...QUESTION,
        stream: true,
      })) {
        // read to the end
      }
      await harness.client.messages.stream(QUESTION).finalMessage();
      const names = harness.exporter.getFinishedSpans().map((span) => span.name);
      expect(names).toEqual([
        "chat claude-haiku-4-5",
        "chat claude-haiku-4-5",
        "chat claude-haiku-4-5",
      ]);
    } finally {
      trace.disable();
    }
  });

  it("leaves the client's own span as a child when suppressClientSpans is false", async () => {
    harness.instrumentation.setConfig({ captureContent: false, suppressClientSpans: false });
    trace.setGlobalTracerProvider(harness.provider);
    try {
      await harness.client.messages.create(QUESTION);
      const spans = harness.exporter.getFinishedSpans();
      // Clients before 0.135 have no tracing of their own: then ours is the only span.
      const tracesItself = "_tracer" in harness.client;
      expect(spans).toHaveLength(tracesItself ? 2 : 1);
      if (!tracesItself) return;
      const ours = harness.onlySpan();
      const clients = spans.filter((span) => span !== ours);
      expect(clients[0]!.parentSpanContext?.spanId).toBe(ours.spanContext().spanId);
    } finally {
      trace.disable();
      harness.instrumentation.setConfig({ captureContent: false });
    }
  });

  it("traces a call made from inside a helper's listener as a call of its own", async () => {
    let inner: Promise<Anthropic.Message> | undefined;
    const stream = harness.client.messages.stream(QUESTION);
    stream.once("message", () => {
      inner = harness.client.messages.create({ ...QUESTION, model: "claude-sonnet-4-6" });
    });
    await stream.done();
    await inner;
    const spans = harness.spans();
    expect(spans.map((span) => span.name).sort()).toEqual([
      "chat claude-haiku-4-5",
      "chat claude-sonnet-4-6",
    ]);
  });
});

describe("never breaking the application", () => {
  it("a throwing requestHook or responseHook leaves the call and its span intact, and is logged once", async () => {
    const logged = captureDiag();
    try {
      await withOwnHarness(
        {
          requestHook: () => {
            throw new Error("request hook failed");
          },
          responseHook: () => {
            throw new Error("response hook failed");
          },
        },
        async (throwing) => {
          const message = await throwing.client.messages.create(QUESTION);
          const streamed = await throwing.client.messages.stream(QUESTION).finalMessage();
          expect(message.content[0]).toMatchObject({ text: ANSWER });
          expect(streamed.content[0]).toMatchObject({ text: ANSWER });
          const spans = throwing.spans();
          expect(spans).toHaveLength(2);
          expect(spans.map((span) => span.attributes[ATTR_GEN_AI_RESPONSE_ID]).sort()).toEqual(
            [message.id, streamed.id].sort(),
          );
          // each hook's failure is logged once, whatever the number of calls
          expect(logged.errors).toHaveLength(2);
          expect(line(logged.errors[0]!)).toContain("requestHook threw");
          expect(line(logged.errors[1]!)).toContain("responseHook threw");
        },
      );
    } finally {
      logged.restore();
    }
  });

  it("hooks see the span, the request and the response (the rebuilt Message for streams)", async () => {
    const seen: Array<{ kind: string; operation: string; streamed?: boolean; value: any }> = [];
    await withOwnHarness(
      {
        requestHook: (span: Span, info) => {
          span.setAttribute("app.request.hooked", true);
          seen.push({ kind: "request", operation: info.operation, value: info.params });
        },
        responseHook: (span: Span, info) => {
          span.setAttribute("app.response.hooked", true);
          seen.push({
            kind: "response",
            operation: info.operation,
            streamed: info.streamed,
            value: info.response,
          });
        },
      },
      async (hooked) => {
        const message = await hooked.client.messages.create(QUESTION);
        const streamed = await hooked.client.beta.messages.stream(QUESTION).finalMessage();
        expect(seen).toEqual([
          { kind: "request", operation: "messages.create", value: QUESTION },
          { kind: "response", operation: "messages.create", streamed: false, value: message },
          { kind: "request", operation: "beta.messages.stream", value: QUESTION },
          {
            kind: "response",
            operation: "beta.messages.stream",
            streamed: true,
            value: expect.objectContaining({
              id: streamed.id,
              stop_reason: "end_turn",
              usage: expect.objectContaining({ output_tokens: streamed.usage.output_tokens }),
            }),
          },
        ]);
        for (const span of hooked.spans()) {
          expect(span.attributes).toMatchObject({
            "app.request.hooked": true,
            "app.response.hooked": true,
          });
        }
      },
    );
  });

  it("calls the client untraced when the tracer itself fails, and logs that once", async () => {
    const logged = captureDiag();
    const broken: TracerProvider = {
      getTracer: () => ({
        startSpan: () => {
          throw new Error("tracer broken");
        },
        startActiveSpan: () => {
          throw new Error("tracer broken");
        },
      }),
    };
    const instrumentation = new AnthropicInstrumentation();
    instrumentation.setTracerProvider(broken);
    harness.instrumentation.disable();
    instrumentation.manuallyInstrument(Anthropic);
    try {
      const first = await harness.client.messages.create(QUESTION);
      const second = await harness.client.messages.stream(QUESTION).finalMessage();
      expect(first.content[0]).toMatchObject({ text: ANSWER });
      expect(second.content[0]).toMatchObject({ text: ANSWER });
      expect(logged.errors).toHaveLength(1);
      expect(line(logged.errors[0]!)).toContain("could not start a span");
    } finally {
      logged.restore();
      instrumentation.disable();
      harness.instrumentation.enable();
    }
  });

  it("warns, without throwing, when manuallyInstrument gets something that is not the client", () => {
    const logged = captureDiag();
    try {
      expect(() => harness.instrumentation.manuallyInstrument({ not: "anthropic" })).not.toThrow();
      expect(() => harness.instrumentation.manuallyInstrument(undefined)).not.toThrow();
      expect(logged.warnings).toHaveLength(2);
      expect(line(logged.warnings[0]!)).toContain("manuallyInstrument");
    } finally {
      logged.restore();
    }
  });
});

describe("configuration", () => {
  it("settles the defaults once: explicit option, then environment, then default", () => {
    const on = { OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT: "true" };
    expect(resolveConfig({}, {})).toMatchObject({
      captureContent: false,
      suppressClientSpans: true,
    });
    expect(resolveConfig({}, on).captureContent).toBe(true);
    expect(
      resolveConfig({}, { OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT: " True " })
        .captureContent,
    ).toBe(true);
    expect(
      resolveConfig({}, { OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT: "1" }).captureContent,
    ).toBe(false);
    expect(resolveConfig({ captureContent: false }, on).captureContent).toBe(false);
    expect(resolveConfig({ captureContent: true }, {}).captureContent).toBe(true);
    expect(resolveConfig({ suppressClientSpans: false }, {}).suppressClientSpans).toBe(false);
  });

  it("names its scope after the package and its version", () => {
    const manifest = JSON.parse(readFileSync(join(__dirname, "..", "package.json"), "utf8")) as {
      name: string;
      version: string;
    };
    expect(PACKAGE_VERSION).toBe(manifest.version);
    expect(harness.instrumentation.instrumentationName).toBe(manifest.name);
    expect(harness.instrumentation.instrumentationVersion).toBe(manifest.version);
  });
});
