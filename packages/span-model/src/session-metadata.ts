import {
  ATTR_AGENTOPS_SESSION_END_STATE,
  ATTR_AGENTOPS_SESSION_END_STATE_REASON,
  ATTR_AGENTOPS_SESSION_TAGS,
  ATTR_AGENTOPS_SESSION_VIDEO,
  ATTR_AGENTOPS_LEGACY_TAGS,
  ATTR_AGENTOPS_STATUS_END_STATE,
  ATTR_AGENTOPS_STATUS_END_STATE_REASON,
  ATTR_AGENTOPS_TAGS,
  EndStateValues,
} from "@agentops/semconv";
import type { EndState } from "./kinds";
import { readString } from "./attribute-values";

/** Tags past these limits are dropped: tags label sessions, they do not carry data. */
const MAX_TAGS = 100;
const MAX_TAG_LENGTH = 256;

const SUCCESS_WORDS = new Set([
  "success",
  "succeeded",
  "successful",
  "ok",
  "completed",
  "complete",
  "done",
  "pass",
  "passed",
]);
const FAILURE_WORDS = new Set([
  "failure",
  "fail",
  "failed",
  "error",
  "errored",
  "exception",
  "crash",
  "crashed",
]);
const INDETERMINATE_WORDS = new Set([
  "indeterminate",
  "unknown",
  "unset",
  "shutdown",
  "cancelled",
  "canceled",
  "interrupted",
  "timeout",
  "timed out",
  "aborted",
]);

/**
 * An end state as written by any SDK → one of the three. Case and a `StatusCode.` / `EndState.` /
 * `TraceState.` prefix are ignored (AgentOps' official SDKs have written `"StatusCode.OK"`,
 * `"SUCCESS"`, `"ERROR"`, `"UNSET"` and `"Fail"`);
 * success-like words → Success, failure-like → Failure, shutdown / unknown / cancelled →
 * Indeterminate. `null` for anything else, so that a typo does not end a session.
 */
export function parseEndState(value: unknown): EndState | null {
  const text = readString(value);
  if (text === null) return null;
  const word = text
    .toLowerCase()
    .replace(/^(statuscode|endstate|end_state|tracestate)\./, "")
    .replace(/[_-]+/g, " ");
  if (SUCCESS_WORDS.has(word)) return EndStateValues.SUCCESS;
  if (FAILURE_WORDS.has(word)) return EndStateValues.FAILURE;
  if (INDETERMINATE_WORDS.has(word)) return EndStateValues.INDETERMINATE;
  return null;
}

/**
 * Tags from `agentops.session.tags` (ours), `agentops.tags` (AgentOps' official SDKs) or `tags`
 * (their Python SDK's early 0.4 sessions): a string array, a JSON array in a string, or a
 * comma-separated string. Trimmed, de-duplicated in order.
 * `null` when the span carries neither attribute; an empty list when it carries an empty one
 * (`setTags([])` clears the tags).
 */
export function parseTags(attributes: Record<string, unknown>): string[] | null {
  const raw =
    attributes[ATTR_AGENTOPS_SESSION_TAGS] ?? attributes[ATTR_AGENTOPS_TAGS] ?? attributes[ATTR_AGENTOPS_LEGACY_TAGS];
  if (raw === undefined || raw === null) return null;
  let items: unknown[];
  if (Array.isArray(raw)) {
    items = raw;
  } else if (typeof raw === "string") {
    items = splitTagString(raw);
  } else {
    items = [raw];
  }
  const tags: string[] = [];
  const seen = new Set<string>();
  for (const item of items) {
    if (item === null || item === undefined || typeof item === "object") continue;
    const tag = String(item).trim().slice(0, MAX_TAG_LENGTH);
    if (tag === "" || seen.has(tag)) continue;
    seen.add(tag);
    tags.push(tag);
    if (tags.length === MAX_TAGS) break;
  }
  return tags;
}

function splitTagString(text: string): unknown[] {
  const trimmed = text.trim();
  if (trimmed.startsWith("[")) {
    try {
      const parsed: unknown = JSON.parse(trimmed);
      if (Array.isArray(parsed)) return parsed;
    } catch {
      // Not JSON after all: a comma list that happens to start with "[".
    }
  }
  return trimmed.split(",");
}

export interface SessionMetadata {
  tags: string[] | null;
  endState: EndState | null;
  endStateReason: string | null;
  video: string | null;
}

/**
 * The session metadata that a session root span or a marker span carries. A root span has ended,
 * so it always yields an end state: its `agentops.session.end_state` (or the legacy
 * `agentops.status.end_state` of AgentOps' Python SDK) when readable, else one derived from the
 * span status (error → Failure with the status message as reason, ok →
 * Success, unset → Indeterminate).
 */
export function readSessionMetadata(
  attributes: Record<string, unknown>,
  isRoot: boolean,
  statusCode: number,
  statusMessage: string | null,
): SessionMetadata {
  let endState =
    parseEndState(attributes[ATTR_AGENTOPS_SESSION_END_STATE]) ??
    parseEndState(attributes[ATTR_AGENTOPS_STATUS_END_STATE]);
  let endStateReason =
    readString(attributes[ATTR_AGENTOPS_SESSION_END_STATE_REASON]) ??
    readString(attributes[ATTR_AGENTOPS_STATUS_END_STATE_REASON]);
  if (endState === null && isRoot) {
    if (statusCode === 2) {
      endState = EndStateValues.FAILURE;
      endStateReason ??= statusMessage;
    } else {
      endState = statusCode === 1 ? EndStateValues.SUCCESS : EndStateValues.INDETERMINATE;
    }
  }
  return {
    tags: parseTags(attributes),
    endState,
    endStateReason: endState === null ? null : endStateReason,
    video: readString(attributes[ATTR_AGENTOPS_SESSION_VIDEO]),
  };
}
