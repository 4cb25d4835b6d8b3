import { context, trace } from "@opentelemetry/api";
import { ActionEvent, ErrorEvent, ToolEvent } from "./events";
import { logOnce } from "./logger";
import type { Session } from "./session";

type AnyFunction = (this: any, ...args: any[]) => any;

/** Finds the session a call belongs to; set by the package entry (avoids an import cycle). */
let resolveSession: () => Session | undefined = () => undefined;
export function setSessionResolver(resolver: () => Session | undefined): void {
  resolveSession = resolver;
}

function paramsOf(args: unknown[]): unknown {
  if (args.length === 0) return undefined;
  return args.length === 1 ? args[0] : args;
}

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return value !== null && (typeof value === "object" || typeof value === "function") && typeof (value as any).then === "function";
}

function wrap<F extends AnyFunction>(kind: "action" | "tool", name: string, fn: F): F {
  if (typeof fn !== "function") return fn;
  const wrapped = function (this: unknown, ...args: unknown[]) {
    const session = resolveSession();
    if (session === undefined || session.ended) return fn.apply(this, args);
    let event: ActionEvent | ToolEvent;
    let span;
    try {
      event = kind === "action" ? new ActionEvent({ actionType: name, params: paramsOf(args) }) : new ToolEvent({ name, params: paramsOf(args) });
      span = session.startEventSpan(event);
    } catch (error) {
      logOnce("error", "wrapper-start", "agentops could not record a wrapped call; it runs untraced.", error);
      return fn.apply(this, args);
    }
    const fail = (error: unknown) => {
      session.endEventSpan(event, span);
      session.record(new ErrorEvent({ exception: error, triggerEvent: event }));
    };
    const parent = span ? trace.setSpan(session.context, span) : session.context;
    let result: unknown;
    try {
      result = context.with(parent, () => fn.apply(this, args));
    } catch (error) {
      fail(error);
      throw error;
    }
    if (isThenable(result)) {
      return (result as PromiseLike<unknown>).then(
        (value) => {
          event.returns = value;
          session.endEventSpan(event, span);
          return value;
        },
        (error) => {
          fail(error);
          throw error;
        },
      );
    }
    event.returns = result;
    session.endEventSpan(event, span);
    return result;
  };
  Object.defineProperty(wrapped, "name", { value: fn.name, configurable: true });
  return wrapped as F;
}

/** A method decorator of either flavour: TC39 (value, context) or TypeScript's legacy (target, key, descriptor). */
function decorator(kind: "action" | "tool", name: string | undefined) {
  return function (target: any, keyOrContext: any, descriptor?: PropertyDescriptor): any {
    if (keyOrContext && typeof keyOrContext === "object" && "kind" in keyOrContext) {
      return wrap(kind, name ?? String(keyOrContext.name), target);
    }
    if (descriptor && typeof descriptor.value === "function") {
      descriptor.value = wrap(kind, name ?? String(keyOrContext), descriptor.value);
      return descriptor;
    }
    return undefined;
  };
}

/**
 * Records each call of `fn` as an action of the current session: arguments as params, the result
 * (awaited for async functions) as returns, a thrown error as an ErrorEvent, rethrown unchanged.
 * Calls made inside `fn` (LLM calls, tools) become children of the action. With only a name it
 * is a method decorator.
 *
 * @example
 * const search = agentops.recordAction("search", async (q: string) => index.find(q));
 * class Agent { @agentops.recordAction("plan") plan() { … } }
 */
export function recordAction<F extends AnyFunction>(actionType: string, fn: F): F;
export function recordAction(actionType?: string): (...args: any[]) => any;
export function recordAction(actionType?: string, fn?: AnyFunction): any {
  return fn === undefined ? decorator("action", actionType) : wrap("action", actionType ?? fn.name ?? "action", fn);
}

/**
 * Records each call of `fn` as a tool call of the current session (same rules as
 * {@link recordAction}). With only a name it is a method decorator.
 *
 * @example
 * const weather = agentops.recordTool("weather", async (city: string) => fetchForecast(city));
 */
export function recordTool<F extends AnyFunction>(name: string, fn: F): F;
export function recordTool(name?: string): (...args: any[]) => any;
export function recordTool(name?: string, fn?: AnyFunction): any {
  return fn === undefined ? decorator("tool", name) : wrap("tool", name ?? fn.name ?? "tool", fn);
}

