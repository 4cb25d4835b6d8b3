import { type Attributes, context, type Context, createContextKey, diag, SpanKind, trace } from "@opentelemetry/api";
import { InstrumentationNodeModuleDefinition } from "@opentelemetry/instrumentation";
import { AgentOpsInstrumentationBase, captureContentFromEnvironment, type ClientMethod } from "@agentops/instrumentation-core";
import { observeResult } from "./api-promise";
import { isRecord, member } from "./values";
import { requestAttributes, serverOf } from "./attributes";
import { type CallSettings, OpenAICall } from "./call";
import { addInputContent } from "./content";
import { OnceLogger } from "./once-logger";
import { findPatchTargets, type Operation, type PatchTarget } from "./operations";
import type { OpenAIInstrumentationConfig } from "./types";
import { INSTRUMENTATION_NAME, INSTRUMENTATION_VERSION } from "./version";

/** Versions of `openai` whose resource classes have the shape patched here. */
const SUPPORTED_VERSIONS = [">=4 <8"];

/** Set while a traced `create` runs, so a `create` nested inside it is not traced again. */
const INSIDE_CREATE = createContextKey("@agentops/instrumentation-openai:inside-create");

export { captureContentFromEnvironment };

/**
 * Traces the `openai` client (versions 4 to 7) per the OpenTelemetry GenAI semantic conventions:
 * `chat.completions.create`, `completions.create`, `embeddings.create` and `responses.create`,
 * plain and streamed. The helpers built on them (`parse`, `stream`, `runTools`, …) are traced
 * through the `create` calls they make.
 *
 * @example
 * const provider = new NodeTracerProvider({ spanProcessors: [new BatchSpanProcessor(exporter)] });
 * provider.register();
 * registerInstrumentations({ instrumentations: [new OpenAIInstrumentation({ captureContent: true })] });
 * // bundled apps, where `require`/`import` hooks cannot see the module:
 * import OpenAI from "openai";
 * instrumentation.manuallyInstrument(OpenAI);
 */
export class OpenAIInstrumentation extends AgentOpsInstrumentationBase<OpenAIInstrumentationConfig> {
  // Declared, not initialised: the base constructor calls init(), setConfig() and enable() before
  // field initialisers would run.
  declare private settings: CallSettings;
  declare private onceLogger: OnceLogger;
  declare private targets: Map<object, Operation>;

  constructor(config: OpenAIInstrumentationConfig = {}) {
    super(INSTRUMENTATION_NAME, INSTRUMENTATION_VERSION, config);
  }

  /** Resolves the defaults (content capture from the environment, stream usage on). */
  override setConfig(config: OpenAIInstrumentationConfig = {}): void {
    const resolved: OpenAIInstrumentationConfig = {
      ...config,
      captureContent: config.captureContent ?? captureContentFromEnvironment(),
      streamUsage: config.streamUsage ?? true,
    };
    super.setConfig(resolved);
    this.settings = {
      captureContent: resolved.captureContent === true,
      streamUsage: resolved.streamUsage !== false,
      requestHook: typeof resolved.requestHook === "function" ? resolved.requestHook : undefined,
      responseHook: typeof resolved.responseHook === "function" ? resolved.responseHook : undefined,
      log: this.log(),
    };
  }

  protected init(): InstrumentationNodeModuleDefinition {
    return new InstrumentationNodeModuleDefinition(
      "openai",
      SUPPORTED_VERSIONS,
      (moduleExports) => {
        this.patchModule(moduleExports);
        return moduleExports;
      },
      () => this.unpatchAll(),
    );
  }

  override enable(): void {
    super.enable();
    // prototypes found earlier (by a hook or by manuallyInstrument) are patched again
    for (const [prototype, operation] of this.knownTargets()) this.patchTarget({ prototype, operation });
  }

  override disable(): void {
    super.disable();
    this.unpatchAll();
  }

  /**
   * Instruments an `openai` copy that the module hooks cannot see (bundled applications, or a
   * module loaded before the instrumentation). Accepts the module (`import * as openai`), the
   * `OpenAI` class, or a client instance; patches the shared resource classes, so every client of
   * that copy is traced. Calling it twice, or on an already hooked module, patches nothing more.
   *
   * @example
   * import OpenAI from "openai";
   * const instrumentation = new OpenAIInstrumentation();
   * instrumentation.manuallyInstrument(OpenAI);
   */
  manuallyInstrument(openai: unknown): void {
    try {
      const found = this.patchModule(openai);
      if (found === 0) this.log().error("manual", "manuallyInstrument: no openai resource classes found in the value given");
    } catch (error) {
      this.log().error("manual", "manuallyInstrument failed", error);
    }
  }

  private log(): OnceLogger {
    // the base class creates its own logger only after setConfig() has run
    return (this.onceLogger ??= new OnceLogger(diag.createComponentLogger({ namespace: INSTRUMENTATION_NAME })));
  }

  private knownTargets(): Map<object, Operation> {
    return (this.targets ??= new Map());
  }

  /** Patches every resource class found; returns how many were found. */
  private patchModule(moduleExports: unknown): number {
    let targets: PatchTarget[];
    try {
      targets = findPatchTargets(moduleExports);
    } catch (error) {
      this.log().error("patch", "could not inspect the openai module", error);
      return 0;
    }
    for (const target of targets) {
      this.knownTargets().set(target.prototype, target.operation);
      if (this.isEnabled()) this.patchTarget(target);
    }
    return targets.length;
  }

  private patchTarget({ prototype, operation }: PatchTarget): void {
    this.patchPrototype(prototype, { create: (original) => this.createPatchedMethod(operation, original) });
  }

  private unpatchAll(): void {
    for (const prototype of this.knownTargets().keys()) this.unpatchPrototype(prototype);
  }

  private createPatchedMethod(operation: Operation, original: ClientMethod): ClientMethod {
    const enabled = () => this.isEnabled();
    const log = (key: string, message: string, error: unknown) => this.log().error(key, message, error);
    const start = (resource: unknown, body: unknown, parent: Context) => this.startCall(operation, resource, body, parent);
    const parentOf = (active: Context) => this.parentContextOf(active);
    // Disabled while another instrumentation's wrapper sits over ours: pass calls through.
    return function create(this: unknown, ...args: unknown[]) {
      const active = context.active();
      const parent = enabled() && active.getValue(INSIDE_CREATE) !== true ? parentOf(active) : undefined;
      if (parent === undefined) return Reflect.apply(original, this, args);
      let call: OpenAICall;
      let callContext: Context;
      try {
        // Started with the parent active too, so that an id generator reading the active context sees it.
        call = context.with(parent, start, undefined, this, args[0], parent);
        callContext = trace.setSpan(parent, call.span).setValue(INSIDE_CREATE, true);
      } catch (error) {
        log("start", "could not start an OpenAI span", error);
        return Reflect.apply(original, this, args);
      }
      let result: unknown;
      try {
        args[0] = call.sentBody;
        result = context.with(callContext, Reflect.apply, undefined, original, this, args);
      } catch (error) {
        call.onError(error);
        throw error;
      }
      try {
        return observeResult(result, call);
      } catch (error) {
        log("result", "could not observe an OpenAI result", error);
        call.end();
        return result;
      }
    };
  }

  /** Starts the span of one call; throws only on a bug (the caller then runs the call untraced). */
  private startCall(operation: Operation, resource: unknown, body: unknown, parent: Context): OpenAICall {
    const settings = this.settings;
    const server = serverOf(member(member(resource, "_client"), "baseURL"));
    const attributes: Attributes = requestAttributes(operation, body, server);
    if (settings.captureContent) {
      try {
        addInputContent(attributes, operation, body);
      } catch (error) {
        settings.log.error("content", "could not record OpenAI request content", error);
      }
    }
    const request = isRecord(body) ? body : undefined;
    const model = request?.model;
    const span = this.tracer.startSpan(
      typeof model === "string" && model.length > 0 ? `${operation.name} ${model}` : operation.name,
      { kind: SpanKind.CLIENT, attributes },
      parent,
    );
    const injectUsage =
      settings.streamUsage &&
      (operation.api === "chat" || operation.api === "completions") &&
      request?.stream === true &&
      request.stream_options == null;
    const sentBody = injectUsage ? { ...request, stream_options: { include_usage: true } } : body;
    const call = new OpenAICall(span, operation, request, sentBody, injectUsage, settings);
    if (settings.requestHook) {
      try {
        settings.requestHook(span, { method: operation.method, operationName: operation.name, request: request ?? {} });
      } catch (error) {
        settings.log.error("requestHook", "the OpenAI requestHook threw", error);
      }
    }
    return call;
  }
}
