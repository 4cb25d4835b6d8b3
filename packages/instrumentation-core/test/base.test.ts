import {
  context,
  diag,
  DiagLogLevel,
  SpanStatusCode,
  trace,
  type Context,
  type Span,
} from "@opentelemetry/api";
import { AsyncLocalStorageContextManager } from "@opentelemetry/context-async-hooks";
import { suppressTracing } from "@opentelemetry/core";
import { InMemorySpanExporter, SimpleSpanProcessor } from "@opentelemetry/sdk-trace-base";
import { isWrapped } from "@opentelemetry/instrumentation";
import { NodeTracerProvider } from "@opentelemetry/sdk-trace-node";
import {
  AgentOpsInstrumentationBase,
  type AgentOpsInstrumentationConfig,
  type CallTracing,
  captureContentFromEnvironment,
  type ClientMethod,
  resolveCaptureContent,
  type TracedCallState,
} from "@agentops/instrumentation-core";

/** A client class as the instrumentations meet them: methods on a shared prototype. */
class Resource {
  create(value: number): number {
    if (value < 0) throw new RangeError("negative");
    return value * 2;
  }
  /** A helper implemented on `create`, as a client's `parse` is. */
  parse(value: number): number {
    return this.create(value) + 1;
  }
}

interface TestCall extends TracedCallState {
  readonly span: Span;
}

/** The smallest instrumentation on the shared base: one span per `create` or `parse`. */
class TestInstrumentation extends AgentOpsInstrumentationBase<AgentOpsInstrumentationConfig> {
  failStart = false;
  requestHook: ((span: Span) => void) | undefined;
  constructor(config: AgentOpsInstrumentationConfig = {}) {
    super("test-instrumentation", "0.0.0", { enabled: false, ...config });
  }
  protected init() {
    return [];
  }
  patch(prototype: object): void {
    this.patchPrototype(prototype, {
      create: (original) => this.traced(original, "create"),
      parse: (original) => this.traced(original, "parse"),
    });
  }
  unpatch(prototype: object): void {
    this.unpatchPrototype(prototype);
  }
  get content(): boolean {
    return this.captureContent;
  }
  override enable(): void {
    super.enable();
    this.patch(Resource.prototype);
  }
  override disable(): void {
    super.disable();
    this.unpatch(Resource.prototype);
  }
  private traced(original: ClientMethod, name: string): ClientMethod {
    const tracing: CallTracing<TestCall> = {
      start: (parent) => {
        if (this.failStart) throw new Error("tracer broken");
        const span = this.tracer.startSpan(name, {}, parent);
        this.runHook("requestHook", this.requestHook, span);
        return { span, end: () => span.end() };
      },
      observe: (call, result) => {
        call.span.end();
        return result;
      },
      fail: (call, error) => {
        call.span.recordException(error instanceof Error ? error : String(error));
        call.span.setStatus({ code: SpanStatusCode.ERROR });
        call.span.end();
      },
    };
    const trace = (self: unknown, args: unknown[]) => this.traceCall(original, self, args, tracing);
    return function (this: unknown, ...args: unknown[]) {
      return trace(this, args);
    };
  }
}

const original = Resource.prototype.create;
const exporter = new InMemorySpanExporter();
const provider = new NodeTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
const manager = new AsyncLocalStorageContextManager().enable();
context.setGlobalContextManager(manager);

afterEach(() => exporter.reset());
afterAll(() => {
  context.disable();
  return provider.shutdown();
});

function instrumentation(config: AgentOpsInstrumentationConfig = {}): TestInstrumentation {
  const created = new TestInstrumentation(config);
  created.setTracerProvider(provider);
  created.enable();
  return created;
}

it("wraps with _wrap, once per prototype, and _unwrap restores the original", () => {
  const first = instrumentation();
  const second = instrumentation();
  first.patch(Resource.prototype);
  expect(new Resource().create(2)).toBe(4);
  expect(exporter.getFinishedSpans()).toHaveLength(1);
  second.disable();
  first.disable();
  expect(Resource.prototype.create).toBe(original);
  expect(new Resource().create(2)).toBe(4);
  expect(exporter.getFinishedSpans()).toHaveLength(1);
});

it("leaves another vendor's wrapper over ours in place, passes through while disabled, and never wraps twice", () => {
  const ours = instrumentation();
  const ourWrapper = Resource.prototype.create;
  // Another instrumentation wraps over ours, as shimmer does (what `isWrapped` recognises).
  const theirs = Object.assign(
    function (this: Resource, value: number) {
      return ourWrapper.call(this, value) + 1;
    },
    { __wrapped: true, __original: ourWrapper, __unwrap: () => undefined },
  );
  expect(isWrapped(ourWrapper)).toBe(true);
  Resource.prototype.create = theirs;
  ours.disable();
  expect(Resource.prototype.create).toBe(theirs);
  expect(new Resource().create(2)).toBe(5);
  expect(exporter.getFinishedSpans()).toHaveLength(0);
  ours.enable();
  expect(Resource.prototype.create).toBe(theirs);
  expect(new Resource().create(2)).toBe(5);
  expect(exporter.getFinishedSpans()).toHaveLength(1);
  // They unwrap theirs; then ours unwraps to the original.
  Resource.prototype.create = ourWrapper;
  ours.disable();
  expect(Resource.prototype.create).toBe(original);
});

it("starts no span while tracing is suppressed, and spans under the parentContext hook's choice", () => {
  const session = provider.getTracer("test").startSpan("session");
  const hooked = instrumentation({
    parentContext: (active: Context) => trace.setSpan(active, session),
  });
  context.with(suppressTracing(context.active()), () => new Resource().create(1));
  expect(exporter.getFinishedSpans()).toHaveLength(0);
  new Resource().create(1);
  expect(exporter.getFinishedSpans()[0]!.parentSpanContext?.spanId).toBe(
    session.spanContext().spanId,
  );
  hooked.setConfig({
    parentContext: () => {
      throw new Error("hook failure");
    },
  });
  expect(new Resource().create(3)).toBe(6);
  expect(exporter.getFinishedSpans()[1]!.parentSpanContext).toBeUndefined();
  hooked.disable();
  session.end();
});

it("gives a helper calling a traced method one span, and rethrows the client's error unchanged", () => {
  const traced = instrumentation();
  expect(new Resource().parse(2)).toBe(5);
  expect(exporter.getFinishedSpans().map((span) => span.name)).toEqual(["parse"]);
  exporter.reset();
  let thrown: unknown;
  try {
    new Resource().create(-1);
  } catch (error) {
    thrown = error;
  }
  expect(thrown).toBeInstanceOf(RangeError);
  const [span] = exporter.getFinishedSpans();
  expect(span!.status.code).toBe(SpanStatusCode.ERROR);
  expect(span!.events[0]!.name).toBe("exception");
  traced.disable();
});

it("runs the call untraced when starting the span fails, and logs each kind of failure once", () => {
  const errors: unknown[][] = [];
  const ignore = () => undefined;
  diag.setLogger(
    {
      error: (...args) => errors.push(args),
      warn: ignore,
      info: ignore,
      debug: ignore,
      verbose: ignore,
    },
    { logLevel: DiagLogLevel.WARN, suppressOverrideMessage: true },
  );
  const traced = instrumentation();
  try {
    traced.failStart = true;
    expect(new Resource().create(2)).toBe(4);
    expect(new Resource().create(3)).toBe(6);
    expect(exporter.getFinishedSpans()).toHaveLength(0);
    traced.failStart = false;
    traced.requestHook = () => {
      throw new Error("hook failure");
    };
    expect(new Resource().create(2)).toBe(4);
    expect(new Resource().create(2)).toBe(4);
    expect(exporter.getFinishedSpans()).toHaveLength(2);
    expect(errors.map((args) => args.map(String).join(" "))).toEqual([
      expect.stringContaining("could not start a span"),
      expect.stringContaining("the requestHook threw"),
    ]);
  } finally {
    diag.disable();
    traced.disable();
  }
});

it("resolves captureContent from the option, then the environment", () => {
  const on = { OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT: " True " };
  expect(captureContentFromEnvironment(on)).toBe(true);
  expect(
    captureContentFromEnvironment({ OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT: "1" }),
  ).toBe(false);
  expect(resolveCaptureContent(undefined, {})).toBe(false);
  expect(resolveCaptureContent(undefined, on)).toBe(true);
  expect(resolveCaptureContent(false, on)).toBe(false);
  expect(resolveCaptureContent(true, {})).toBe(true);
  const configured = new TestInstrumentation({ captureContent: true });
  expect(configured.content).toBe(true);
  configured.setConfig({});
  expect(configured.content).toBe(captureContentFromEnvironment());
});

it("refuseCall: a refused call is not made, rejects with the hook's error and starts no span; a throwing hook lets the call go ahead", async () => {
  const refusal = new Error("over budget");
  let refuse = true;
  let made = 0;
  const counting = Resource.prototype.create;
  const refusing = instrumentation({ refuseCall: () => (refuse ? refusal : undefined) });
  try {
    // The original would throw a RangeError at once for -1: a refused call never reaches it.
    const result = new Resource().create(-1) as unknown;
    expect(result).toBeInstanceOf(Promise);
    await expect(result).rejects.toBe(refusal);
    expect(exporter.getFinishedSpans()).toHaveLength(0);
    refuse = false;
    expect(new Resource().create(2)).toBe(4);
    made++;
    expect(exporter.getFinishedSpans()).toHaveLength(1);
  } finally {
    refusing.disable();
  }
  expect(Resource.prototype.create).toBe(counting);
  const throwing = instrumentation({
    refuseCall: () => {
      throw new Error("hook broken");
    },
  });
  try {
    expect(new Resource().create(3)).toBe(6);
    made++;
  } finally {
    throwing.disable();
  }
  expect(made).toBe(2);
});
