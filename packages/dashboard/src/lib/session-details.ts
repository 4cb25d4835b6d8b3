import {
  ATTR_AGENTOPS_SESSION_VIDEO,
  ATTR_GEN_AI_REQUEST_MODEL,
  ATTR_GEN_AI_RESPONSE_MODEL,
} from "@agentops/semconv";
import type { SessionSpan, SessionStats } from "../api/types";
import { describe } from "./span-description";

/** What the session page shows beside the waterfall, read from the session's spans. */
export interface SessionDetails {
  /** Resource attributes of the process that started the session (its host environment). */
  hostEnv: Record<string, unknown> | null;
  video: string | null;
  costByModel: ModelCost[];
  /** `gen_ai.conversation.id`s the session's spans carry, in order of first appearance. */
  conversations: string[];
  /** Frameworks and instrumentation projects whose spans the session holds (agentops' own aside). */
  frameworks: string[];
}

export interface ModelCost {
  model: string;
  calls: number;
  promptTokens: number;
  completionTokens: number;
  cost: number;
}

export function readSessionDetails(spans: readonly SessionSpan[]): SessionDetails {
  let hostEnv: Record<string, unknown> | null = null;
  let hostRank = 3;
  let video: string | null = null;
  let videoTime = Number.NEGATIVE_INFINITY;
  const models = new Map<string, ModelCost>();
  const conversations = new Set<string>();
  const frameworks = new Set<string>();
  for (const span of spans) {
    if (span.kind !== "session" && span.kind !== "marker") {
      const description = describe(span);
      if (description.conversationId !== null) conversations.add(description.conversationId);
      if (description.framework !== null) frameworks.add(description.framework);
    }
    // The root span knows the starting process best; the start marker comes next; any span last.
    const rank = span.kind === "session" ? 0 : span.kind === "marker" ? 1 : 2;
    if (rank < hostRank && Object.keys(span.resource).length > 0) {
      hostEnv = span.resource;
      hostRank = rank;
    }
    const spanVideo = span.attributes[ATTR_AGENTOPS_SESSION_VIDEO];
    if (typeof spanVideo === "string" && spanVideo && span.endMs >= videoTime) {
      video = spanVideo;
      videoTime = span.endMs;
    }
    if (span.kind === "llm") {
      const name = String(span.model ?? span.attributes[ATTR_GEN_AI_RESPONSE_MODEL] ?? span.attributes[ATTR_GEN_AI_REQUEST_MODEL] ?? "unknown");
      let entry = models.get(name);
      if (!entry) models.set(name, (entry = { model: name, calls: 0, promptTokens: 0, completionTokens: 0, cost: 0 }));
      entry.calls++;
      entry.promptTokens += span.promptTokens;
      entry.completionTokens += span.completionTokens;
      entry.cost += span.cost;
    }
  }
  const costByModel = [...models.values()].sort((a, b) => b.cost - a.cost || b.calls - a.calls);
  return { hostEnv, video, costByModel, conversations: [...conversations], frameworks: [...frameworks] };
}

/** A session's duration; for a running one, the time so far (up to `now`). */
export function sessionDurationMs(stats: Pick<SessionStats, "end_state" | "start_timestamp" | "duration_ms">, now: number): number {
  if (stats.end_state === null && stats.start_timestamp) {
    const start = Date.parse(stats.start_timestamp);
    if (!Number.isNaN(start)) return Math.max(stats.duration_ms, now - start);
  }
  return stats.duration_ms;
}
