import { type Attributes, type Context, SpanKind } from "@opentelemetry/api";
import { InstrumentationNodeModuleDefinition } from "@opentelemetry/instrumentation";
import {
  AgentOpsInstrumentationBase,
  type CallTracing,
  captureContentFromEnvironment,
  type ClientMethod,
} from "@agentops/instrumentation-core";
import { observeResult } from "./api-promise";
import { isRecord, member } from "./values";
import { requestAttributes, serverOf } from "./attributes";
import { type CallSettings, OpenAICall } from "./call";
import { addInputContent } from "./content";
import { findPatchTargets, type Operation, type PatchTarget } from "./operations";
import type { OpenAIInstrumentationConfig } from "./types";
import { INSTRUMENTATION_NAME, INSTRUMENTATION_VERSION } from "./version";

/** Versions of `openai` whose resource classes have the shape patched here. */
const SUPPORTED_VERSIONS = [">=4.87.0 <8"];

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
  declare private targets: Map<object, Operation>;
  declare private tracings: Map<Operation, CallTracing<OpenAICall>> | undefined;

  constructor(config: OpenAIInstrumentationConfig = {}) {
    super(INSTRUMENTATION_NAME, INSTRUMENTATION_VERSION, config);
  }

  /** Resolves the defaults (content capture from the environment, stream usage on). */
  override setConfig(config: OpenAIInstrumentationConfig = {}): void {
    super.setConfig({ ...config, streamUsage: config.streamUsage ?? true });
    const resolved = this.getConfig();
    const responseHook = resolved.responseHook;
    this.settings = {
      captureContent: this.captureContent,
      streamUsage: resolved.streamUsage !== false,
      responseHook:
        typeof responseHook === "function"
          ? (span, info) => this.runHook("responseHook", responseHook, span, info)
          : undefined,
      log: this.failures,
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
      if (found === 0) this.failures.error("manual", "manuallyInstrument: no openai resource classes found in the value given");
    } catch (error) {
      this.failures.error("manual", "manuallyInstrument failed", error);
    }
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
      this.failures.error("patch", "could not inspect the openai module", error);
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
    const trace = (self: unknown, args: unknown[]) => this.traceCall(original, self, args, this.tracingOf(operation));
    // Disabled while another instrumentation's wrapper sits over ours: traceCall passes calls through.
    return function create(this: unknown, ...args: unknown[]) {
      return trace(this, args);
    };
  }

  /** How calls of one operation are traced; one object per operation, built once. */
  private tracingOf(operation: Operation): CallTracing<OpenAICall> {
    const tracings = (this.tracings ??= new Map<Operation, CallTracing<OpenAICall>>());
    let tracing = tracings.get(operation);
    if (tracing === undefined) {
      const created: CallTracing<OpenAICall> = {
        start: (parent, resource, args) => this.startCall(operation, resource, args[0], parent),
        invoke: (call, original, self, args) => {
          args[0] = call.sentBody;
          return Reflect.apply(original, self, args);
        },
        observe: (call, result) => observeResult(result, call),
        fail: (call, error) => call.onError(error),
      };
      tracing = created;
      tracings.set(operation, created);
    }
    return tracing;
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
    this.runHook("requestHook", this.getConfig().requestHook, span, {
      method: operation.method,
      operationName: operation.name,
      request: request ?? {},
    });
    return call;
  }
}
