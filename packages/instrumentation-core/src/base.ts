import type { Context } from "@opentelemetry/api";
import { isTracingSuppressed } from "@opentelemetry/core";
import { InstrumentationBase, type InstrumentationConfig } from "@opentelemetry/instrumentation";
import { ENV_CAPTURE_MESSAGE_CONTENT } from "@agentops/semconv";

/** A client method, as the instrumentations see it. */
export type ClientMethod = (this: unknown, ...args: unknown[]) => unknown;

/** Options every agentops instrumentation takes. */
export interface AgentOpsInstrumentationConfig extends InstrumentationConfig {
  /**
   * Record prompts and completions. Default: `true` when
   * `OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT` is `"true"` (any case), else `false`.
   */
  captureContent?: boolean;
  /**
   * Chooses the context a call's span starts under, given the active one. The agentops SDK passes
   * one that puts calls made outside any `session.run(fn)` (top-level code, callbacks it cannot
   * wrap) into the current session. A hook that throws is ignored (the active context is used).
   * Default: the active context.
   */
  parentContext?: (active: Context) => Context;
}

/** `OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT=true` (any case) turns content capture on. */
export function captureContentFromEnvironment(
  env: Record<string, string | undefined> = process.env,
): boolean {
  const value = env[ENV_CAPTURE_MESSAGE_CONTENT];
  return typeof value === "string" && value.trim().toLowerCase() === "true";
}

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
 * Whether `wrapper` is `method` or lies under it in a chain of wrappers that name what they wrap
 * (`__original`, as `_wrap` and shimmer set it).
 */
function wraps(method: unknown, wrapper: ClientMethod): boolean {
  for (let current = method, depth = 0; typeof current === "function" && depth < 32; depth++) {
    if (current === wrapper) return true;
    current = (current as { __original?: unknown }).__original;
  }
  return false;
}

/**
 * The shape the agentops instrumentations share, on `InstrumentationBase`:
 * - methods are patched per prototype with `_wrap` and restored with `_unwrap`, each prototype
 *   once (see {@link PATCH_RECORD}); a wrapper another instrumentation put over ours is never
 *   removed: ours then passes calls through while disabled;
 * - {@link AgentOpsInstrumentationBase.parentContextOf} gives the parent of a call's span: none
 *   while tracing is suppressed, else the `parentContext` hook's choice.
 */
export abstract class AgentOpsInstrumentationBase<
  C extends AgentOpsInstrumentationConfig,
> extends InstrumentationBase<C> {
  /**
   * The context a call's span starts under, or `undefined` when tracing is suppressed (the call
   * then runs untraced).
   */
  protected parentContextOf(active: Context): Context | undefined {
    if (isTracingSuppressed(active)) return undefined;
    const hook = this.getConfig().parentContext;
    if (typeof hook !== "function") return active;
    try {
      return hook(active) ?? active;
    } catch (error) {
      this._diag.debug(
        "the parentContext hook threw; the span starts under the active context",
        error,
      );
      return active;
    }
  }

  /**
   * Wraps `methods` of `prototype` (each factory gets the original and returns its wrapper),
   * unless another instance owns the prototype. Patching a prototype this instance patched before
   * wraps only the methods whose wrapper is gone. Never throws.
   */
  protected patchPrototype(
    prototype: object,
    methods: Record<string, (original: ClientMethod) => ClientMethod>,
  ): void {
    try {
      const target = prototype as Record<PropertyKey, unknown>;
      let record = Object.hasOwn(target, PATCH_RECORD)
        ? (target[PATCH_RECORD] as PatchRecord)
        : undefined;
      if (record !== undefined && record.owner !== this) {
        this._diag.debug(
          "a prototype is already traced by another instance; not patching it again",
        );
        return;
      }
      if (record === undefined) {
        record = { owner: this, wrappers: new Map() };
        Object.defineProperty(target, PATCH_RECORD, {
          value: record,
          configurable: true,
          enumerable: false,
          writable: false,
        });
      }
      for (const [name, factory] of Object.entries(methods)) {
        const installed = record.wrappers.get(name);
        if (installed !== undefined && wraps(target[name], installed)) continue;
        if (typeof target[name] !== "function") continue;
        const wrapper = this._wrap(target as Record<string, ClientMethod>, name, factory);
        if (typeof wrapper === "function")
          record.wrappers.set(name, wrapper as unknown as ClientMethod);
      }
    } catch (error) {
      this._diag.error("could not patch a client prototype; its calls are not traced", error);
    }
  }

  /** Restores what {@link patchPrototype} wrapped, where no one wrapped over it. Never throws. */
  protected unpatchPrototype(prototype: object): void {
    try {
      const target = prototype as Record<PropertyKey, unknown>;
      const record = Object.hasOwn(target, PATCH_RECORD)
        ? (target[PATCH_RECORD] as PatchRecord)
        : undefined;
      if (record === undefined || record.owner !== this) return;
      for (const [name, wrapper] of record.wrappers) {
        // A wrapper over ours stays; ours passes calls through while this instance is disabled.
        if (target[name] !== wrapper) continue;
        this._unwrap(target, name);
        record.wrappers.delete(name);
      }
      if (record.wrappers.size === 0) delete target[PATCH_RECORD];
    } catch (error) {
      this._diag.error("could not restore a client prototype", error);
    }
  }
}
