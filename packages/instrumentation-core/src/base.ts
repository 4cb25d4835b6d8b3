import { type Context, context, createContextKey, diag, trace } from "@opentelemetry/api";
import { isTracingSuppressed } from "@opentelemetry/core";
import { InstrumentationBase, isWrapped } from "@opentelemetry/instrumentation";
import { resolveCaptureContent } from "./config";
import { OnceLogger } from "./once-logger";
import { resolveParentContext } from "./parent-context";
import { keepUnlessOurs, wrapOver } from "./stacking";
import type {
  AgentOpsInstrumentationConfig,
  CallTracing,
  ClientMethod,
  TracedCallState,
} from "./types";

/**
 * Kept on each patched prototype (a registry symbol, so that every copy of every agentops
 * instrumentation agrees): one instance owns a prototype, so a second instance, or a second route
 * to the same prototype (module hook and `manuallyInstrument`), never doubles spans. The CommonJS
 * and ESM copies of a client have distinct prototypes, each patched once.
 */
const PATCH_RECORD = Symbol.for("@agentops/instrumentation-core:patch");

interface PatchRecord {
  owner: object;
  /** Our wrapper of each method, while installed (possibly under another vendor's wrapper). */
  wrappers: Map<string, ClientMethod>;
}

/**
 * The traced call whose client method is running: `inside` while its synchronous part runs, so a
 * traced method it calls meanwhile (`parse` calling `create`) yields no second span.
 */
const ACTIVE_CALL = createContextKey("@agentops/instrumentation-core:active-call");

interface CallScope {
  owner: object;
  call: TracedCallState;
  inside: boolean;
}

function isCallScope(value: unknown): value is CallScope {
  return typeof value === "object" && value !== null && "owner" in value && "call" in value;
}

function readPatchRecord(target: object): PatchRecord | undefined {
  if (!Object.hasOwn(target, PATCH_RECORD)) return undefined;
  const record: unknown = Reflect.get(target, PATCH_RECORD);
  return typeof record === "object" && record !== null && "owner" in record && "wrappers" in record
    ? (record as PatchRecord)
    : undefined;
}

/**
 * The shape the agentops instrumentations share, on OpenTelemetry's `InstrumentationBase`:
 * - options: `captureContent` (option, then `OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT`)
 *   and `parentContext`, resolved by {@link setConfig};
 * - {@link traceCall}, the one way a client call is traced (suppression, nesting, parent choice,
 *   guarded start, the user's error rethrown unchanged, the client's own result returned);
 * - {@link patchPrototype} / {@link unpatchPrototype}: `_wrap` / `_unwrap` per prototype, each
 *   prototype once; wrappers stack with another instrumentation's in either order (see
 *   `stacking.ts`), and one put over ours is never removed (ours then passes calls through while
 *   disabled);
 * - {@link runHook} for user callbacks and {@link failures}, a logger that reports each kind of
 *   failure once.
 *
 * @example
 * class MyInstrumentation extends AgentOpsInstrumentationBase<AgentOpsInstrumentationConfig> {
 *   protected init() {
 *     return new InstrumentationNodeModuleDefinition("client", [">=1"], (exports) => {
 *       this.patchPrototype(exports.Resource.prototype, { create: (original) => (...args) =>
 *         this.traceCall(original, this, args, tracing) });
 *       return exports;
 *     });
 *   }
 * }
 */
export abstract class AgentOpsInstrumentationBase<
  C extends AgentOpsInstrumentationConfig,
> extends InstrumentationBase<C> {
  // Declared, not initialised: the base constructor calls setConfig() and enable() before field
  // initialisers would run.
  declare private onceLogger: OnceLogger | undefined;
  /** True while this instance removes its own wrappers (see {@link keepUnlessOurs}). */
  declare private unwrapping: boolean | undefined;

  /** Resolves `captureContent` (option, then environment); subclasses add their own defaults. */
  override setConfig(config: C = {} as C): void {
    super.setConfig({ ...config, captureContent: resolveCaptureContent(config.captureContent) });
  }

  /** Whether prompts and completions are recorded, as resolved from the options. */
  protected get captureContent(): boolean {
    return this.getConfig().captureContent === true;
  }

  /** Logs each kind of failure of this instrumentation once (see {@link OnceLogger}). */
  protected get failures(): OnceLogger {
    // The base constructor's own logger does not exist yet while setConfig() first runs.
    return (this.onceLogger ??= new OnceLogger(
      diag.createComponentLogger({ namespace: this.instrumentationName }),
    ));
  }

  /** Runs a user callback; one that throws is logged once and otherwise ignored. */
  protected runHook<Args extends unknown[]>(
    name: string,
    hook: ((...args: Args) => void) | undefined,
    ...args: Args
  ): void {
    if (typeof hook !== "function") return;
    try {
      hook(...args);
    } catch (error) {
      this.failures.error(name, `the ${name} threw; the call is unaffected`, error);
    }
  }

  /** The error the `refuseCall` hook refuses a call with; undefined to let it go ahead. */
  protected refusalOf(active: Context): Error | undefined {
    const hook = this.getConfig().refuseCall;
    if (hook === undefined) return undefined;
    try {
      const refusal = hook(active);
      return refusal instanceof Error ? refusal : undefined;
    } catch (error) {
      this.failures.error("refuseCall", "the refuseCall hook threw; the call goes ahead", error);
      return undefined;
    }
  }

  /**
   * The context a call's span starts under, or `undefined` when tracing is suppressed (the call
   * then runs untraced): the active context as the registered parent-context providers refine it
   * (`addParentContextProvider`: a framework span the call runs in), then as the
   * `parentContext` hook chooses. A hook that throws leaves the active context; one that returns
   * nothing leaves the providers' choice.
   */
  protected parentContextOf(active: Context): Context | undefined {
    if (isTracingSuppressed(active)) return undefined;
    const provided = resolveParentContext(active);
    const hook = this.getConfig().parentContext;
    if (typeof hook !== "function") return provided;
    try {
      return hook(provided) ?? provided;
    } catch (error) {
      this.failures.error(
        "parentContext",
        "the parentContext hook threw; the span starts under the active context",
        error,
      );
      return active;
    }
  }

  /**
   * Calls `original` on `self` with `args`, traced as `tracing` says. Untraced (the original is
   * simply called) while disabled, while tracing is suppressed, inside the synchronous part of
   * another traced call of this instance, or when starting the span fails. Otherwise the original
   * runs inside the span's context; an error it throws is recorded and rethrown unchanged; what it
   * returns goes through `tracing.observe` to the caller.
   */
  protected traceCall<Call extends TracedCallState>(
    original: ClientMethod,
    self: unknown,
    args: unknown[],
    tracing: CallTracing<Call>,
  ): unknown {
    if (!this.isEnabled()) return Reflect.apply(original, self, args);
    const active = context.active();
    const refusal = this.refusalOf(active);
    if (refusal !== undefined) return tracing.refuse ? tracing.refuse(refusal, self, args) : Promise.reject(refusal);
    const value = active.getValue(ACTIVE_CALL);
    const outer = isCallScope(value) && value.owner === this ? value : undefined;

    let call: Call | undefined;
    let scope: CallScope | undefined;
    let callContext: Context | undefined;
    try {
      const adopted = outer && tracing.adopt ? tracing.adopt(outer.call, self, args) : undefined;
      if (adopted !== undefined) {
        call = adopted;
        scope = { owner: this, call, inside: true };
        callContext = trace.setSpan(active, call.span).setValue(ACTIVE_CALL, scope);
      } else if (outer?.inside !== true) {
        const parent = this.parentContextOf(active);
        // Started with the parent active, so that an id generator or sampler reading the active
        // context sees it.
        call = parent && context.with(parent, () => tracing.start(parent, self, args));
        if (parent !== undefined && call !== undefined) {
          scope = { owner: this, call, inside: true };
          callContext = trace.setSpan(parent, call.span).setValue(ACTIVE_CALL, scope);
        }
      }
    } catch (error) {
      this.failures.error("start", "could not start a span; the call runs untraced", error);
      call = undefined;
    }
    if (call === undefined || scope === undefined || callContext === undefined)
      return Reflect.apply(original, self, args);

    const traced = call;
    let result: unknown;
    try {
      result = context.with(callContext, () =>
        tracing.invoke
          ? tracing.invoke(traced, original, self, args)
          : Reflect.apply(original, self, args),
      );
    } catch (error) {
      scope.inside = false;
      try {
        tracing.fail(traced, error);
      } catch (failure) {
        this.failures.error("error", "could not record a call's error", failure);
        traced.end();
      }
      throw error;
    }
    scope.inside = false;
    try {
      return tracing.observe(traced, result);
    } catch (error) {
      this.failures.error("result", "could not observe a call's result", error);
      traced.end();
      return result;
    }
  }

  /**
   * Wraps `methods` of `prototype` with `_wrap` (each factory gets the original and returns its
   * wrapper), unless another instance owns the prototype. Patching a prototype this instance
   * patched before wraps only the methods whose wrapper is gone. Never throws.
   */
  protected patchPrototype(
    prototype: object,
    methods: Record<string, (original: ClientMethod) => ClientMethod>,
  ): void {
    try {
      let record = readPatchRecord(prototype);
      if (record !== undefined && record.owner !== this) {
        this.failures.debug("a prototype is already traced by another instance; not patching it");
        return;
      }
      if (record === undefined) {
        record = { owner: this, wrappers: new Map() };
        Object.defineProperty(prototype, PATCH_RECORD, { value: record, configurable: true });
      }
      const target = prototype as Record<string, ClientMethod>;
      for (const [name, factory] of Object.entries(methods)) {
        const current: unknown = target[name];
        if (typeof current !== "function") continue;
        const installed = record.wrappers.get(name);
        // Still in place: on top, or under another vendor's wrapper (whose own wrapper is marked
        // as such). A plain function in its place means ours was replaced: wrap again.
        if (installed !== undefined && (current === installed || isWrapped(current))) continue;
        // Over another instrumentation's wrapper, stack instead of letting `_wrap` remove it.
        const wrapper: unknown = isWrapped(current)
          ? wrapOver(target, name, factory)
          : this._wrap(target, name, factory);
        if (typeof wrapper !== "function") continue;
        const ours = wrapper as ClientMethod;
        keepUnlessOurs(ours, target, name, current as ClientMethod, () => this.unwrapping === true);
        record.wrappers.set(name, ours);
      }
    } catch (error) {
      this.failures.error(
        "patch",
        "could not patch a client prototype; its calls are not traced",
        error,
      );
    }
  }

  /** Restores what {@link patchPrototype} wrapped, where no one wrapped over it. Never throws. */
  protected unpatchPrototype(prototype: object): void {
    try {
      const record = readPatchRecord(prototype);
      if (record === undefined || record.owner !== this) return;
      const target = prototype as Record<string, ClientMethod>;
      for (const [name, wrapper] of record.wrappers) {
        // A wrapper over ours stays; ours passes calls through while this instance is disabled.
        if (target[name] !== wrapper) continue;
        this.unwrapping = true;
        try {
          this._unwrap(target, name);
        } finally {
          this.unwrapping = false;
        }
        record.wrappers.delete(name);
      }
      if (record.wrappers.size === 0) Reflect.deleteProperty(prototype, PATCH_RECORD);
    } catch (error) {
      this.failures.error("unpatch", "could not restore a client prototype", error);
    }
  }
}
