import { SpanKind, type Context } from "@opentelemetry/api";
import { InstrumentationNodeModuleDefinition } from "@opentelemetry/instrumentation";
import {
  AgentOpsInstrumentationBase,
  type CallTracing,
  type ClientMethod,
} from "@agentops/instrumentation-core";
import { observeResult } from "./api-promise";
import { requestAttributes, spanName } from "./attributes";
import { resolveConfig } from "./config";
import { withoutClientSpans } from "./client-spans";
import { clientOf, findMessagesPrototypes, isObject } from "./targets";
import { type CallSettings, TracedCall } from "./traced-call";
import type { AnthropicInstrumentationConfig, AnthropicOperation } from "./types";
import { PACKAGE_NAME, PACKAGE_VERSION } from "./version";

const MODULE_NAME = "@anthropic-ai/sdk";
/** Every release line with the `Messages` resource layout this module patches. */
const SUPPORTED_VERSIONS = [">=0.50.1 <2"];

/**
 * OpenTelemetry instrumentation of the `@anthropic-ai/sdk` client: one CLIENT span per
 * `messages.create()` / `messages.stream()` / `beta.messages.create()` / `beta.messages.stream()`
 * call, named `chat {model}`, with the GenAI semantic-convention attributes (token usage in the
 * convention's sense: input tokens include cache reads and writes).
 *
 * Loaded modules are patched through `require` (CommonJS) and, with the
 * `@opentelemetry/instrumentation/hook.mjs` loader registered, `import` (ESM). Bundled
 * applications call {@link AnthropicInstrumentation.manuallyInstrument}.
 *
 * @example
 * const instrumentation = new AnthropicInstrumentation({ captureContent: true });
 * instrumentation.setTracerProvider(provider);
 * instrumentation.enable();
 */
export class AnthropicInstrumentation extends AgentOpsInstrumentationBase<AnthropicInstrumentationConfig> {
  /** Every prototype patched so far (by hook or by hand), with whether it is the beta resource. */
  private readonly known = new Map<object, boolean>();
  // Declared, not initialised: the base constructor calls setConfig() before field initialisers run.
  declare private settings: CallSettings;
  declare private tracings: Map<AnthropicOperation, CallTracing<TracedCall>> | undefined;

  constructor(config: AnthropicInstrumentationConfig = {}) {
    super(PACKAGE_NAME, PACKAGE_VERSION, config);
  }

  /** Settles the defaults (see {@link AnthropicInstrumentationConfig}) once. */
  override setConfig(config: AnthropicInstrumentationConfig = {}): void {
    const resolved = resolveConfig(config);
    super.setConfig(resolved);
    const responseHook = resolved.responseHook;
    this.settings = {
      captureContent: this.captureContent,
      suppressClientSpans: resolved.suppressClientSpans,
      responseHook:
        typeof responseHook === "function"
          ? (span, info) => this.runHook("responseHook", responseHook, span, info)
          : undefined,
      log: this.failures,
    };
  }

  protected init() {
    return [
      new InstrumentationNodeModuleDefinition(
        MODULE_NAME,
        SUPPORTED_VERSIONS,
        (moduleExports: unknown) => {
          this.patchTarget(moduleExports, "module");
          return moduleExports;
        },
        (moduleExports: unknown) => this.unpatchTarget(moduleExports),
      ),
    ];
  }

  override enable(): void {
    super.enable();
    // `known` is undefined while the base constructor enables the instrumentation.
    this.known?.forEach((beta, prototype) => this.patchMessages(prototype, beta));
  }

  override disable(): void {
    super.disable();
    this.known?.forEach((_beta, prototype) => this.unpatchPrototype(prototype));
  }

  /**
   * Patches a client that the module hooks cannot see: one bundled into the application, or
   * loaded before the instrumentation was enabled. Pass the module (`import * as sdk from
   * "@anthropic-ai/sdk"`), the `Anthropic` class, or a client instance. Patching is per
   * prototype and idempotent, so it never doubles spans with the hooks.
   *
   * @example
   * import Anthropic from "@anthropic-ai/sdk";
   * instrumentation.manuallyInstrument(Anthropic);
   */
  manuallyInstrument(target: unknown): void {
    this.patchTarget(target, "manual");
  }

  private patchTarget(target: unknown, how: "module" | "manual"): void {
    let found: Map<object, boolean>;
    try {
      found = findMessagesPrototypes(target);
    } catch (error) {
      this.failures.error("find", "could not find the Messages resource", error);
      return;
    }
    if (found.size === 0) {
      this.failures.warn(
        how === "manual"
          ? "manuallyInstrument: no Messages resource found; pass the @anthropic-ai/sdk module, the Anthropic class or a client"
          : `${MODULE_NAME}: no Messages resource found; its calls will not be traced`,
      );
      return;
    }
    found.forEach((beta, prototype) => {
      this.known.set(prototype, beta);
      if (this.isEnabled()) this.patchMessages(prototype, beta);
    });
  }

  private unpatchTarget(target: unknown): void {
    try {
      findMessagesPrototypes(target).forEach((_beta, prototype) =>
        this.unpatchPrototype(prototype),
      );
    } catch (error) {
      this.failures.error("unpatch", "could not restore the Messages resource", error);
    }
  }

  private patchMessages(prototype: object, beta: boolean): void {
    const create: AnthropicOperation = beta ? "beta.messages.create" : "messages.create";
    const stream: AnthropicOperation = beta ? "beta.messages.stream" : "messages.stream";
    this.patchPrototype(prototype, {
      create: (original) => this.wrap(original, create),
      stream: (original) => this.wrap(original, stream),
    });
  }

  private wrap(original: ClientMethod, operation: AnthropicOperation): ClientMethod {
    const trace = (self: unknown, args: unknown[]) =>
      this.traceCall(original, self, args, this.tracingOf(operation));
    // Disabled while another instrumentation's wrapper sits over ours: traceCall passes calls through.
    return function traced(this: unknown, ...args: unknown[]) {
      return trace(this, args);
    };
  }

  /** How calls of one operation are traced; one object per operation, built once. */
  private tracingOf(operation: AnthropicOperation): CallTracing<TracedCall> {
    const tracings = (this.tracings ??= new Map<AnthropicOperation, CallTracing<TracedCall>>());
    let tracing = tracings.get(operation);
    if (tracing === undefined) {
      tracing = operation.endsWith(".stream")
        ? this.streamTracing(operation)
        : this.createTracing(operation);
      tracings.set(operation, tracing);
    }
    return tracing;
  }

  private createTracing(operation: AnthropicOperation): CallTracing<TracedCall> {
    return {
      start: (parent, resource, args) => {
        const params = args[0];
        return isObject(params)
          ? this.startCall(params, params.stream === true, resource, operation, parent)
          : undefined;
      },
      // The request that `messages.stream()` sends: it records on the helper's span.
      adopt: (outer) => {
        if (!(outer instanceof TracedCall) || !outer.awaitingHandoff) return undefined;
        outer.awaitingHandoff = false;
        outer.adopted = true;
        return outer;
      },
      invoke: (_call, original, resource, args) => this.invoke(original, resource, args),
      observe: (call, result) => {
        observeResult(result, call, call.adopted);
        return result;
      },
      fail: (call, error) => call.fail(error),
    };
  }

  private streamTracing(operation: AnthropicOperation): CallTracing<TracedCall> {
    return {
      start: (parent, resource, args) => {
        const params = args[0];
        if (!isObject(params)) return undefined;
        const call = this.startCall(params, true, resource, operation, parent);
        call.awaitingHandoff = true;
        return call;
      },
      // `messages.stream()` returns its stream object synchronously: a refused call throws.
      refuse: (error) => {
        throw error;
      },
      invoke: (_call, original, resource, args) => this.invoke(original, resource, args),
      observe: (call, helper) => {
        if (call.awaitingHandoff && isObject(helper) && typeof helper.on === "function") {
          // A helper that sends its request later still hands it the span; one that never sends
          // it (it failed first) ends the span when it ends. Listening to `end` changes nothing else.
          helper.on("end", () => {
            if (call.awaitingHandoff) call.abandon(undefined);
          });
        }
        return helper;
      },
      fail: (call, error) => call.fail(error),
    };
  }

  private invoke(original: ClientMethod, resource: unknown, args: unknown[]): unknown {
    return this.settings.suppressClientSpans
      ? withoutClientSpans(resource, () => Reflect.apply(original, resource, args))
      : Reflect.apply(original, resource, args);
  }

  private startCall(
    params: Record<string, unknown>,
    streamed: boolean,
    resource: unknown,
    operation: AnthropicOperation,
    parent: Context,
  ): TracedCall {
    const span = this.tracer.startSpan(
      spanName(params),
      {
        kind: SpanKind.CLIENT,
        attributes: requestAttributes(params, streamed, clientOf(resource), this.captureContent),
      },
      parent,
    );
    const call = new TracedCall(span, operation, this.settings);
    this.runHook("requestHook", this.getConfig().requestHook, span, { operation, params });
    return call;
  }
}
