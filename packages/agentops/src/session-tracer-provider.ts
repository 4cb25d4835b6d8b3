import { context, type Context, type Span, type SpanOptions, type Tracer, type TracerOptions, type TracerProvider } from "@opentelemetry/api";

/** Chooses the context a span starts under, given the one it was asked to start under. */
export type ParentChooser = (requested: Context) => Context;

/**
 * A tracer whose spans started outside any span (framework code called at the top level, such
 * as the Vercel AI SDK's `generateText` outside `session.run`) start under the session that code
 * belongs to, as the agentops instrumentations' calls do. A span asked to be a root (`root:
 * true`) or started under a span stays where it was asked to be.
 */
class SessionTracer implements Tracer {
  constructor(
    private readonly tracer: Tracer,
    private readonly choose: ParentChooser,
  ) {}

  startSpan(name: string, options?: SpanOptions, requested: Context = context.active()): Span {
    return this.tracer.startSpan(name, options, options?.root ? requested : this.choose(requested));
  }

  startActiveSpan<F extends (span: Span) => unknown>(name: string, fn: F): ReturnType<F>;
  startActiveSpan<F extends (span: Span) => unknown>(name: string, options: SpanOptions, fn: F): ReturnType<F>;
  startActiveSpan<F extends (span: Span) => unknown>(name: string, options: SpanOptions, requested: Context, fn: F): ReturnType<F>;
  startActiveSpan<F extends (span: Span) => unknown>(name: string, ...rest: unknown[]): ReturnType<F> {
    const fn = rest[rest.length - 1] as F;
    const options = (rest.length >= 2 ? rest[0] : undefined) as SpanOptions | undefined;
    const requested = (rest.length >= 3 ? rest[1] : undefined) as Context | undefined;
    const base = requested ?? context.active();
    const parent = options?.root ? base : this.choose(base);
    return this.tracer.startActiveSpan(name, options ?? {}, parent, fn);
  }
}

/**
 * The tracer provider the SDK registers globally when it sets OpenTelemetry up itself: the SDK's
 * provider, with {@link SessionTracer}s. An application with its own provider keeps it as it is
 * (its top-level spans join a session through `session.run`).
 */
export class SessionTracerProvider implements TracerProvider {
  private readonly tracers = new Map<string, Tracer>();

  constructor(
    private readonly provider: TracerProvider,
    private readonly choose: ParentChooser,
  ) {}

  getTracer(name: string, version?: string, options?: TracerOptions): Tracer {
    const key = `${name}@${version ?? ""}:${options?.schemaUrl ?? ""}`;
    let tracer = this.tracers.get(key);
    if (tracer === undefined) {
      tracer = new SessionTracer(this.provider.getTracer(name, version, options), this.choose);
      this.tracers.set(key, tracer);
    }
    return tracer;
  }
}
