import { MAX_SESSION_COST_PICO, toPicoUsd } from "@agentops/span-model";
import type { EndState, NormalizedSpan } from "./types";

/**
 * How a batch changes one session's rollup row. Stores apply it with one
 * `INSERT … ON CONFLICT DO UPDATE` whose updates are additive (counts, tokens, cost), min/max
 * (timestamps) or "greater key wins" (metadata), so that deltas commute: any arrival order, and
 * several servers writing one session at once, give the same row.
 *
 * Metadata keys are strings compared bytewise; the greater one wins:
 * - end state: root span before markers, then the later end time, then the greater span id
 *   (so the root's end state wins over anything a marker said, and a later root over an earlier);
 * - tags and video: the later end time, then root before marker, then the greater span id
 *   (the latest change wins: markers carry each change while the session runs, the root the
 *   final tags);
 * - host environment: the *smaller* key wins: root, then markers, then any span; among them the
 *   earliest start (the resource of the process that started the session; when neither root nor
 *   marker has arrived, the earliest span's).
 */
export interface SessionDelta {
  traceId: string;
  sessionId: string;
  startMs: number;
  endMs: number;
  lastSeenMs: number;
  spans: number;
  llmCalls: number;
  toolCalls: number;
  actions: number;
  errors: number;
  promptTokens: number;
  completionTokens: number;
  cachedTokens: number;
  reasoningTokens: number;
  /** USD in millionths of a millionth (1e-12), so that sums are exact integers in any order. */
  costPico: number;
  endState: EndState | null;
  endStateReason: string | null;
  endStateKey: string | null;
  tags: string[] | null;
  tagsKey: string | null;
  video: string | null;
  videoKey: string | null;
  hostResourceId: string | null;
  hostKey: string | null;
}

export { MAX_SESSION_COST_PICO, toPicoUsd };

function pad(nanos: string): string {
  return nanos.padStart(20, "0");
}

function rootFlag(span: NormalizedSpan): string {
  return span.kind === "session" ? "1" : "0";
}

export function endStateKey(span: NormalizedSpan): string {
  return rootFlag(span) + pad(span.endTimeUnixNano) + span.spanId;
}

export function latestKey(span: NormalizedSpan): string {
  return pad(span.endTimeUnixNano) + rootFlag(span) + span.spanId;
}

/** The first character of {@link hostKey}: a session's own span first, then markers, then events. */
export function hostRank(span: NormalizedSpan): string {
  return span.kind === "session" ? "0" : span.kind === "marker" ? "1" : "2";
}

export function hostKey(span: NormalizedSpan): string {
  return hostRank(span) + pad(span.startTimeUnixNano) + span.spanId;
}

/**
 * Accumulates newly stored spans into per-session deltas. Call it only for spans the store
 * actually inserted (not for redelivered ones), with the span's resource id.
 */
export class RollupBatch {
  readonly sessions = new Map<string, SessionDelta>();

  /** @param receivedMs when the server received the batch (epoch ms): the sessions' last-seen time. */
  constructor(readonly receivedMs: number) {}

  add(span: NormalizedSpan, resourceId: string, costPico: number): void {
    let delta = this.sessions.get(span.traceId);
    if (delta === undefined) {
      delta = {
        traceId: span.traceId,
        sessionId: span.sessionId,
        startMs: span.startMs,
        endMs: span.endMs,
        lastSeenMs: this.receivedMs,
        spans: 0,
        llmCalls: 0,
        toolCalls: 0,
        actions: 0,
        errors: 0,
        promptTokens: 0,
        completionTokens: 0,
        cachedTokens: 0,
        reasoningTokens: 0,
        costPico: 0,
        endState: null,
        endStateReason: null,
        endStateKey: null,
        tags: null,
        tagsKey: null,
        video: null,
        videoKey: null,
        hostResourceId: null,
        hostKey: null,
      };
      this.sessions.set(span.traceId, delta);
    }
    if (span.startMs < delta.startMs) delta.startMs = span.startMs;
    if (span.endMs > delta.endMs) delta.endMs = span.endMs;
    delta.spans += 1;
    switch (span.kind) {
      case "llm":
        delta.llmCalls += 1;
        break;
      case "tool":
        delta.toolCalls += 1;
        break;
      case "action":
      case "agent": // an agent run counts among the actions
        delta.actions += 1;
        break;
      default:
        break;
    }
    if (span.isError) delta.errors += 1;
    delta.promptTokens += span.promptTokens;
    delta.completionTokens += span.completionTokens;
    delta.cachedTokens += span.cachedTokens;
    delta.reasoningTokens += span.reasoningTokens;
    delta.costPico = Math.min(delta.costPico + costPico, MAX_SESSION_COST_PICO);

    if (delta.hostKey === null || hostRank(span) <= delta.hostKey[0]!) {
      const key = hostKey(span);
      if (delta.hostKey === null || key < delta.hostKey) {
        delta.hostKey = key;
        delta.hostResourceId = resourceId;
      }
    }
    if (span.kind !== "session" && span.kind !== "marker") return;
    if (span.endState !== null) {
      const key = endStateKey(span);
      if (delta.endStateKey === null || key > delta.endStateKey) {
        delta.endStateKey = key;
        delta.endState = span.endState;
        delta.endStateReason = span.endStateReason;
      }
    }
    if (span.tags !== null) {
      const key = latestKey(span);
      if (delta.tagsKey === null || key > delta.tagsKey) {
        delta.tagsKey = key;
        delta.tags = span.tags;
      }
    }
    if (span.video !== null) {
      const key = latestKey(span);
      if (delta.videoKey === null || key > delta.videoKey) {
        delta.videoKey = key;
        delta.video = span.video;
      }
    }
  }

  /** Deltas in trace id order: every store locks session rows in one order, so writers never deadlock. */
  sorted(): SessionDelta[] {
    return [...this.sessions.values()].sort((a, b) =>
      a.traceId < b.traceId ? -1 : a.traceId > b.traceId ? 1 : 0,
    );
  }
}
