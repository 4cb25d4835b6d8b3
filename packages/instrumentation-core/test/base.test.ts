import { context, trace, type Context } from "@opentelemetry/api";
import { AsyncLocalStorageContextManager } from "@opentelemetry/context-async-hooks";
import { suppressTracing } from "@opentelemetry/core";
import { InMemorySpanExporter, SimpleSpanProcessor } from "@opentelemetry/sdk-trace-base";
import { isWrapped } from "@opentelemetry/instrumentation";
import { NodeTracerProvider } from "@opentelemetry/sdk-trace-node";
import {
  AgentOpsInstrumentationBase,
  type AgentOpsInstrumentationConfig,
  type ClientMethod,
} from "@agentops/instrumentation-core";

/** A client class as the instrumentations meet them: methods on a shared prototype. */
class Resource {
  create(value: number): number {
    return value * 2;
  }
}

/** The smallest instrumentation on the shared base: one span per `create`. */
class TestInstrumentation extends AgentOpsInstrumentationBase<AgentOpsInstrumentationConfig> {
  constructor(config: AgentOpsInstrumentationConfig = {}) {
    super("test-instrumentation", "0.0.0", { enabled: false, ...config });
  }
  protected init() {
    return [];
  }
  patch(prototype: object): void {
    this.patchPrototype(prototype, { create: (original) => this.traced(original) });
  }
  unpatch(prototype: object): void {
    this.unpatchPrototype(prototype);
  }
  override enable(): void {
    super.enable();
    this.patch(Resource.prototype);
  }
  override disable(): void {
    super.disable();
    this.unpatch(Resource.prototype);
  }
  private traced(original: ClientMethod): ClientMethod {
    const parentOf = () => (this.isEnabled() ? this.parentContextOf(context.active()) : undefined);
    const tracer = () => this.tracer;
    return function (this: unknown, ...args: unknown[]) {
      const parent = parentOf();
      if (parent === undefined) return original.apply(this, args);
      const span = tracer().startSpan("create", {}, parent);
      try {
        return context.with(trace.setSpan(parent, span), () => original.apply(this, args));
      } finally {
        span.end();
      }
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
