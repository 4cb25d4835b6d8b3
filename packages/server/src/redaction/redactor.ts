import type { NormalizedSpan, Storage } from "../storage/types";
import { readRules } from "./project-rules";
import { compileRules, type Redaction } from "./rules";

/** How long a project's rules are kept in memory before they are read again, in ms. */
export const RULES_CACHE_MS = 5_000;

/**
 * Attributes that carry the span's meaning (ids, kinds, models, providers, operations): kept as
 * sent, so that a rule cannot change how a span is counted or priced.
 */
function isStructural(key: string): boolean {
  return (
    key.endsWith(".id") ||
    key.endsWith("_id") ||
    key === "agentops.span.kind" ||
    key === "gen_ai.operation.name" ||
    key === "gen_ai.system" ||
    key === "gen_ai.provider.name" ||
    key === "gen_ai.request.model" ||
    key === "gen_ai.response.model" ||
    key === "llm.model_name" ||
    key === "llm.provider" ||
    key === "openinference.span.kind"
  );
}

function redactValue(redact: Redaction, value: unknown): unknown {
  if (typeof value === "string") return redact(value);
  if (Array.isArray(value)) return value.map((item) => redactValue(redact, item));
  if (value !== null && typeof value === "object") {
    const out: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(value)) out[key] = redactValue(redact, item);
    return out;
  }
  return value;
}

function redactAttributes(
  redact: Redaction,
  attributes: Record<string, unknown>,
): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const key in attributes)
    out[key] = isStructural(key) ? attributes[key] : redactValue(redact, attributes[key]);
  return out;
}

/** The span with every string it carries, but its structural attributes, through the rules. */
export function redactSpan(redact: Redaction, span: NormalizedSpan): NormalizedSpan {
  return {
    ...span,
    attributes: redactAttributes(redact, span.attributes),
    resource: redactAttributes(redact, span.resource),
    events: span.events.map((event) => ({
      ...event,
      attributes: redactAttributes(redact, event.attributes),
    })),
    statusMessage: span.statusMessage === null ? null : redact(span.statusMessage),
    endStateReason: span.endStateReason === null ? null : redact(span.endStateReason),
    tags: span.tags === null ? null : span.tags.map(redact),
  };
}

/**
 * The store's `ingest` with each project's redaction rules applied first: nothing a rule matches
 * reaches the database. Rules are read from the store's settings and cached for
 * {@link RULES_CACHE_MS}, so a change made with `agentops-server redact` (from any replica's
 * point of view) applies within that time. A project without rules costs one map lookup.
 */
export class RedactingIngest implements Pick<Storage, "ingest"> {
  private readonly cache = new Map<string, { redact: Redaction | undefined; until: number }>();

  constructor(
    private readonly storage: Pick<Storage, "ingest" | "getSetting">,
    private readonly now: () => number = Date.now,
  ) {}

  async ingest(projectId: string, spans: NormalizedSpan[]): ReturnType<Storage["ingest"]> {
    const redact = await this.rulesOf(projectId);
    return this.storage.ingest(
      projectId,
      redact === undefined ? spans : spans.map((span) => redactSpan(redact, span)),
    );
  }

  private async rulesOf(projectId: string): Promise<Redaction | undefined> {
    const cached = this.cache.get(projectId);
    const now = this.now();
    if (cached !== undefined && cached.until > now) return cached.redact;
    const redact = compileRules(await readRules(this.storage, projectId));
    this.cache.set(projectId, { redact, until: now + RULES_CACHE_MS });
    return redact;
  }
}
