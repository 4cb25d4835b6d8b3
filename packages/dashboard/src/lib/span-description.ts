import { describeSpan, type SpanDescription } from "@agentops/span-model/describe";
import type { SessionSpan } from "../api/types";

export { FRAMEWORK_NAMES } from "@agentops/span-model/describe";
export type { SpanDescription } from "@agentops/span-model/describe";

// Rows are rendered again on every scroll: describe each span once.
const described = new WeakMap<SessionSpan, SpanDescription>();

/** The span model's description of a span (framework, role, agent, handoff, MCP server, conversation). */
export function describe(span: SessionSpan): SpanDescription {
  let description = described.get(span);
  if (!description) described.set(span, (description = describeSpan(span.attributes)));
  return description;
}

const ROLE_LABELS: Partial<Record<NonNullable<SpanDescription["role"]>, string>> = {
  handoff: "Handoff",
  guardrail: "Guardrail",
  mcp: "MCP",
};

/**
 * A label for the waterfall beside the kind, for the roles the kind alone does not tell: a handoff,
 * a guardrail (marked when it tripped), an MCP call. `null` for everything else.
 */
export function roleLabel(span: SessionSpan): string | null {
  const description = describe(span);
  if (description.mcpServer !== null && description.role !== "mcp") return ROLE_LABELS.mcp!;
  const label = description.role === null ? undefined : ROLE_LABELS[description.role];
  if (label === undefined) return null;
  return description.guardrail?.triggered ? `${label} tripped` : label;
}

/** Facts about the span's place in its framework, for the event panel; empty when there are none. */
export function frameworkFacts(span: SessionSpan): Array<[string, unknown]> {
  const description = describe(span);
  const facts: Array<[string, unknown]> = [];
  if (description.framework !== null) facts.push(["Framework", description.framework]);
  if (description.agent !== null) facts.push(["Agent", description.agent]);
  if (description.handoff !== null) facts.push(["Handoff", `${description.handoff.from ?? "?"} → ${description.handoff.to ?? "?"}`]);
  if (description.guardrail !== null) {
    facts.push(["Guardrail", `${description.guardrail.name ?? "?"}${description.guardrail.triggered ? " (tripped)" : ""}`]);
  }
  if (description.mcpServer !== null) facts.push(["MCP server", description.mcpServer]);
  if (description.conversationId !== null) facts.push(["Conversation", description.conversationId]);
  return facts;
}
