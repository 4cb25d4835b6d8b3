import { context, createContextKey, SpanKind, trace, type Context } from "@opentelemetry/api";
import { InstrumentationNodeModuleDefinition } from "@opentelemetry/instrumentation";
import { AgentOpsInstrumentationBase, type ClientMethod } from "@agentops/instrumentation-core";
import { observeResult } from "./api-promise";
import { requestAttributes, spanName } from "./attributes";
import { resolveConfig, type ResolvedConfig } from "./config";
import { clientWithOwnTracer, findMessagesPrototypes, isObject } from "./targets";
import { TracedCall } from "./traced-call";
import type { AnthropicInstrumentationConfig, AnthropicOperation } from "./types";
import { PACKAGE_NAME, PACKAGE_VERSION } from "./version";

const MODULE_NAME = "@anthropic-ai/sdk";
/** Every release line with the `Messages` resource layout this module patches. */
const SUPPORTED_VERSIONS = [">=0.20.0 <2"];

/**
 * The traced call in progress. `createContextKey` is `Symbol.for` too, so that copies agree.
 * - `inside`: true while the client's own method runs synchronously; a call it makes meanwhile
 *   (one method implemented on another) is not traced again.
 * - `handoff`: set by `messages.stream()`, whose span the first `create()` made under it adopts
 *   (`claimed`), instead of starting a second one.
 */
const CALL_KEY = createContextKey("@agentops/instrumentation-anthropic.call");

interface CallScope {
  call: TracedCall;
  inside: boolean;
  handoff: boolean;
  claimed: boolean;
}

type AnyFunction = ClientMethod;

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
  private internalErrorLogged = false;

  constructor(config: AnthropicInstrumentationConfig = {}) {
    super(PACKAGE_NAME, PACKAGE_VERSION, config);
  }

  /** Settles the defaults (see {@link AnthropicInstrumentationConfig}) once. */
  override setConfig(config: AnthropicInstrumentationConfig = {}): void {
    super.setConfig(resolveConfig(config));
  }

  override getConfig(): ResolvedConfig {
    return super.getConfig() as ResolvedConfig;
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
      this.reportInternalError(error, "finding the Messages resource");
      return;
    }
    if (found.size === 0) {
      this._diag.warn(
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
      this.reportInternalError(error, "unpatching");
    }
  }

  private patchMessages(prototype: object, beta: boolean): void {
    const prefix = beta ? "beta.messages" : "messages";
    this.patchPrototype(prototype, {
      create: (original) => this.wrapCreate(original, `${prefix}.create` as AnthropicOperation),
      stream: (original) => this.wrapStream(original, `${prefix}.stream` as AnthropicOperation),
    });
  }

  private wrapCreate(original: AnyFunction, operation: AnthropicOperation): AnyFunction {
    const traced = (resource: unknown, args: unknown[]) =>
      this.traceCreate(resource, original, args, operation);
    return function create(this: unknown, ...args: unknown[]) {
      return traced(this, args);
    };
  }

  private wrapStream(original: AnyFunction, operation: AnthropicOperation): AnyFunction {
    const traced = (resource: unknown, args: unknown[]) =>
      this.traceStream(resource, original, args, operation);
    return function stream(this: unknown, ...args: unknown[]) {
      return traced(this, args);
    };
  }

  private traceCreate(
    resource: unknown,
    original: AnyFunction,
    args: unknown[],
    operation: AnthropicOperation,
  ): unknown {
    // Disabled (a wrapper over ours stayed) or suppressed: the call runs untraced.
    const parent = this.isEnabled() ? this.parentContextOf(context.active()) : undefined;
    if (parent === undefined) return original.apply(resource, args);
    let scope: CallScope | undefined;
    let scopeContext: Context | undefined;
    let abortIsError = false;
    try {
      const outer = parent.getValue(CALL_KEY) as CallScope | undefined;
      if (outer?.handoff && !outer.claimed) {
        // The request that `messages.stream()` sends: it records on the helper's span.
        outer.claimed = true;
        scope = { call: outer.call, inside: true, handoff: false, claimed: true };
        scopeContext = parent.setValue(CALL_KEY, scope);
        abortIsError = true;
      } else if (!outer?.inside && isObject(args[0])) {
        const params = args[0];
        // Started with the parent active too, so that an id generator reading the active context sees it.
        const call = context.with(parent, () =>
          this.startCall(params, params.stream === true, resource, operation, parent),
        );
        scope = { call, inside: true, handoff: false, claimed: true };
        scopeContext = trace.setSpan(parent, call.span).setValue(CALL_KEY, scope);
      }
    } catch (error) {
      this.reportInternalError(error, "starting a span");
      scope = undefined;
    }
    if (!scope || !scopeContext) return original.apply(resource, args);
    const call = scope.call;
    return this.runTraced(resource, original, args, scope, scopeContext, (result) =>
      observeResult(result, call, abortIsError),
    );
  }

  private traceStream(
    resource: unknown,
    original: AnyFunction,
    args: unknown[],
    operation: AnthropicOperation,
  ): unknown {
    const parent = this.isEnabled() ? this.parentContextOf(context.active()) : undefined;
    if (parent === undefined) return original.apply(resource, args);
    let scope: CallScope | undefined;
    let scopeContext: Context | undefined;
    try {
      const outer = parent.getValue(CALL_KEY) as CallScope | undefined;
      if (!outer?.inside && isObject(args[0])) {
        const request = args[0];
        const call = context.with(parent, () =>
          this.startCall(request, true, resource, operation, parent),
        );
        scope = { call, inside: true, handoff: true, claimed: false };
        scopeContext = trace.setSpan(parent, call.span).setValue(CALL_KEY, scope);
      }
    } catch (error) {
      this.reportInternalError(error, "starting a span");
      scope = undefined;
    }
    if (!scope || !scopeContext) return original.apply(resource, args);
    const handoff = scope;
    return this.runTraced(resource, original, args, scope, scopeContext, (helper) => {
      if (handoff.claimed || !isObject(helper) || typeof helper.on !== "function") return;
      // A helper that sends its request later still hands it the span; one that never sends it
      // (it failed first) ends the span when it ends. Listening to `end` changes nothing else.
      helper.on("end", () => {
        if (!handoff.claimed) handoff.call.abandon(undefined);
      });
    });
  }

  /** Runs the client's method inside the span's context, the client's own span held off. */
  private runTraced(
    resource: unknown,
    original: AnyFunction,
    args: unknown[],
    scope: CallScope,
    scopeContext: Context,
    observe: (result: unknown) => void,
  ): unknown {
    let result: unknown;
    try {
      result = context.with(scopeContext, () => this.callOriginal(resource, original, args));
    } catch (error) {
      scope.inside = false;
      scope.call.fail(error);
      throw error;
    }
    scope.inside = false;
    try {
      observe(result);
    } catch (error) {
      this.reportInternalError(error, "observing the result");
    }
    return result;
  }

  private callOriginal(resource: unknown, original: AnyFunction, args: unknown[]): unknown {
    let client: { _tracer: unknown } | undefined;
    try {
      client = this.getConfig().suppressClientSpans ? clientWithOwnTracer(resource) : undefined;
    } catch {
      client = undefined;
    }
    if (!client) return original.apply(resource, args);
    const tracer = client._tracer;
    client._tracer = undefined;
    try {
      return original.apply(resource, args);
    } finally {
      client._tracer = tracer;
    }
  }

  private startCall(
    params: Record<string, unknown>,
    streamed: boolean,
    resource: unknown,
    operation: AnthropicOperation,
    parent: Context,
  ): TracedCall {
    const config = this.getConfig();
    const client = isObject(resource) ? resource._client : undefined;
    const span = this.tracer.startSpan(
      spanName(params),
      {
        kind: SpanKind.CLIENT,
        attributes: requestAttributes(params, streamed, client, config.captureContent),
      },
      parent,
    );
    const call = new TracedCall(span, operation, config, this.reportInternalError);
    if (config.requestHook) {
      try {
        config.requestHook(span, { operation, params });
      } catch (error) {
        this.reportInternalError(error, "requestHook");
      }
    }
    return call;
  }

  /** Logs the first failure of the instrumentation as an error, later ones at debug level. */
  private readonly reportInternalError = (error: unknown, where: string): void => {
    if (this.internalErrorLogged) {
      this._diag.debug(`${where} failed`, error);
      return;
    }
    this.internalErrorLogged = true;
    this._diag.error(
      `${where} failed; the call itself is unaffected (further failures are logged at debug level)`,
      error,
    );
  };
}
