import { context, trace } from "@opentelemetry/api";
import { InMemorySpanExporter, SimpleSpanProcessor } from "@opentelemetry/sdk-trace-base";
import { NodeTracerProvider } from "@opentelemetry/sdk-trace-node";
import * as agentops from "agentops";
import { ActionEvent, ErrorEvent, LLMEvent, ToolEvent } from "agentops";
import { byKind, captureDiag, exported, initInMemory, KeepingExporter } from "./utils/memory";

afterEach(async () => {
  await agentops.shutdown();
  diagCapture?.restore();
  diagCapture = undefined;
});

let diagCapture: ReturnType<typeof captureDiag> | undefined;

describe("sessions as root spans", () => {
  it("records events as children of the session's root span, trace id = session id", async () => {
    const { exporter, session } = initInMemory({ tags: ["t1"] });
    expect(session).toBeDefined();
    const s = session!;
    expect(s.id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    s.record(new ActionEvent({ actionType: "search", params: { q: "cats" }, returns: ["a", "b"] }));
    s.record(new ToolEvent({ name: "weather", params: { city: "Oslo" }, returns: { temp: 3 } }));
    s.record(new LLMEvent({ model: "gpt-4o", promptTokens: 10, completionTokens: 5, prompt: "hi", completion: "hello" }));
    s.record(new ErrorEvent({ exception: new TypeError("bad input"), code: 42 }));
    await s.endSession("Success", "all good");

    const spans = await exported(exporter);
    const [root] = byKind(spans, "session");
    expect(root).toBeDefined();
    expect(root!.parentSpanContext).toBeUndefined();
    const traceHex = s.id.replace(/-/g, "");
    expect(root!.spanContext().traceId).toBe(traceHex);
    for (const span of spans) expect(span.spanContext().traceId).toBe(traceHex);
    const events = spans.filter((span) => ["action", "tool", "llm", "error"].includes(span.attributes["agentops.span.kind"] as string));
    expect(events).toHaveLength(4);
    for (const event of events) expect(event.parentSpanContext?.spanId).toBe(root!.spanContext().spanId);

    const [action] = byKind(spans, "action");
    expect(action!.name).toBe("action search");
    expect(JSON.parse(action!.attributes["agentops.event.params"] as string)).toEqual({ q: "cats" });
    expect(JSON.parse(action!.attributes["agentops.event.returns"] as string)).toEqual(["a", "b"]);
    const [tool] = byKind(spans, "tool");
    expect(tool!.attributes["gen_ai.operation.name"]).toBe("execute_tool");
    expect(tool!.attributes["gen_ai.tool.name"]).toBe("weather");
    const [llm] = byKind(spans, "llm");
    expect(llm!.name).toBe("chat gpt-4o");
    expect(llm!.attributes["gen_ai.usage.input_tokens"]).toBe(10);
    expect(JSON.parse(llm!.attributes["gen_ai.input.messages"] as string)).toEqual([{ role: "user", parts: [{ type: "text", content: "hi" }] }]);
    const [error] = byKind(spans, "error");
    expect(error!.status.code).toBe(2);
    expect(error!.attributes["error.type"]).toBe("TypeError");
    expect(error!.attributes["exception.message"]).toBe("bad input");
    expect(error!.attributes["agentops.error.code"]).toBe("42");

    expect(root!.attributes["agentops.session.end_state"]).toBe("Success");
    expect(root!.attributes["agentops.session.end_state_reason"]).toBe("all good");
    expect(root!.attributes["agentops.session.tags"]).toEqual(["t1"]);
    expect(root!.attributes["agentops.session.llm_calls"]).toBe(1);
    expect(root!.attributes["agentops.session.tool_calls"]).toBe(1);
    expect(root!.attributes["agentops.session.actions"]).toBe(1);
    expect(root!.attributes["agentops.session.errors"]).toBe(1);
    expect(s.endState).toBe("Success");
    expect(s.endTimestamp).toMatch(/Z$/);
  });

  it("keeps the events' own timestamps", async () => {
    const { exporter, session } = initInMemory();
    const start = new Date("2026-01-02T03:04:05.000Z");
    const end = Date.parse("2026-01-02T03:04:07.500Z");
    const event = new ActionEvent({ actionType: "slow", initTimestamp: start, endTimestamp: end });
    expect(event.initTimestamp).toBe("2026-01-02T03:04:05.000Z");
    session!.record(event);
    const untimed = new ToolEvent({ name: "t" });
    session!.record(untimed);
    expect(untimed.endTimestamp).toMatch(/Z$/);
    await session!.endSession("Success");
    const [action] = byKind(await exported(exporter), "action");
    const startMs = action!.startTime[0] * 1000 + action!.startTime[1] / 1e6;
    const endMs = action!.endTime[0] * 1000 + action!.endTime[1] / 1e6;
    expect(Math.round(startMs)).toBe(start.getTime());
    expect(Math.round(endMs)).toBe(end);
  });

  it("announces the start and each tag change before the session ends", async () => {
    const { exporter, session } = initInMemory({ tags: ["a"], defaultTags: ["base"] });
    const s = session!;
    let spans = await exported(exporter);
    const [start] = byKind(spans, "session.start");
    expect(start!.attributes["agentops.session.id"]).toBe(s.id);
    expect(start!.attributes["agentops.session.tags"]).toEqual(["base", "a"]);
    s.addTags(["b", "a"]);
    s.setVideo("https://videos.example/run.mp4");
    spans = await exported(exporter);
    const updates = byKind(spans, "session.update");
    expect(updates).toHaveLength(2);
    expect(updates[0]!.attributes["agentops.session.tags"]).toEqual(["base", "a", "b"]);
    expect(updates[1]!.attributes["agentops.session.video"]).toBe("https://videos.example/run.mp4");
    s.setTags(["only"]);
    expect(s.tags).toEqual(["only"]);
    expect(byKind(spans, "session")).toHaveLength(0);
    await s.endSession("Success");
    const [root] = byKind(await exported(exporter), "session");
    expect(root!.attributes["agentops.session.tags"]).toEqual(["only"]);
    expect(root!.attributes["agentops.session.video"]).toBe("https://videos.example/run.mp4");
  });

  it("prices an LLM call: gpt-4o, 1,000 prompt and 500 completion tokens cost 0.007500", async () => {
    const { session } = initInMemory();
    session!.record(new LLMEvent({ model: "gpt-4o", promptTokens: 1000, completionTokens: 500 }));
    expect(await session!.endSession("Success")).toBe("0.007500");
  });

  it("lets an explicit cost win and counts an unknown model as free", async () => {
    const { session } = initInMemory();
    session!.record(new LLMEvent({ model: "gpt-4o", promptTokens: 1000, completionTokens: 500, cost: 0.5 }));
    session!.record(new LLMEvent({ model: "no-such-model-xyz", promptTokens: 1000, completionTokens: 500 }));
    expect(await session!.endSession("Success")).toBe("0.500000");
  });

  it("takes user prices over the table", async () => {
    const { session } = initInMemory({ prices: { "my-finetune": { input: 1, output: 2 } } });
    session!.record(new LLMEvent({ model: "my-finetune", promptTokens: 1_000_000, completionTokens: 500_000 }));
    expect(await session!.endSession("Success")).toBe("2.000000");
  });

  it("gives analytics: counts, tokens, duration and cost", async () => {
    const { session } = initInMemory();
    const s = session!;
    s.record(new LLMEvent({ model: "gpt-4o", promptTokens: 1000, completionTokens: 500 }));
    s.record(new LLMEvent({ model: "gpt-4o", promptTokens: 200, completionTokens: 100 }));
    s.record(new ToolEvent({ name: "a" }));
    s.record(new ActionEvent({ actionType: "x" }));
    s.record(new ActionEvent({ actionType: "y" }));
    s.record(new ErrorEvent({ errorType: "Timeout" }));
    const analytics = s.getAnalytics();
    expect(analytics).toMatchObject({
      llmCalls: 2,
      toolCalls: 1,
      actions: 2,
      errors: 1,
      promptTokens: 1200,
      completionTokens: 600,
      totalTokens: 1800,
      cost: "0.009000",
    });
    expect(analytics.durationMs).toBeGreaterThanOrEqual(0);
    expect(analytics.duration).toMatch(/^\d+\.\ds$/);
    expect(agentops.getAnalytics()).toMatchObject({ llmCalls: 2 });
  });

  it("rejects an invalid end state with a clear message and keeps the session open", async () => {
    diagCapture = captureDiag();
    const { session } = initInMemory();
    await session!.endSession("Done" as any);
    await session!.endSession("constructor" as any);
    expect(session!.ended).toBe(false);
    expect(diagCapture.messages.join("\n")).toMatch(/end state must be "Success", "Failure" or "Indeterminate"/);
    await session!.endSession("Fail", "broke");
    expect(session!.endState).toBe("Failure");
    expect(session!.endStateReason).toBe("broke");
  });

  it("omits content when captureContent is off", async () => {
    const { exporter, session } = initInMemory({ captureContent: false });
    session!.record(new ActionEvent({ actionType: "search", params: { secret: 1 }, returns: "x" }));
    session!.record(new LLMEvent({ model: "gpt-4o", prompt: "secret", completion: "secret", promptTokens: 3, completionTokens: 4 }));
    await session!.endSession("Success");
    const spans = await exported(exporter);
    const [action] = byKind(spans, "action");
    const [llm] = byKind(spans, "llm");
    expect(action!.attributes["agentops.event.params"]).toBeUndefined();
    expect(llm!.attributes["gen_ai.input.messages"]).toBeUndefined();
    expect(llm!.attributes["gen_ai.usage.output_tokens"]).toBe(4);
  });

  it("drops events recorded after the end", async () => {
    const { exporter, session } = initInMemory();
    await session!.endSession("Success");
    session!.record(new ActionEvent({ actionType: "late" }));
    expect(byKind(await exported(exporter), "action")).toHaveLength(0);
  });
});

describe("the one-active-session rule", () => {
  it("module-level functions act on the only session, and refuse when several are active", async () => {
    diagCapture = captureDiag();
    const { exporter, session } = initInMemory();
    agentops.record(new ActionEvent({ actionType: "one" }));
    agentops.addTags(["x"]);
    expect(session!.tags).toEqual(["x"]);
    const second = agentops.startSession({ tags: ["second"] });
    expect(agentops.getActiveSessions()).toHaveLength(2);
    agentops.record(new ActionEvent({ actionType: "two" }));
    expect(await agentops.endSession("Success")).toBeUndefined();
    expect(diagCapture.messages.join("\n")).toMatch(/2 sessions are active.*session\.endSession\(\.\.\.\)/);
    expect(session!.ended).toBe(false);
    expect(second.ended).toBe(false);
    await second.endSession("Success");
    expect(agentops.getSession(second.id)).toBeUndefined();
    expect(agentops.getSession(session!.id)).toBe(session);
    await agentops.endSession("Failure");
    expect(session!.endState).toBe("Failure");
    const actions = byKind(await exported(exporter), "action").map((span) => span.attributes["agentops.action.type"]);
    expect(actions).toEqual(["one"]);
  });

  it("without an API key still tracks analytics and cost, and warns once", async () => {
    diagCapture = captureDiag();
    const session = agentops.init({ instrumentLlmCalls: false, apiKey: "", logLevel: "none" });
    session!.record(new LLMEvent({ model: "gpt-4o", promptTokens: 1000, completionTokens: 500 }));
    expect(await session!.endSession("Success")).toBe("0.007500");
    expect(diagCapture.messages.filter((m) => /No API key/.test(m))).toHaveLength(1);
  });

  it("shutdown ends the sessions this process started as Indeterminate", async () => {
    const { exporter, session } = initInMemory();
    const other = agentops.startSession();
    await agentops.shutdown();
    expect(session!.endState).toBe("Indeterminate");
    expect(session!.endStateReason).toBe("shutdown");
    expect(other.endState).toBe("Indeterminate");
    expect(byKind(exporter.getFinishedSpans(), "session")).toHaveLength(2);
  });

  it("init with autoStartSession false starts nothing; a second init changes nothing", async () => {
    diagCapture = captureDiag();
    expect(agentops.init({ autoStartSession: false, instrumentLlmCalls: false, exporter: new InMemorySpanExporter() })).toBeUndefined();
    expect(agentops.getActiveSessions()).toHaveLength(0);
    const session = agentops.startSession();
    expect(agentops.init()).toBe(session);
    expect(diagCapture.messages.join("\n")).toMatch(/already called/);
  });
});

describe("which session a call belongs to", () => {
  it("two sessions started in concurrent tasks each get their own events", async () => {
    const { exporter } = initInMemory({ autoStartSession: false });
    const search = agentops.recordAction("search", async (q: string) => {
      await new Promise((resolve) => setTimeout(resolve, 5));
      return q.toUpperCase();
    });
    const ids: string[] = [];
    async function task(name: string) {
      const session = agentops.startSession({ tags: [name] });
      ids.push(session.id);
      await new Promise((resolve) => setTimeout(resolve, name === "a" ? 10 : 1));
      await search(name);
      await new Promise((resolve) => setImmediate(resolve));
      await search(name + "2");
      await session.endSession("Success");
      return session;
    }
    const [a, b] = await Promise.all([task("a"), task("b")]);
    const spans = await exported(exporter);
    const actionsOf = (id: string) =>
      byKind(spans, "action")
        .filter((span) => span.spanContext().traceId === id.replace(/-/g, ""))
        .map((span) => JSON.parse(span.attributes["agentops.event.params"] as string));
    expect(actionsOf(a.id).sort()).toEqual(["a", "a2"]);
    expect(actionsOf(b.id).sort()).toEqual(["b", "b2"]);
    expect(a.getAnalytics().actions).toBe(2);
    expect(b.getAnalytics().actions).toBe(2);
  });

  it("session.run(fn) decides, and spans started inside it are children of the session", async () => {
    const { exporter } = initInMemory({ autoStartSession: false });
    const tool = agentops.recordTool("lookup", (x: number) => x * 2);
    const one = agentops.startSession();
    const two = agentops.startSession();
    expect(one.run(() => tool(1))).toBe(2);
    expect(two.run(() => tool(2))).toBe(4);
    one.run(() => trace.getTracer("app").startSpan("inner").end());
    await one.endSession("Success");
    await two.endSession("Success");
    expect(one.getAnalytics().toolCalls).toBe(1);
    expect(two.getAnalytics().toolCalls).toBe(1);
    const spans = await exported(exporter);
    const inner = spans.find((span) => span.name === "inner");
    expect(inner?.spanContext().traceId).toBe(one.traceId);
  });

  it("with one active session, calls outside any session context still land in it", async () => {
    const { exporter, session } = initInMemory();
    const tool = agentops.recordTool("t", () => 1);
    await context.with(context.active(), async () => {
      await new Promise((resolve) => setTimeout(resolve, 1));
      tool();
    });
    // A timer created before the session started runs in a context without it.
    await new Promise<void>((resolve) => context.with(trace.deleteSpan(context.active()), () => setTimeout(() => (tool(), resolve()), 1)));
    await session!.endSession("Success");
    expect(session!.getAnalytics().toolCalls).toBe(2);
    expect(byKind(await exported(exporter), "tool")).toHaveLength(2);
  });

  it("spans of other libraries started at the top level join the session (startSpan, every startActiveSpan form); root: true and a parent span are kept", async () => {
    const { exporter, session } = initInMemory();
    const tracer = trace.getTracer("some-framework");
    tracer.startSpan("plain").end();
    tracer.startActiveSpan("active", (span) => {
      tracer.startSpan("nested").end(); // under "active", as the framework meant
      span.end();
    });
    tracer.startActiveSpan("with options", { attributes: { a: 1 } }, (span) => span.end());
    tracer.startActiveSpan("with context", {}, context.active(), (span) => span.end());
    tracer.startSpan("a root on purpose", { root: true }).end();
    await session!.endSession("Success");
    const spans = await exported(exporter);
    const byName = new Map(spans.map((span) => [span.name, span]));
    const rootSpanId = byKind(spans, "session")[0]!.spanContext().spanId;
    for (const name of ["plain", "active", "with options", "with context"]) {
      expect([name, byName.get(name)?.parentSpanContext?.spanId]).toEqual([name, rootSpanId]);
    }
    expect(byName.get("nested")!.parentSpanContext?.spanId).toBe(byName.get("active")!.spanContext().spanId);
    expect(byName.get("with options")!.attributes.a).toBe(1);
    expect(byName.has("a root on purpose")).toBe(false); // its own trace: not the session's, not exported
  });
});

describe("recordAction and recordTool", () => {
  it("records args, returns and thrown errors (rethrown unchanged), sync and async", async () => {
    const { exporter, session } = initInMemory();
    const add = agentops.recordAction("add", (a: number, b: number) => a + b);
    expect(add(2, 3)).toBe(5);
    const failure = new RangeError("nope");
    const fails = agentops.recordTool("fails", async () => {
      throw failure;
    });
    await expect(fails()).rejects.toBe(failure);
    const throwsSync = agentops.recordAction("sync-throw", () => {
      throw failure;
    });
    expect(() => throwsSync()).toThrow(failure);
    await session!.endSession("Success");
    const spans = await exported(exporter);
    const [addSpan] = byKind(spans, "action").filter((span) => span.attributes["agentops.action.type"] === "add");
    expect(JSON.parse(addSpan!.attributes["agentops.event.params"] as string)).toEqual([2, 3]);
    expect(JSON.parse(addSpan!.attributes["agentops.event.returns"] as string)).toBe(5);
    const errors = byKind(spans, "error");
    expect(errors).toHaveLength(2);
    expect(errors.every((span) => span.attributes["error.type"] === "RangeError")).toBe(true);
    const [tool] = byKind(spans, "tool");
    expect(errors.some((span) => span.attributes["agentops.error.trigger_event_id"] === tool!.attributes["agentops.event.id"])).toBe(true);
    expect(session!.getAnalytics()).toMatchObject({ actions: 2, toolCalls: 1, errors: 2 });
  });

  it("nests calls made inside a wrapped function under its span", async () => {
    const { exporter, session } = initInMemory();
    const inner = agentops.recordTool("inner", () => "x");
    const outer = agentops.recordAction("outer", async () => {
      await Promise.resolve();
      return inner();
    });
    await outer();
    await session!.endSession("Success");
    const spans = await exported(exporter);
    const [outerSpan] = byKind(spans, "action");
    const [innerSpan] = byKind(spans, "tool");
    expect(innerSpan!.parentSpanContext?.spanId).toBe(outerSpan!.spanContext().spanId);
  });

  it("works as a method decorator", async () => {
    const { exporter, session } = initInMemory();
    class Agent {
      factor = 3;
      @agentops.recordAction("plan")
      plan(x: number) {
        return x * this.factor;
      }
      @agentops.recordTool()
      async fetchData(id: string) {
        return { id };
      }
    }
    const agent = new Agent();
    expect(agent.plan(2)).toBe(6);
    expect(await agent.fetchData("k")).toEqual({ id: "k" });
    await session!.endSession("Success");
    const spans = await exported(exporter);
    expect(byKind(spans, "action")[0]!.attributes["agentops.action.type"]).toBe("plan");
    expect(byKind(spans, "tool")[0]!.attributes["gen_ai.tool.name"]).toBe("fetchData");
  });

  it("works as a legacy (experimentalDecorators) method decorator", async () => {
    const { exporter, session } = initInMemory();
    class Legacy {
      run(x: number) {
        return x + 1;
      }
    }
    const descriptor = Object.getOwnPropertyDescriptor(Legacy.prototype, "run")!;
    const decorated = agentops.recordTool("legacy-run")(Legacy.prototype, "run", descriptor);
    Object.defineProperty(Legacy.prototype, "run", decorated);
    expect(new Legacy().run(1)).toBe(2);
    await session!.endSession("Success");
    expect(byKind(await exported(exporter), "tool")[0]!.attributes["gen_ai.tool.name"]).toBe("legacy-run");
  });

  it("runs the function untraced when there is no session", () => {
    const double = agentops.recordAction("double", (x: number) => x * 2);
    expect(double(4)).toBe(8);
  });
});

describe("existing OpenTelemetry setups and other processes", () => {
  it("uses the AgentOpsSpanProcessor an application added to its own provider, and never adds a second one", async () => {
    const appExporter = new InMemorySpanExporter();
    const exporter = new KeepingExporter();
    const processor = new agentops.AgentOpsSpanProcessor({ exporter });
    const provider = new NodeTracerProvider({ spanProcessors: [processor, new SimpleSpanProcessor(appExporter)] });
    provider.register();
    try {
      // The processor's settings apply; init's explicit options would win over them.
      const session = agentops.init({ instrumentLlmCalls: false, logLevel: "none" });
      const client = agentops.getClient()!;
      expect(client.joinedExistingProvider).toBe(true);
      expect(client.processor).toBe(processor);
      session!.record(new ActionEvent({ actionType: "shared" }));
      // An app span made inside the session joins it, through the app's own tracer.
      session!.run(() => trace.getTracer("app").startSpan("handle-request").end());
      await session!.endSession("Success");
      expect(byKind(appExporter.getFinishedSpans(), "action")).toHaveLength(1);
      const ours = await exported(exporter);
      expect(byKind(ours, "action")).toHaveLength(1);
      expect(ours.filter((span) => span.name === "handle-request")).toHaveLength(1);
      expect(ours.some((span) => span.name === "agentops.probe")).toBe(false);
      expect(appExporter.getFinishedSpans().some((span) => span.name === "agentops.probe")).toBe(false);
      // The app's own spans outside sessions are not sent to the agentops exporter.
      await agentops.shutdown();
      trace.getTracer("app").startSpan("unrelated").end();
      expect(exporter.getFinishedSpans().find((span) => span.name === "unrelated")).toBeUndefined();
      expect(appExporter.getFinishedSpans().find((span) => span.name === "unrelated")).toBeDefined();
      // init again on the same provider: still that one processor.
      agentops.init({ instrumentLlmCalls: false, logLevel: "none" })!.record(new ActionEvent({ actionType: "again" }));
      expect(agentops.getClient()!.processor).toBe(processor);
      await agentops.shutdown();
      expect(exporter.getFinishedSpans().filter((span) => span.attributes["agentops.action.type"] === "again")).toHaveLength(1);
    } finally {
      await provider.shutdown();
      trace.disable();
      context.disable();
    }
  });

  it("leaves an application's provider without AgentOpsSpanProcessor as it is, and says how to join it", async () => {
    const appExporter = new InMemorySpanExporter();
    const provider = new NodeTracerProvider({ spanProcessors: [new SimpleSpanProcessor(appExporter)] });
    provider.register();
    diagCapture = captureDiag();
    try {
      const { exporter, session } = initInMemory({ logLevel: "warn" });
      expect(agentops.getClient()!.joinedExistingProvider).toBe(false);
      expect(diagCapture.messages.some((message) => message.includes("new AgentOpsSpanProcessor()"))).toBe(true);
      session!.record(new ActionEvent({ actionType: "own" }));
      await session!.endSession("Success");
      expect(byKind(await exported(exporter), "action")).toHaveLength(1);
      expect(byKind(appExporter.getFinishedSpans(), "action")).toHaveLength(0);
      // The global provider is still the application's.
      trace.getTracer("app").startSpan("app-span").end();
      expect(appExporter.getFinishedSpans().map((span) => span.name)).toEqual(["app-span"]);
    } finally {
      await agentops.shutdown();
      await provider.shutdown();
      trace.disable();
      context.disable();
    }
  });

  it("joins a session by id: spans are roots of the same trace, and it is never auto-ended", async () => {
    const id = "0af76519-16cd-43dd-8448-eb211c80319c";
    const { exporter, session } = initInMemory({ inheritedSessionId: id });
    expect(session!.id).toBe(id);
    expect(session!.isInherited).toBe(true);
    session!.record(new ToolEvent({ name: "joined" }));
    await agentops.shutdown();
    const spans = exporter.getFinishedSpans();
    const [tool] = byKind(spans, "tool");
    expect(tool!.spanContext().traceId).toBe("0af7651916cd43dd8448eb211c80319c");
    expect(tool!.parentSpanContext).toBeUndefined();
    expect(tool!.attributes["agentops.session.inherited"]).toBe(true);
    expect(byKind(spans, "session")).toHaveLength(0);
  });

  it("joins by traceparent: spans are children of the span it names", async () => {
    const traceparent = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01";
    const { exporter, session } = initInMemory({ traceparent });
    expect(session!.id).toBe("0af76519-16cd-43dd-8448-eb211c80319c");
    expect(session!.traceparent).toBe(traceparent);
    session!.record(new ActionEvent({ actionType: "child" }));
    await agentops.flush();
    const [action] = byKind(exporter.getFinishedSpans(), "action");
    expect(action!.parentSpanContext?.spanId).toBe("b7ad6b7169203331");
    expect(session!.childEnv()).toMatchObject({ AGENTOPS_INHERITED_SESSION_ID: session!.id, TRACEPARENT: traceparent });
  });

  it("childEnv carries the session, endpoint and key", () => {
    const session = agentops.init({ apiKey: "ak_test", endpoint: "http://127.0.0.1:9/", maxWaitTime: 200, instrumentLlmCalls: false, logLevel: "none" })!;
    const env = session.childEnv();
    expect(env.AGENTOPS_INHERITED_SESSION_ID).toBe(session.id);
    expect(env.TRACEPARENT).toBe(`00-${session.traceId}-${session.traceparent.split("-")[2]}-01`);
    expect(env.AGENTOPS_API_ENDPOINT).toBe("http://127.0.0.1:9");
    expect(env.AGENTOPS_API_KEY).toBe("ak_test");
  });

  it("collects the host environment, or nothing when opted out", async () => {
    const { session } = initInMemory();
    expect(session!.hostEnv).toMatchObject({ "process.pid": process.pid, "host.arch": process.arch, "process.runtime.version": process.versions.node });
    expect(typeof session!.hostEnv!["agentops.host.cpu.count"]).toBe("number");
    await agentops.shutdown();
    const opted = initInMemory({ envDataOptOut: true });
    expect(opted.session!.hostEnv).toBeUndefined();
    await opted.session!.endSession("Success");
    const [root] = byKind(await exported(opted.exporter), "session");
    expect(root!.resource.attributes["host.name"]).toBeUndefined();
    expect(root!.resource.attributes["agentops.host.cpu.count"]).toBeUndefined();
  });
});
